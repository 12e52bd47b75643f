package mailbot

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/intake"
	"github.com/secbot/secbot/mailbot/keyring"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/store"
)

// FuzzPrepare runs the whole store-free half of ingest on arbitrary mail:
// the header (parseEnvelope), the guard against huge part headers, the
// command text (bodyText), patch attachments, a sender's key, and then
// Bot.prepare itself, which adds PGP/MIME unwrapping with a real robot
// key and a maintainer key. The parts are first called bare so that a
// panic shows with its stack; prepare would recover it. Seeds live in
// testdata/fuzz/FuzzPrepare (the hostile corpus of testdata/mail); a
// signed and an encrypted seed are made here with the fuzz keys.
func FuzzPrepare(f *testing.F) {
	b, alice := fuzzBot(f)
	for _, m := range []pgpmimeSeed{
		{sign: true, text: "accept\ntitle Fuzz\npatch\n\nhello\n"},
		{encrypt: true, sign: true, text: "close\n"},
		{encrypt: true, text: "-----BEGIN PGP PUBLIC KEY BLOCK-----\nxx\n-----END PGP PUBLIC KEY BLOCK-----\n"},
	} {
		f.Add(m.make(f, b.keys.Robot, alice))
	}
	now := b.now()
	f.Fuzz(func(t *testing.T, raw []byte) {
		env, _, err := parseEnvelope(raw)
		if env == nil || (err != nil || env.Synthetic) != (env.Hash != "") {
			t.Fatalf("no envelope, or the raw hash missing where it is needed (err %v)", err)
		}
		if env.DedupeKey == "" && err == nil {
			t.Fatal("no dedupe key after a successful parse")
		}
		if err != nil {
			return
		}
		if !headerRunTooLong(raw) {
			if text, err := bodyText(raw); err == nil && !utf8.ValidString(text) {
				t.Fatal("body text is not valid UTF-8")
			}
		}
		for _, a := range patchAttachments(raw) {
			if a.Name == "" || strings.ContainsAny(a.Name, "/\\") || len(a.Data) == 0 || len(a.Data) > maxPatchBytes {
				t.Fatalf("bad patch attachment %q (%d bytes)", a.Name, len(a.Data))
			}
		}
		if k := senderKey(raw, env.From, now); k != "" && !strings.HasPrefix(k, "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
			t.Fatalf("sender key is not an armored public key: %.40q", k)
		}

		p := b.prepare(intake.Message{UID: 1, Size: int64(len(raw)), Raw: raw})
		if n := b.panics.Load(); n != 0 {
			t.Fatalf("prepare recovered %d panic(s)", n)
		}
		switch p.status {
		case store.MsgIngested:
		case store.MsgQuarantined, store.MsgUndecryptable:
			if p.reason == "" {
				t.Fatalf("status %s without a reason", p.status)
			}
		default:
			t.Fatalf("status %q", p.status)
		}
		if p.signer != "" && (p.opened == nil || !p.opened.SignatureValid || p.opened.SignerFingerprint != p.signer) {
			t.Fatalf("signer %s without a valid signature by it", p.signer)
		}
		if p.cmds != nil && !utf8.ValidString(p.cmdText) {
			t.Fatal("command text is not valid UTF-8")
		}
		if len(p.patches) > 0 && p.signer == "" {
			t.Fatal("patches taken from a mail no maintainer signed")
		}
	})
}

func TestHeaderRunTooLong(t *testing.T) {
	fields := func(n int) string {
		var b strings.Builder
		for i := 0; b.Len() < n; i++ {
			fmt.Fprintf(&b, "X-%d: v\r\n", i)
		}
		return b.String()
	}
	long := fields(maxHeaderBytes + 1)
	tests := []struct {
		name string
		raw  string
		want bool
	}{
		{"small mail", "From: a@b\r\n\r\nhello\r\n", false},
		{"top header just under", fields(maxHeaderBytes-100) + "\r\nbody", false},
		{"part header over", "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + long + "\r\nx\r\n--b--\r\n", true},
		{"continuation lines count", "X: a\r\n" + strings.Repeat(" cont\r\n", maxHeaderBytes/7+1) + "\r\n", true},
		{"bare LF lines count", strings.ReplaceAll(fields(maxHeaderBytes*6/5), "\r\n", "\n"), true},
		{"blank lines split runs", strings.ReplaceAll(long, "X-5000: v\r\n", "\r\n"), false},
		{"base64 body is no header", strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=\r\n", 40000), false},
		{"a key with a space is no field", strings.Repeat("no field: x\r\n", 90000), false},
	}
	for _, tt := range tests {
		if got := headerRunTooLong([]byte(tt.raw)); got != tt.want {
			t.Errorf("%s: headerRunTooLong = %v", tt.name, got)
		}
	}
}

// fuzzBot is a Bot with only what prepare needs: a config, the robot's
// key and one maintainer's (alice's) key to verify with. It has no store.
func fuzzBot(f testing.TB) (*Bot, *crypto.Key) {
	f.Helper()
	robot, alice := fuzzKey(f, "security@demo.example"), fuzzKey(f, "alice@demo.example")
	robotRing, err := crypto.NewKeyRing(robot)
	if err != nil {
		f.Fatal(err)
	}
	alicePub, err := alice.ToPublic()
	if err != nil {
		f.Fatal(err)
	}
	verify, err := crypto.NewKeyRing(alicePub)
	if err != nil {
		f.Fatal(err)
	}
	keys := &keyring.Keys{Robot: robot, RobotRing: robotRing, RobotFP: strings.ToUpper(robot.GetFingerprint()), Verify: verify,
		Maintainers: []keyring.MaintainerKey{{Name: "Alice", Address: "alice@demo.example", Key: alicePub, FP: strings.ToUpper(alice.GetFingerprint())}}}
	cfg := &config.Config{Robot: config.Robot{Address: "security@demo.example", CasePrefix: "SEC", MaxMessageBytes: 25 << 20}}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	return &Bot{cfg: cfg, keys: keys, log: slog.New(slog.DiscardHandler), now: func() time.Time { return now }}, alice
}

func fuzzKey(f testing.TB, addr string) *crypto.Key {
	f.Helper()
	armored, err := pgpmime.GenerateKey("Fuzz", addr, "x25519")
	if err != nil {
		f.Fatal(err)
	}
	k, err := pgpmime.ReadKey([]byte(armored))
	if err != nil {
		f.Fatal(err)
	}
	return k
}

type pgpmimeSeed struct {
	sign, encrypt bool
	text          string
}

func (s pgpmimeSeed) make(f *testing.F, robot, alice *crypto.Key) []byte {
	f.Helper()
	msg := []byte("From: Alice <alice@demo.example>\r\nTo: security@demo.example\r\nSubject: Re: [SEC-2026-0001] x\r\n" +
		"Message-ID: <fuzz@demo.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.ReplaceAll(s.text, "\n", "\r\n"))
	var signer *crypto.Key
	if s.sign {
		signer = alice
	}
	var (
		out []byte
		err error
	)
	switch {
	case s.encrypt:
		pub, perr := robot.ToPublic()
		if perr != nil {
			f.Fatal(perr)
		}
		out, err = pgpmime.Encrypt(msg, []*crypto.Key{pub}, signer)
	default:
		out, err = pgpmime.Sign(msg, signer)
	}
	if err != nil {
		f.Fatal(err)
	}
	return out
}
