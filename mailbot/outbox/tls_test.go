package outbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/tlsmode"
)

// testTLS returns a server config with a fresh self-signed certificate for
// 127.0.0.1 and a client config that trusts only it.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "secbot test relay"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool}
}

func TestTLSModes(t *testing.T) {
	for _, mode := range []tlsmode.Mode{tlsmode.StartTLS, tlsmode.Implicit} {
		t.Run(string(mode), func(t *testing.T) {
			srvTLS, cliTLS := testTLS(t)
			e := newEnv(t, serverOpts{tls: srvTLS, implicit: mode == tlsmode.Implicit})
			e.cfg.TLSMode, e.cfg.TLSConfig = mode, cliTLS
			e.start()
			m := e.enqueue("alice@example.net")
			e.s.Kick()
			if it := e.waitRetired(m.ID); len(it.delivered) != 1 {
				t.Fatalf("not delivered: %+v", it.fails)
			}
			if got := e.ts.messages()[0]; !got.TLS || got.User != "secbot" {
				t.Errorf("server saw TLS=%v user=%q, want TLS and secbot", got.TLS, got.User)
			}
		})
	}
}

// A relay that does not offer STARTTLS must not get the mail in cleartext.
func TestStartTLSNotOffered(t *testing.T) {
	e := newEnv(t, serverOpts{})
	e.cfg.TLSMode = tlsmode.StartTLS
	e.start()
	m := e.enqueue("alice@example.net")
	e.s.Kick()
	it := e.waitFails(m.ID, 1)
	if f := it.fails[0]; f.permanent || !strings.Contains(f.reply, "starttls") {
		t.Errorf("failure %+v, want temporary starttls error", f)
	}
	if len(e.ts.messages()) != 0 {
		t.Errorf("mail sent without TLS")
	}
}

// An untrusted certificate fails the attempt instead of being ignored.
func TestTLSUntrusted(t *testing.T) {
	srvTLS, _ := testTLS(t)
	e := newEnv(t, serverOpts{tls: srvTLS, implicit: true})
	e.cfg.TLSMode = tlsmode.Implicit
	e.start()
	m := e.enqueue("alice@example.net")
	e.s.Kick()
	it := e.waitFails(m.ID, 1)
	if f := it.fails[0]; f.permanent || !strings.Contains(f.reply, "certificate") {
		t.Errorf("failure %+v, want temporary certificate error", f)
	}
}
