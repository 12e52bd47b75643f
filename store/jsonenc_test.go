package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// filled returns v with every field set to a non-zero value built from
// s, so that a field the appender forgets shows up as a difference.
func filled(v any, s string, t time.Time) any {
	rv := reflect.New(reflect.TypeOf(v)).Elem()
	fill(rv, s, t)
	return rv.Addr().Interface()
}

func fill(v reflect.Value, s string, t time.Time) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(len(s)) + 3)
	case reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(len(s)) + 7)
	case reflect.Slice:
		sl := reflect.MakeSlice(v.Type(), 2, 2)
		fill(sl.Index(0), s, t)
		fill(sl.Index(1), s+"2", t)
		v.Set(sl)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), s, t)
		v.Set(p)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(t))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), s, t)
		}
	default:
		panic("fill: add a case for " + v.Kind().String())
	}
}

type appender interface{ appendJSON([]byte) []byte }

// checkSame holds an appender to json.Marshal.
func checkSame(t *testing.T, v appender) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.appendJSON(nil); !bytes.Equal(got, want) {
		t.Errorf("appendJSON\n got %s\nwant %s", got, want)
	}
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	times := []time.Time{{}, time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC),
		time.Date(1999, 1, 2, 3, 4, 5, 0, time.FixedZone("x", -5*3600-1800))}
	strs := []string{"", "plain", `q"uote\back`, "<html>&amp;", "tab\tnl\n\x00\x1f\x7f", "ünïcødé ☃", "bad \xff utf8", "\u2028\u2029",
		// Each byte that needs escaping, alone: in a string with a plain
		// byte, any one test of the fast path's condition would do.
		`"`, `\`, "<", ">", "&", "\t\n\x00\x1f", "\xff"}
	for _, tm := range times {
		for _, s := range strs {
			for _, v := range []any{Message{}, AuditEntry{}, Fanout{}, BlobRef{}} {
				checkSame(t, filled(v, s, tm).(appender))
			}
		}
	}
	// Zero values exercise every omitempty and omitzero.
	for _, v := range []appender{&Message{}, &AuditEntry{}, &Fanout{}, &BlobRef{}, &Fanout{AckTo: []string{}}} {
		checkSame(t, v)
	}
}

func TestEncodeJSONUnwritableTimes(t *testing.T) {
	for _, tm := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", -24*3600))} {
		m := &Message{Received: tm}
		if _, err := encodeJSON(m.appendJSON, m, m.Received, m.Date); err == nil {
			t.Errorf("%v encoded without error", tm)
		}
		if _, err := json.Marshal(m); err == nil {
			t.Errorf("%v: json.Marshal has no error either: jsonTimeOK is too strict", tm)
		}
	}
}

// TestJSONTimeOK: jsonTimeOK accepts exactly the times that
// time.Time's MarshalJSON writes, at the edges of the year range and of
// the zone offset.
func TestJSONTimeOKEdges(t *testing.T) {
	zone := func(off int) *time.Location { return time.FixedZone("", off) }
	day := 24 * 3600
	for _, tm := range []time.Time{
		time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, zone(day-1)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, zone(day)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, zone(-day+1)),
		time.Date(2026, 1, 1, 0, 0, 0, 0, zone(-day)),
	} {
		_, err := tm.MarshalJSON()
		if got, want := jsonTimeOK(tm), err == nil; got != want {
			t.Errorf("JSONTimeOK(%v) = %v, but MarshalJSON says %v", tm, got, err)
		}
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("subject", "a@b", int64(1764064800), true)
	f.Add("<script>\"x\"</script>", "\xff\xfe", int64(-62135596800), false)
	f.Add("x", "y", int64(0), true)
	f.Fuzz(func(t *testing.T, s1, s2 string, sec int64, flag bool) {
		// Zone offsets up to a day either way; the seconds pick one.
		tm := time.Unix(sec, int64(len(s1))).In(time.FixedZone("", int(sec%(48*3600))-24*3600))
		if !jsonTimeOK(tm) {
			return
		}
		m := &Message{Key: uint64(len(s2)), Case: s1, MessageID: s2, Received: tm, From: strings.ToUpper(s1),
			Subject: s2 + s1, Status: s1, Reason: s2, Size: sec, Encrypted: flag, Signer: s2,
			RawAt: &BlobRef{Chunk: 1, Off: len(s1), Len: len(s2)}}
		if flag {
			m.Date = tm
		}
		checkSame(t, m)
		checkSame(t, &AuditEntry{Time: tm, Case: s1, Actor: s2, Action: s1, Detail: s2})
		checkSame(t, &Fanout{Case: s1, Msg: 9, New: flag, AckTo: []string{s1, s2}, Problem: s2, References: []string{s2}, Queued: tm})
	})
}
