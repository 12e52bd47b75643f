package command

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
)

// parseCredit parses "NAME [<address>] [as KIND]" or "clear".
func parseCredit(c *Command, arg string) error {
	if isClear(arg) {
		c.Clear = true
		return nil
	}
	if first, name, ok := strings.Cut(strings.TrimSpace(arg), " "); ok && (strings.EqualFold(first, CreditConfirmed) || strings.EqualFold(first, CreditDeclined)) {
		return parseCreditOutcome(c, strings.ToLower(first), name)
	}
	rest, kind, err := cutCreditKind(arg)
	if err != nil {
		return err
	}
	name, addr, err := parseNameAddr(rest)
	if err != nil {
		return err
	}
	if name == "" {
		return fmt.Errorf("%w: credit needs a name", ErrMissingArgument)
	}
	c.Credit = &Credit{Name: name, Address: addr, Kind: kind}
	return nil
}

// cutCreditKind cuts a trailing "as KIND" off a credit argument. KIND may be
// written with a hyphen, an underscore or a space: "as remediation
// developer". Without it, the kind is finder.
func cutCreditKind(arg string) (rest, kind string, err error) {
	w := words(arg)
	n := len(w)
	if n >= 3 && strings.EqualFold(w[n-3], "as") {
		if k := normCreditKind(w[n-2] + "-" + w[n-1]); slices.Contains(CreditKinds, k) {
			return cutWords(arg, 3), k, nil
		}
	}
	if n >= 2 && strings.EqualFold(w[n-2], "as") {
		k := normCreditKind(w[n-1])
		if !slices.Contains(CreditKinds, k) {
			return "", "", fmt.Errorf("unknown credit kind %q (want one of %s)", w[n-1], strings.Join(CreditKinds, ", "))
		}
		return cutWords(arg, 2), k, nil
	}
	return arg, "finder", nil
}

func normCreditKind(k string) string {
	return strings.ToLower(strings.ReplaceAll(k, "_", "-"))
}

// cutWords removes the last n whitespace-separated words of s.
func cutWords(s string, n int) string {
	s = strings.Trim(s, " \t")
	for ; n > 0; n-- {
		i := strings.LastIndexAny(s, " \t")
		if i < 0 {
			return ""
		}
		s = strings.Trim(s[:i], " \t")
	}
	return s
}

func parseReporter(c *Command, arg string) error {
	if arg == "" {
		return fmt.Errorf("%w: reporter needs an address", ErrMissingArgument)
	}
	name, addr, err := parseNameAddr(arg)
	if err != nil {
		return err
	}
	if addr == "" {
		// A bare address: "reporter jane@example.org".
		if err := checkAddress(name); err != nil {
			return err
		}
		name, addr = "", name
	}
	c.Name, c.Address = name, addr
	return nil
}

// parseNameAddr splits "Display Name <local@domain>" into its parts. The
// address part is optional. The name is free text (it is not RFC 5322
// syntax: "Doe, Jane" needs no quotes); whoever writes it into a header
// must encode it, with mail.Address for instance.
func parseNameAddr(s string) (name, addr string, err error) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, ">") {
		i := strings.LastIndexByte(s, '<')
		if i < 0 {
			return "", "", errors.New("bad address: unmatched >")
		}
		name, addr = strings.TrimSpace(s[:i]), s[i+1:len(s)-1]
		if err := checkAddress(addr); err != nil {
			return "", "", err
		}
	} else {
		name = s
	}
	if strings.ContainsAny(name, "<>") {
		return "", "", fmt.Errorf("bad name %q: write the address last, in <>", name)
	}
	if len(name) > 200 {
		return "", "", errors.New("bad name: longer than 200 bytes")
	}
	return name, addr, nil
}

// checkAddress accepts a plain addr-spec (RFC 5322 section 3.4.1) that
// net/mail parses back to itself, so that it can be written out unquoted.
func checkAddress(a string) error {
	if a == "" || len(a) > 254 {
		return fmt.Errorf("bad address %q", shorten(a, 80))
	}
	p, err := mail.ParseAddress("<" + a + ">")
	if err != nil || p.Address != a || !strings.Contains(a, "@") || strings.ContainsAny(a, " \t\"()<>,;") {
		return fmt.Errorf("bad address %q", shorten(a, 80))
	}
	return nil
}

// parseCreditOutcome parses the NAME of "credit confirmed NAME" and
// "credit declined NAME".
func parseCreditOutcome(c *Command, outcome, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || strings.ContainsAny(name, "<>") || len(name) > 200 {
		return fmt.Errorf("credit %s: want the credited name, as in \"credit %s Jane Doe\"", outcome, outcome)
	}
	c.Credit = &Credit{Name: name, Outcome: outcome}
	return nil
}
