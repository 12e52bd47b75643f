package website

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBrowserScreenshots renders the index and one advisory in headless
// Chromium (Debian's chromium package) and checks that each made a
// screenshot. The screenshots stay in a temp dir; SECBOT_SCREENSHOTS=DIR
// keeps them there for a person to look at. Without chromium the test
// skips, except under CI=true, where .ci/run installs it.
func TestBrowserScreenshots(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not installed (.ci/run installs it)")
		}
		t.Skip("chromium not installed")
	}
	s := testSite(t)
	if _, err := s.Write([]Page{testPage(t, "SEC-2026-0001", "Heap overflow in frobnicate()", now)}, now); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if d := os.Getenv("SECBOT_SCREENSHOTS"); d != "" {
		out = d
	}
	for name, rel := range map[string]string{"index.png": "index.html", "advisory.png": "SEC-2026-0001/index.html"} {
		shot := filepath.Join(out, name)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
			"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--user-data-dir="+t.TempDir(), "--window-size=1024,900", "--screenshot="+shot,
			"file://"+filepath.Join(s.Dir, rel))
		b, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("chromium %s: %v\n%s", rel, err, b)
		}
		st, err := os.Stat(shot)
		if err != nil || st.Size() < 2000 {
			t.Fatalf("no screenshot of %s (%v)\n%s", rel, err, b)
		}
	}
}
