package loopback

import (
	"net"
	"testing"
)

func TestHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "imap.localhost": true, "127.0.0.1": true, "::1": true, "127.3.4.5": true,
		"example.org": false, "10.0.0.1": false, "": false, "localhost.example.org": false,
	} {
		if got := Host(host); got != want {
			t.Errorf("Host(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestPeer(t *testing.T) {
	if !Peer(&net.TCPAddr{IP: net.ParseIP("127.0.0.1")}) || Peer(&net.TCPAddr{IP: net.ParseIP("192.0.2.1")}) || Peer(&net.UnixAddr{}) {
		t.Error("Peer misjudges an address")
	}
}
