package versions

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestParseString: each list parses to the ranges an exporter maps
// without text, writes back as the canonical text, and survives JSON.
func TestParseString(t *testing.T) {
	check := func(in, canon, wantJSON string) {
		t.Helper()
		l, err := Parse(in)
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := l.String(); got != canon {
			t.Errorf("%q: String = %q, want %q", in, got, canon)
		}
		data, _ := json.Marshal(l)
		if string(data) != wantJSON {
			t.Errorf("%q: JSON %s, want %s", in, data, wantJSON)
		}
		var back List
		if err := json.Unmarshal(data, &back); err != nil || !reflect.DeepEqual(back, l) {
			t.Errorf("%q: JSON round trip %+v, %v", in, back, err)
		}
		again, err := Parse(canon)
		if err != nil || !reflect.DeepEqual(again, l) {
			t.Errorf("%q: canonical text parses to %+v, %v", in, again, err)
		}
	}
	check(">=1.0 <1.4.2", ">=1.0 <1.4.2", `[{"introduced":"1.0","fixed":"1.4.2"}]`)
	check("1.0..1.4.1, 2.0.0", ">=1.0 <=1.4.1, 2.0.0", `[{"introduced":"1.0","last_affected":"1.4.1"},{"exact":"2.0.0"}]`)
	check(">0.9", ">0.9", `[{"after":"0.9"}]`)
	check("=1.0-1.4.1", "=1.0-1.4.1", `[{"exact":"1.0-1.4.1"}]`)
}

func TestBounds(t *testing.T) {
	r := Range{After: "1.0", LastAffected: "1.4"}
	lo, okLo := r.Lower()
	hi, okHi := r.Upper()
	if !okLo || lo != (Bound{OpAfter, "1.0"}) || !okHi || hi != (Bound{OpAtMost, "1.4"}) {
		t.Errorf("bounds %v %v %v %v", lo, okLo, hi, okHi)
	}
	if _, ok := (Range{Exact: "1.2"}).Lower(); ok {
		t.Errorf("an exact version has a lower bound")
	}
	if got := (List{{Unparsed: "all of them"}}).String(); got != "all of them" {
		t.Errorf("unparsed text shows as %q", got)
	}
}
