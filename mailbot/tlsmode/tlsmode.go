// Package tlsmode names how secbot protects its IMAP and SMTP
// connections. One type serves the config check, the intake and the
// sender, so that a mode means the same everywhere; where plain TCP is
// allowed at all is the loopback package's rule.
package tlsmode

// Mode is how a connection is protected.
type Mode string

const (
	// Implicit is TLS from the first byte (RFC 8314: IMAP port 993,
	// submissions port 465).
	Implicit Mode = "tls"
	// StartTLS upgrades a plain connection before anything else is said
	// (RFC 9051 section 6.2.1, RFC 3207). The upgrade is mandatory, never
	// opportunistic.
	StartTLS Mode = "starttls"
	// Plain is cleartext: secbot's mail is often embargoed and its
	// credentials would cross in the clear, so it is allowed only to a
	// loopback host (and go-smtp would happily send AUTH PLAIN over it).
	Plain Mode = "plain"
)

// Known reports whether m is one of the modes above.
func (m Mode) Known() bool {
	switch m {
	case Implicit, StartTLS, Plain:
		return true
	}
	return false
}
