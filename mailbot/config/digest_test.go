package config

import (
	"strings"
	"testing"
	"time"
)

// TestDigestNext: the digest falls on the configured weekday and hour in
// its zone, strictly after the time asked about, and keeps its local hour
// across a change of daylight saving time.
func TestDigestNext(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	check := func(d Digest, after, want time.Time) {
		t.Helper()
		if got := d.Next(after); !got.Equal(want) {
			t.Errorf("%+v after %s: %s, want %s", d, after, got, want)
		}
		if !want.IsZero() && !d.Scheduled(want) {
			t.Errorf("%+v: %s not scheduled", d, want)
		}
	}
	mon9 := Digest{Day: "monday", Hour: 9}
	check(mon9, utc("2026-03-02 08:59"), utc("2026-03-02 09:00")) // a Monday, before the hour
	check(mon9, utc("2026-03-02 09:00"), utc("2026-03-09 09:00")) // at the hour: the next week
	check(mon9, utc("2026-03-04 12:00"), utc("2026-03-09 09:00"))
	check(Digest{Day: "Sun", Hour: 23}, utc("2026-03-02 09:00"), utc("2026-03-08 23:00"))
	// Berlin moves to summer time on 2026-03-29: 09:00 local is 08:00 UTC
	// before and 07:00 UTC after.
	ber := Digest{Day: "monday", Hour: 9, Zone: "Europe/Berlin"}
	check(ber, utc("2026-03-20 00:00"), time.Date(2026, 3, 23, 9, 0, 0, 0, berlin))
	check(ber, utc("2026-03-24 00:00"), utc("2026-03-30 07:00"))
	check(Digest{}, utc("2026-03-02 09:00"), time.Time{})
	check(Digest{Day: "someday"}, utc("2026-03-02 09:00"), time.Time{})
	if mon9.Scheduled(utc("2026-03-02 10:00")) || mon9.Scheduled(utc("2026-03-03 09:00")) {
		t.Errorf("a time off the schedule counts as scheduled")
	}
}

// TestDigestConfig: the digest is off by default at hour 9 UTC, and a bad
// day, hour or zone is reported.
func TestDigestConfig(t *testing.T) {
	base := "[robot]\naddress = \"s@example.org\"\n"
	cfg, err := Load(write(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Digest.On() || cfg.Digest.Hour != 9 {
		t.Errorf("default digest %+v, want off at hour 9", cfg.Digest)
	}
	cfg, err = Load(write(t, base+"[digest]\nday = \"funday\"\nhour = 24\nzone = \"Mars/Olympus\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	text := cfg.Check(keysOK, time.Now()).Err().Error()
	for _, want := range []string{`digest.day "funday"`, "digest.hour 24", `digest.zone "Mars/Olympus"`} {
		if !strings.Contains(text, want) {
			t.Errorf("problems lack %q:\n%s", want, text)
		}
	}
}
