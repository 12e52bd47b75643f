package command

import "testing"

// TestVulnAllOrNothing: dropping a vulnerability makes its mail
// all-or-nothing; selecting or adding one does not.
func TestVulnAllOrNothing(t *testing.T) {
	for body, want := range map[string]bool{"vuln drop 2": true, "vuln 2": false, "vuln add": false, "title x": false, "publish": true} {
		r := Parse(body)
		if len(r.Commands) != 1 {
			t.Fatalf("%q: %v", body, r.Errors)
		}
		if got := AllOrNothingCommand(r.Commands[0]); got != want {
			t.Errorf("AllOrNothingCommand(%q) = %v, want %v", body, got, want)
		}
	}
}

// TestMeansVuln: a vuln line that failed to parse, or a typo of one, is
// known as such, so that the field lines after it do not run on the
// vulnerability selected before.
func TestMeansVuln(t *testing.T) {
	for raw, want := range map[string]bool{"vuln two": true, "Vuln: 0": true, "vlun 2": true, "title x": false, "value 2": false} {
		if got := MeansVuln(raw); got != want {
			t.Errorf("MeansVuln(%q) = %v, want %v", raw, got, want)
		}
	}
}
