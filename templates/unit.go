package templates

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"text/template"
)

//go:embed secbot.service
var unitText string

var unitTmpl = template.Must(template.New("secbot.service").Option("missingkey=error").Parse(unitText))

// UnitFields are what the systemd unit names: the binary, the config,
// the directory that holds the store (the one place secbot may write)
// and the user it runs as.
type UnitFields struct {
	Binary, Config, StoreDir, User string
}

// Unit renders the systemd unit `secbot init` writes. Paths go between
// double quotes, so a character systemd would read as a specifier,
// variable, escape or quote is refused rather than escaped.
func Unit(f UnitFields) ([]byte, error) {
	for _, v := range []string{f.Binary, f.Config, f.StoreDir, f.User} {
		if v == "" || strings.ContainsAny(v, "\"\\%$\n\r\t'") {
			return nil, fmt.Errorf("systemd unit: %q is empty or holds a character systemd would interpret", v)
		}
	}
	var b bytes.Buffer
	if err := unitTmpl.Execute(&b, f); err != nil {
		return nil, fmt.Errorf("systemd unit: %w", err)
	}
	return b.Bytes(), nil
}
