package command

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// semantic returns c without the fields that record where and how it was
// written, and with the crd as an instant plus zone name, for comparison.
func semantic(c Command) (Command, string) {
	crd := ""
	if !c.CRD.IsZero() {
		crd = c.CRD.UTC().Format(time.RFC3339) + " " + c.CRD.Location().String()
	}
	c.Line, c.Raw, c.CRD = 0, "", time.Time{}
	return c, crd
}

// FuzzParse checks that Parse never panics, that its result is consistent,
// and that every command it returns survives a round trip through String.
func FuzzParse(f *testing.F) {
	f.Add("title x\naffected <1.0\n")
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		r := Parse(body)
		switch r.Stop {
		case StopThanks, StopText, StopQuote, StopSignature, StopBlank, StopEnd, StopLimit:
		default:
			t.Fatalf("bad stop %q", r.Stop)
		}
		if len(r.Commands) > MaxLines {
			t.Fatalf("%d commands", len(r.Commands))
		}
		for i := 1; i < len(r.Commands); i++ {
			if r.Commands[i].Line <= r.Commands[i-1].Line {
				t.Fatalf("commands out of order: %d after %d", r.Commands[i].Line, r.Commands[i-1].Line)
			}
		}
		for i := 1; i < len(r.Errors); i++ {
			if r.Errors[i].Line <= r.Errors[i-1].Line {
				t.Fatalf("errors out of order")
			}
		}
		var block []string
		for _, c := range r.Commands {
			block = append(block, c.String())
		}
		// The block written out again parses to the same commands.
		if r2 := Parse(strings.Join(block, "\n")); len(r2.Errors) > 0 || len(r2.Commands) != len(block) {
			t.Fatalf("block round trip of %q: %d commands, errors %v", block, len(r2.Commands), r2.Errors)
		} else {
			for i, c := range r2.Commands {
				if s := c.String(); s != block[i] {
					t.Fatalf("block round trip: command %d is %q, want %q", i, s, block[i])
				}
			}
		}
		for _, c := range r.Commands {
			_ = Validate(c, now)
			_ = AllOrNothing(c.Kind)
			s := c.String()
			r2 := Parse(s)
			if len(r2.Errors) > 0 || len(r2.Commands) != 1 {
				t.Fatalf("round trip of %q (from line %d %q): %d commands, errors %v",
					s, c.Line, c.Raw, len(r2.Commands), r2.Errors)
			}
			want, wantCRD := semantic(c)
			got, gotCRD := semantic(r2.Commands[0])
			if !reflect.DeepEqual(got, want) || gotCRD != wantCRD {
				t.Fatalf("round trip of %q:\n got %+v %s\nwant %+v %s", s, got, gotCRD, want, wantCRD)
			}
			if s2 := r2.Commands[0].String(); s2 != s {
				t.Fatalf("String not stable: %q, then %q", s, s2)
			}
		}
	})
}
