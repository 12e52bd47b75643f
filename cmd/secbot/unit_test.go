package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// unitThreshold is the highest `systemd-analyze security` exposure the
// unit may score, in its tenths: 25 is 2.5.
const unitThreshold = "25"

// TestInitUnitPassesSystemd: the unit `secbot init` writes passes
// `systemd-analyze verify` and scores 2.5 or less on `systemd-analyze
// security --offline=yes`. Without systemd-analyze it skips, except
// under CI=true, where .ci/run installs it.
func TestInitUnitPassesSystemd(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("systemd-analyze missing under CI=true: .ci/run installs Debian's systemd package")
		}
		t.Skip("systemd-analyze not installed (Debian package systemd): the unit is not checked")
	}
	dir := t.TempDir()
	if err := cmdInit(context.Background(), []string{"-dir", dir}); err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(dir, "secbot.service")
	text, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ProtectSystem=strict", `ReadWritePaths="` + dir + `"`, "NoNewPrivileges=yes",
		"PrivateTmp=yes", "PrivateDevices=yes", "CapabilityBoundingSet=\n", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
		"SystemCallFilter=@system-service", "UMask=0077", "ExecReload=/bin/kill -HUP $MAINPID",
		`run -c "` + filepath.Join(dir, "secbot.toml") + `"`} {
		if !strings.Contains(string(text), want) {
			t.Errorf("unit lacks %q", want)
		}
	}
	for _, args := range [][]string{
		{"verify", unit},
		{"security", "--offline=yes", "--threshold=" + unitThreshold, unit},
	} {
		out, err := exec.Command(analyze, args...).CombinedOutput()
		if err != nil {
			t.Errorf("systemd-analyze %s: %v\n%s", strings.Join(args, " "), err, out)
		} else if args[0] == "security" {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			t.Log(lines[len(lines)-1])
		}
	}
}

// TestInitRefusesOverwrite: init writes nothing when one of its files
// exists, the unit included.
func TestInitRefusesOverwrite(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secbot.service"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cmdInit(context.Background(), []string{"-dir", dir}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("init over an existing unit: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "robot.key.asc")); !os.IsNotExist(err) {
		t.Errorf("init wrote the key beside an existing unit: %v", err)
	}
}
