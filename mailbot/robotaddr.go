package mailbot

import "strings"

// isRobotAddress reports whether addr is the robot itself: its address, or
// any plus address of it (security+SEC-2026-0001@…, security+anything@…),
// in any letter case. Mail to one lands in the robot's own inbox, and mail
// from one is the robot's own coming back.
func (b *Bot) isRobotAddress(addr string) bool {
	local, domain, ok := strings.Cut(b.cfg.Robot.Address, "@")
	at := strings.LastIndexByte(addr, '@')
	if !ok || at < 0 || !strings.EqualFold(addr[at+1:], domain) {
		return false
	}
	l := addr[:at]
	if strings.EqualFold(l, local) {
		return true
	}
	return len(l) > len(local) && l[len(local)] == '+' && strings.EqualFold(l[:len(local)], local)
}

// withoutRobot returns to without the robot's own addresses: whatever path
// a mail takes to the queue, it never goes to the robot.
func (b *Bot) withoutRobot(to []string) []string {
	out := to[:0:0]
	for _, addr := range to {
		if !b.isRobotAddress(addr) {
			out = append(out, addr)
		}
	}
	return out
}
