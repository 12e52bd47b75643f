package policy

import (
	"testing"
	"time"
)

func TestDefaultLimits(t *testing.T) {
	d := DefaultLimits()
	want := map[string]Limits{"distros": {14, 7}, "vendor": {60, 30}, "individual": {60, 30}}
	if len(d) != len(want) {
		t.Fatalf("DefaultLimits() = %v", d)
	}
	for k, l := range want {
		if d[k] != l {
			t.Errorf("DefaultLimits()[%q] = %v, want %v", k, d[k], l)
		}
	}
	for _, k := range Kinds {
		if _, ok := d[k]; !ok {
			t.Errorf("kind %q has no default limits", k)
		}
	}
	d[KindDistros] = Limits{1, 1}
	if DefaultLimits()[KindDistros].MaxDays != 14 {
		t.Error("DefaultLimits shares its map between calls")
	}
}

func TestFormatLength(t *testing.T) {
	check := func(d time.Duration, want string) {
		t.Helper()
		if got := formatLength(d); got != want {
			t.Errorf("formatLength(%v) = %q, want %q", d, got, want)
		}
	}
	check(0, "0 minutes")
	check(-time.Hour, "0 minutes")
	check(time.Second, "1 minute")
	check(14*day, "14 days")
	check(14*day+time.Minute, "14 days and 1 minute")
	check(14*day+time.Second, "14 days and 1 minute")
	check(day+2*time.Hour+3*time.Minute, "1 day, 2 hours and 3 minutes")
	check(5*time.Hour, "5 hours")
}
