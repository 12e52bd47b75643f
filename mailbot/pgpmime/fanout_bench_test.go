package pgpmime_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v2/crypto"

	"github.com/secbot/secbot/mailbot/pgpmime"
)

// fanoutRecipients is the number of downstream contacts of one
// pre-notification.
const fanoutRecipients = 100

// fanoutKeyCacheEnv names a directory where the benchmark keeps its
// generated keys (armored, unprotected: throw-away keys) so that a second
// run skips key generation. Unset, keys are generated once per process.
const fanoutKeyCacheEnv = "SECBOT_BENCH_KEYS"

// BenchmarkFanout encrypts and signs one ~20 KB pre-notification (a text
// part, an advisory and a 10 KB patch) to 100 recipients, each getting its
// own mail as secbot sends them, and compares it in the same run with
// GnuPG over the same MIME entity: one `gpg --encrypt --sign` process per
// recipient, as a mail tool would run it, and, for reference, one process
// with all 100 -r (one message for everyone). Three key setups: Curve25519
// recipients with secbot's default Ed25519 robot key, RSA-4096 recipients
// with that robot key, and RSA-4096 throughout.
//
// Generating the 101 RSA-4096 keys takes about a minute on 2 cores; they
// are generated once per process (in parallel), or kept in the directory
// named by $SECBOT_BENCH_KEYS. Run it with:
//
//	go test -run '^$' -bench Fanout ./mailbot/pgpmime/
func BenchmarkFanout(b *testing.B) {
	x := fanoutKeys(b, "x25519")
	rsa := fanoutKeys(b, "rsa4096")
	msg, entity := fanoutPayload()
	b.Logf("payload: %d bytes of message, %d bytes of MIME entity", len(msg), len(entity))

	g := newBenchGPG(b)
	if g != nil {
		g.importKeys(b, x.robot, rsa.robot)
		g.importKeys(b, append(append([]*crypto.Key{}, x.rcpts...), rsa.rcpts...)...)
	}

	b.Run("gpg-spawn", func(b *testing.B) {
		// The cost of a gpg process that opens the keyring and does no
		// crypto: the floor of one-process-per-recipient.
		if g == nil {
			b.Skip("gpg not on PATH: skipping GnuPG comparison")
		}
		fpr := x.robot.GetFingerprint()
		for i := 0; i < b.N; i++ {
			for j := 0; j < fanoutRecipients; j++ {
				g.run(b, nil, "--list-keys", "--with-colons", fpr)
			}
		}
		reportFanout(b, fanoutRecipients)
	})

	for _, setup := range []struct {
		name   string
		robot  *crypto.Key
		rcpts  []*crypto.Key
		rcptsK *fanoutKeySet
	}{
		{"rcpt=x25519/signer=ed25519", x.robot, x.rcpts, x},
		{"rcpt=rsa4096/signer=ed25519", x.robot, rsa.rcpts, rsa},
		{"rcpt=rsa4096/signer=rsa4096", rsa.robot, rsa.rcpts, rsa},
	} {
		checkFanoutRoundTrip(b, msg, setup.rcptsK.private[0], setup.robot)
		robotFPR := setup.robot.GetFingerprint()
		fprs := make([]string, len(setup.rcpts))
		for i, k := range setup.rcpts {
			fprs[i] = k.GetFingerprint()
		}

		b.Run(setup.name+"/secbot", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for _, k := range setup.rcpts {
					if _, err := pgpmime.Encrypt(msg, []*crypto.Key{k}, setup.robot); err != nil {
						b.Fatal(err)
					}
				}
			}
			reportFanout(b, fanoutRecipients)
		})
		b.Run(setup.name+"/secbot-one-msg", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := pgpmime.Encrypt(msg, setup.rcpts, setup.robot); err != nil {
					b.Fatal(err)
				}
			}
			reportFanout(b, 1)
		})
		b.Run(setup.name+"/gpg", func(b *testing.B) {
			if g == nil {
				b.Skip("gpg not on PATH: skipping GnuPG comparison")
			}
			g.encrypt(b, entity, robotFPR, fprs[:1]) // agent up, key loaded
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for _, fpr := range fprs {
					g.encrypt(b, entity, robotFPR, []string{fpr})
				}
			}
			reportFanout(b, fanoutRecipients)
		})
		b.Run(setup.name+"/gpg-one-proc", func(b *testing.B) {
			if g == nil {
				b.Skip("gpg not on PATH: skipping GnuPG comparison")
			}
			g.encrypt(b, entity, robotFPR, fprs[:1])
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				g.encrypt(b, entity, robotFPR, fprs)
			}
			reportFanout(b, 1)
		})
	}
}

// reportFanout reports messages produced per second and the time per
// recipient, for ops that each produce msgs messages for
// fanoutRecipients recipients in all.
func reportFanout(b *testing.B, msgs int) {
	s := b.Elapsed().Seconds()
	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		// These are CPU-bound: other load on the machine skews them.
		b.Logf("load average: %s", bytes.TrimSpace(la))
	}
	b.ReportMetric(float64(msgs*b.N)/s, "msgs/s")
	b.ReportMetric(s*1000/float64(fanoutRecipients*b.N), "ms/recipient")
}

