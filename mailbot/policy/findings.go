package policy

// Finding is one result of a policy check: a refusal (Warning false), which
// should stop the action, or a warning, which should be reported but lets it
// proceed. Text is a user-facing sentence that names the rule and the source
// it comes from, so a maintainer can judge an override.
type Finding struct {
	Warning bool
	Text    string
}

// Findings is the result of a check, in a stable order: the checks report
// every problem at once rather than the first only, so a maintainer can fix
// them in one reply.
type Findings []Finding

// Errors returns the texts of the refusals.
func (f Findings) Errors() []string { return f.texts(false) }

// Warnings returns the texts of the warnings.
func (f Findings) Warnings() []string { return f.texts(true) }

// Refused reports whether any finding is a refusal.
func (f Findings) Refused() bool {
	for _, x := range f {
		if !x.Warning {
			return true
		}
	}
	return false
}

func (f Findings) texts(warning bool) []string {
	var out []string
	for _, x := range f {
		if x.Warning == warning {
			out = append(out, x.Text)
		}
	}
	return out
}

func (f *Findings) refuse(text string) { *f = append(*f, Finding{Text: text}) }
func (f *Findings) warn(text string)   { *f = append(*f, Finding{Warning: true, Text: text}) }
