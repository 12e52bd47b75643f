package cvss

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	check := func(in, want, version string, score float64, band string) {
		t.Helper()
		v, err := Parse(in)
		if err != nil {
			t.Errorf("Parse(%q): %v", in, err)
			return
		}
		if v.String != want || v.Version != version || v.Score != score || v.Band() != band {
			t.Errorf("Parse(%q) = %q %s %.1f %s, want %q %s %.1f %s", in, v.String, v.Version, v.Score, v.Band(), want, version, score, band)
		}
	}
	// Scores from FIRST's calculators.
	check("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 9.8, "critical")
	check("cvss:3.1/av:n/ac:l/pr:n/ui:r/s:c/c:l/i:l/a:n", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "3.1", 6.1, "medium")
	check("CVSS:3.1/S:U/AV:L/AC:H/PR:L/UI:N/C:N/I:N/A:N", "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:N/I:N/A:N", "3.1", 0, "none")
	check("CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", "3.0", 5.9, "medium")
	check("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 9.3, "critical")
	check("CVSS:4.0/VC:L/AV:L/AC:L/AT:N/PR:L/UI:N/VI:N/VA:N/SC:N/SI:N/SA:N/u:amber", "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N/U:Amber", "4.0", 4.8, "medium")

	bad := []string{"", "CVSS:2.0/AV:N", "CVSS:3.1", "CVSS:3.1/", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
		"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.1/XX:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:4.0/AV:N/AC:L", "CVSS:3.1/AV"}
	for _, in := range bad {
		if v, err := Parse(in); !errors.Is(err, ErrVector) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrVector", in, v, err)
		}
	}
}

func TestBand(t *testing.T) {
	for score, want := range map[float64]string{0: "none", 0.1: "low", 3.9: "low", 4: "medium", 6.9: "medium", 7: "high", 8.9: "high", 9: "critical", 10: "critical"} {
		if got := Band(score); got != want {
			t.Errorf("Band(%.1f) = %s, want %s", score, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
	f.Add("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/U:Red")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		// The canonical form parses to itself.
		again, err := Parse(v.String)
		if err != nil || again != v {
			t.Fatalf("Parse(%q) = %+v, then %+v, %v", s, v, again, err)
		}
	})
}