// checkFanoutRoundTrip makes sure that what the benchmark times is a mail
// the recipient can open, with a valid robot signature.
func checkFanoutRoundTrip(b *testing.B, msg []byte, rcpt, robot *crypto.Key) {
	b.Helper()
	pub, err := rcpt.ToPublic()
	if err != nil {
		b.Fatal(err)
	}
	enc, err := pgpmime.Encrypt(msg, []*crypto.Key{pub}, robot)
	if err != nil {
		b.Fatal(err)
	}
	dec, err := crypto.NewKeyRing(rcpt)
	if err != nil {
		b.Fatal(err)
	}
	robotPub, err := robot.ToPublic()
	if err != nil {
		b.Fatal(err)
	}
	ver, err := crypto.NewKeyRing(robotPub)
	if err != nil {
		b.Fatal(err)
	}
	op, err := pgpmime.Open(enc, dec, ver)
	if err != nil || !op.SignatureValid {
		b.Fatalf("round trip: %v, signature valid %v", err, op != nil && op.SignatureValid)
	}
}

// fanoutKeySet is a robot key and fanoutRecipients recipient keys of one
// algorithm.
type fanoutKeySet struct {
	robot   *crypto.Key   // private
	rcpts   []*crypto.Key // public
	private []*crypto.Key // the recipients' private keys
}

var (
	fanoutKeysMu   sync.Mutex
	fanoutKeysMemo = map[string]*fanoutKeySet{}
)

