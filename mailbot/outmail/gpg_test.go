package outmail

import (
	"testing"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/internal/gpgtest"
)

// gpgHome is a throw-away GnuPG home (gpgtest.Home) with this
// package's helpers.
type gpgHome struct {
	*gpgtest.Home
	t *testing.T
}

func newGPG(t *testing.T) *gpgHome {
	t.Helper()
	h := gpgtest.New(t)
	return &gpgHome{Home: h, t: t}
}

// importOwn imports a private key as the client user's own (ultimately
// trusted, as gpg makes a key it generates).
func (g *gpgHome) importOwn(k *crypto.Key) {
	g.t.Helper()
	g.importArmored(k)
	g.Must([]byte(fp(k)+":6:\n"), "--import-ownertrust")
}

// importPeer imports a public key and certifies it locally with the
// user's own key, as a user does who checked its fingerprint.
func (g *gpgHome) importPeer(k *crypto.Key) {
	g.t.Helper()
	g.importArmored(k)
	g.Must(nil, "--quick-lsign-key", fp(k))
}

func (g *gpgHome) importArmored(k *crypto.Key) {
	g.t.Helper()
	armored, err := k.Armor()
	if err != nil {
		g.t.Fatal(err)
	}
	g.Must([]byte(armored), "--import")
}
