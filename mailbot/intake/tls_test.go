package intake

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/secbot/secbot/mailbot/tlsmode"
)

// testCert returns a server config with a fresh self-signed certificate for
// 127.0.0.1 and a pool that trusts it.
func testCert(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("create certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse certificate: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	srv := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return srv, pool
}

func TestTLSModes(t *testing.T) {
	for _, mode := range []tlsmode.Mode{tlsmode.Implicit, tlsmode.StartTLS} {
		t.Run(string(mode), func(t *testing.T) {
			srvTLS, pool := testCert(t)
			ts := newTestServer(t, withTLS(srvTLS, mode == tlsmode.Implicit))
			raws := ts.appendN(2)
			cfg := testConfig(t, ts)
			cfg.TLSMode = mode
			cfg.TLSConfig = &tls.Config{RootCAs: pool} // ServerName comes from Addr
			sink := &memSink{}
			l := startLoop(t, cfg, sink)
			l.waitIdle(t, 1)
			checkDelivered(t, sink, raws, ts.uidValidity())
			if mode == tlsmode.StartTLS && !strings.Contains(ts.debug.String(), " STARTTLS\r\n") {
				t.Errorf("client did not send STARTTLS")
			}
		})
	}
}

func TestTLSRejectsUntrustedServer(t *testing.T) {
	srvTLS, _ := testCert(t)
	ts := newTestServer(t, withTLS(srvTLS, true))
	ts.appendN(1)
	cfg := testConfig(t, ts)
	cfg.TLSMode = tlsmode.Implicit // system roots: the self-signed cert must fail
	_, _, err := FetchAll(t.Context(), cfg)
	if err == nil {
		t.Fatalf("FetchAll trusted a self-signed certificate")
	}
}

// TestImplicitTLSOffersALPN: implicit TLS offers the "imap" ALPN id of
// RFC 8314 section 4.1, unless the configuration names its own.
func TestImplicitTLSOffersALPN(t *testing.T) {
	for _, tc := range []struct {
		name       string
		nextProtos []string
		want       string
	}{
		{"default", nil, "[imap]"},
		{"configured", []string{"x-own"}, "[x-own]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srvTLS, pool := testCert(t)
			offered := make(chan []string, 1)
			srvTLS.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
				select {
				case offered <- hello.SupportedProtos:
				default:
				}
				return nil, nil
			}
			ts := newTestServer(t, withTLS(srvTLS, true))
			cfg := testConfig(t, ts)
			cfg.TLSMode = tlsmode.Implicit
			cfg.TLSConfig = &tls.Config{RootCAs: pool, NextProtos: tc.nextProtos}
			if _, _, err := FetchAll(t.Context(), cfg); err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(<-offered); got != tc.want {
				t.Errorf("client offered ALPN %s, want %s", got, tc.want)
			}
		})
	}
}
