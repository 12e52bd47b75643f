package pgpmime

import (
	"strings"
	"testing"
)

func TestSplitMultipart(t *testing.T) {
	check := func(name, body, boundary string, max int, want []string, wantErr string) {
		t.Helper()
		parts, err := splitMultipart([]byte(body), boundary, max)
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Errorf("%s: error %v, want %q", name, err, wantErr)
			}
			return
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if len(parts) != len(want) {
			t.Errorf("%s: %d parts %q, want %d", name, len(parts), parts, len(want))
			return
		}
		for i := range want {
			if string(parts[i]) != want[i] {
				t.Errorf("%s: part %d = %q, want %q", name, i, parts[i], want[i])
			}
		}
	}
	check("crlf", "preamble\r\n--b\r\nA: 1\r\n\r\nbody\r\n\r\n--b\r\nB: 2\r\n\r\nx\r\n--b--\r\nepilogue", "b", 2,
		[]string{"A: 1\r\n\r\nbody\r\n", "B: 2\r\n\r\nx"}, "")
	check("lf", "--b\nA: 1\n\nbody\n--b\nB\n--b--\n", "b", 2, []string{"A: 1\n\nbody", "B"}, "")
	check("no preamble, no final newline", "--b\r\nx\r\n--b--", "b", 2, []string{"x"}, "")
	check("transport padding", "--b \t\r\nx\r\n--b-- \r\n", "b", 2, []string{"x"}, "")
	check("boundary prefix is not a delimiter", "--b\r\n--bb\r\n--b-x\r\n--b--\r\n", "b", 2, []string{"--bb\r\n--b-x"}, "")
	check("empty part", "--b\r\n--b\r\nx\r\n--b--\r\n", "b", 2, []string{"", "x"}, "")
	check("line break before delimiter is not content", "--b\r\nx\r\n\r\n\r\n--b--", "b", 2, []string{"x\r\n\r\n"}, "")
	check("bare CR kept", "--b\r\nx\r\r\n--b--", "b", 2, []string{"x\r"}, "")
	check("indented delimiter is content", "--b\r\n --b--\r\n--b--", "b", 2, []string{" --b--"}, "")
	check("missing close", "--b\r\nx\r\n--b\r\ny\r\n", "b", 2, nil, "missing close delimiter")
	check("missing boundary", "just text\r\n", "b", 2, nil, "boundary not found")
	check("close only", "--b--\r\n", "b", 2, nil, "no parts")
	check("too many parts", "--b\r\n1\r\n--b\r\n2\r\n--b\r\n3\r\n--b--", "b", 2, nil, "more than 2 parts")
	check("empty boundary", "--\r\nx\r\n----", "", 2, nil, "bad boundary")
	check("empty body", "", "b", 2, nil, "boundary not found")
	check("leading empty line", "\n--b\nx\n--b--", "b", 2, []string{"x"}, "")
	long := strings.Repeat("b", 200)
	check("longest boundary", "--"+long+"\r\nx\r\n--"+long+"--", long, 2, []string{"x"}, "")
	check("boundary too long", "--"+long+"b\r\nx\r\n--"+long+"b--", long+"b", 2, nil, "bad boundary")
}