// fanoutKeys returns the key set for algo, generating the keys (in
// parallel) the first time, or loading them from $SECBOT_BENCH_KEYS.
func fanoutKeys(b *testing.B, algo string) *fanoutKeySet {
	b.Helper()
	fanoutKeysMu.Lock()
	defer fanoutKeysMu.Unlock()
	if ks := fanoutKeysMemo[algo]; ks != nil {
		return ks
	}
	cache := os.Getenv(fanoutKeyCacheEnv)
	if cache != "" {
		if err := os.MkdirAll(cache, 0o700); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	n := fanoutRecipients + 1 // key 0 is the robot
	keys := make([]*crypto.Key, n)
	errs := make([]error, n)
	var generated sync.WaitGroup
	var count sync.Mutex
	made := 0
	jobs := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		generated.Add(1)
		go func() {
			defer generated.Done()
			for i := range jobs {
				var fresh bool
				keys[i], fresh, errs[i] = fanoutKey(cache, algo, i)
				if fresh {
					count.Lock()
					made++
					count.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	generated.Wait()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	ks := &fanoutKeySet{robot: keys[0], private: keys[1:]}
	for _, k := range ks.private {
		pub, err := k.ToPublic()
		if err != nil {
			b.Fatal(err)
		}
		ks.rcpts = append(ks.rcpts, pub)
	}
	b.Logf("%s keys: %d generated, %d from %s, in %s", algo, made, n-made, cache, time.Since(start).Round(time.Millisecond))
	fanoutKeysMemo[algo] = ks
	return ks
}

// fanoutKey loads key i of algo from the cache directory, or generates
// it (and stores it there when there is a cache).
func fanoutKey(cache, algo string, i int) (*crypto.Key, bool, error) {
	file := filepath.Join(cache, fmt.Sprintf("%s-%03d.asc", algo, i))
	if cache != "" {
		if data, err := os.ReadFile(file); err == nil {
			k, err := pgpmime.ReadKey(data)
			return k, false, err
		}
	}
	name := fmt.Sprintf("Downstream %d", i)
	addr := fmt.Sprintf("security@vendor%d.example", i)
	if i == 0 {
		name, addr = "Demo Project security team", "security@demo.example"
	}
	armored, err := pgpmime.GenerateKey(name, addr, algo)
	if err != nil {
		return nil, false, err
	}
	if cache != "" {
		if err := os.WriteFile(file, []byte(armored), 0o600); err != nil {
			return nil, false, err
		}
	}
	k, err := pgpmime.ReadKey([]byte(armored))
	return k, true, err
}

// fanoutPayload returns a pre-notification as secbot would render it (the
// whole message) and its MIME entity (Content-Type and body), which is
// what PGP/MIME encrypts and what a mail tool would pipe to gpg.
func fanoutPayload() (msg, entity []byte) {
	const boundary = "b1_fanout_bench_0000"
	var e bytes.Buffer
	e.WriteString("Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n")
	part := func(hdr, body string) {
		e.WriteString("--" + boundary + "\r\n" + hdr + "\r\n\r\n")
		e.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	}
	var text strings.Builder
	text.WriteString("Dear distros and vendors,\n\nthis is a pre-notification of a security issue in Demo Project under embargo.\n" +
		"Please do not share it beyond your security team before the coordinated release date.\n\n" +
		"Case:      SEC-2026-0001\nTitle:     Heap overflow in frob() header parsing\nAffected:  >=1.0 <1.4.2, 2.0.0..2.0.3\n" +
		"Severity:  high CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\nCRD:       2026-12-01 14:00 Europe/Berlin\n\n")
	for text.Len() < 2500 {
		text.WriteString("The attached advisory draft and patch apply to the 1.4 and 2.0 branches. Reply to this mail for questions.\n")
	}
	part("Content-Type: text/plain; charset=utf-8", text.String())

	var adv strings.Builder
	adv.WriteString("Demo Project security advisory SEC-2026-0001 (DRAFT, EMBARGOED)\n\n")
	for i := 1; adv.Len() < 7000; i++ {
		fmt.Fprintf(&adv, "%d. A remote attacker who can send a crafted Frob header of more than 255 bytes can overflow a heap buffer in frob() and may execute code.\n", i)
	}
	part("Content-Type: text/plain; charset=utf-8; name=\"SEC-2026-0001-advisory.txt\"\r\nContent-Disposition: attachment; filename=\"SEC-2026-0001-advisory.txt\"", adv.String())

	var patch strings.Builder
	patch.WriteString("From 5e1f0c2 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] frob: bound the header name length\n\n---\n src/frob.c | 240 ++++++++-----\n\n" +
		"diff --git a/src/frob.c b/src/frob.c\n--- a/src/frob.c\n+++ b/src/frob.c\n")
	for i := 0; patch.Len() < 10240; i++ {
		fmt.Fprintf(&patch, "@@ -%d,4 +%d,5 @@ static int frob_header(struct frob *f, const char *name)\n-\tmemcpy(f->name, name, len);\n+\tif (len >= sizeof(f->name))\n+\t\treturn -EINVAL;\n+\tmemcpy(f->name, name, len);\n \tf->name[len] = '\\0';\n", 100+i*12, 100+i*13)
	}
	part("Content-Type: text/x-diff; charset=utf-8; name=\"0001-frob-bound-the-header-name-length.patch\"\r\nContent-Disposition: attachment; filename=\"0001-frob-bound-the-header-name-length.patch\"", patch.String())
	e.WriteString("--" + boundary + "--\r\n")

	hdr := "From: Demo Project security team <security@demo.example>\r\n" +
		"To: Downstream security team <security@vendor.example>\r\n" +
		"Subject: [SEC-2026-0001] Pre-notification: Heap overflow in frob() header parsing\r\n" +
		"Date: Wed, 25 Nov 2026 10:00:00 +0000\r\n" +
		"Message-ID: <prenotify.SEC-2026-0001.vendor@demo.example>\r\n" +
		"MIME-Version: 1.0\r\n"
	return append([]byte(hdr), e.Bytes()...), e.Bytes()
}

// benchGPG is a throw-away GnuPG home.
type benchGPG struct {
	bin, dir string
}

// newBenchGPG returns nil when gpg is not on the PATH. The agent it starts
// is killed, and the home removed, when the benchmark ends.
func newBenchGPG(b *testing.B) *benchGPG {
	bin, err := exec.LookPath("gpg")
	if err != nil {
		b.Logf("gpg not on PATH (%v): the GnuPG half is skipped", err)
		return nil
	}
	// Short path: gpg-agent's socket path must fit in sun_path.
	dir, err := os.MkdirTemp("", "gpgb")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "gpgconf", "--kill", "all") // gpg-agent (and dirmngr, if any)
		cmd.Env = append(os.Environ(), "GNUPGHOME="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Logf("gpgconf --kill all: %v\n%s", err, out)
		}
		os.RemoveAll(dir)
	})
	return &benchGPG{bin: bin, dir: dir}
}

// run runs gpg in the home, with a timeout, and returns its stdout.
func (g *benchGPG) run(b *testing.B, stdin []byte, args ...string) []byte {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--batch", "--no-tty", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "",
		"--trust-model", "always"}
	cmd := exec.CommandContext(ctx, g.bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "GNUPGHOME="+g.dir)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		b.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, errOut.Bytes())
	}
	return out.Bytes()
}

// importKeys imports keys in one gpg run (secret keys with their secret
// part).
func (g *benchGPG) importKeys(b *testing.B, keys ...*crypto.Key) {
	b.Helper()
	var all bytes.Buffer
	for _, k := range keys {
		armored, err := k.Armor()
		if err != nil {
			b.Fatal(err)
		}
		all.WriteString(armored + "\n")
	}
	g.run(b, all.Bytes(), "--import")
}

// encrypt runs `gpg --encrypt --sign --armor` once, for every recipient
// in fprs, over payload.
func (g *benchGPG) encrypt(b *testing.B, payload []byte, signer string, fprs []string) {
	b.Helper()
	args := []string{"--encrypt", "--sign", "--armor", "-u", signer}
	for _, f := range fprs {
		args = append(args, "-r", f)
	}
	if out := g.run(b, payload, args...); !bytes.HasPrefix(out, []byte("-----BEGIN PGP MESSAGE-----")) {
		b.Fatalf("gpg wrote no armored message: %.100q", out)
	}
}
