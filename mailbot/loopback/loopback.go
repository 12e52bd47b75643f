// Package loopback decides whether a host or a connected peer is this
// machine: the one place where secbot allows IMAP and SMTP without TLS,
// and so a password in the clear.
package loopback

import (
	"net"
	"strings"
)

// Host reports whether host names this machine only: "localhost" (and
// names under .localhost, RFC 6761 section 6.3) or a loopback IP.
func Host(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// Peer reports whether a connection's remote address is a loopback IP:
// the check after dialling, since a name can resolve elsewhere.
func Peer(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
