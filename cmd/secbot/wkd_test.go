package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secbot/secbot/mailbot/config"
	"github.com/secbot/secbot/mailbot/pgpmime"
	"github.com/secbot/secbot/mailbot/wkd"
)

// TestKeyWKD: `secbot key -wkd DIR` writes the robot key, public and
// binary, with the robot address's user id, under the hash of the
// address's local part, and says where it went.
func TestKeyWKD(t *testing.T) {
	dir := t.TempDir()
	armored, err := pgpmime.GenerateKey("Security team", "security@demo.example", "x25519")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "robot.asc"), []byte(armored), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "secbot.toml")
	if err := os.WriteFile(conf, []byte("[robot]\naddress = \"security@demo.example\"\nkey_file = \"robot.asc\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(conf)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	web := filepath.Join(dir, "www")
	if err := writeWKD(&out, cfg, web); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(web, ".well-known", "openpgpkey", "demo.example", "hu", wkd.Hash("security"))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key, err := pgpmime.ReadKey(data)
	if err != nil || key.IsPrivate() || !key.CanEncrypt() {
		t.Fatalf("served key: %v (private %v)", err, err == nil && key.IsPrivate())
	}
	if id := key.GetEntity().PrimaryIdentity(); id == nil || id.UserId.Email != "security@demo.example" {
		t.Errorf("served key's user id: %+v", id)
	}
	if !strings.Contains(out.String(), "WKD hash "+wkd.Hash("security")) || !strings.Contains(out.String(), ".well-known/openpgpkey/hu/") {
		t.Errorf("output:\n%s", out.String())
	}
}
