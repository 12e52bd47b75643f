package mailbot

import (
	"github.com/secbot/secbot/mailbot/metrics"
	"github.com/secbot/secbot/store"
)

// unsignedKind names, for the metrics, why a command mail without a
// maintainer's verified signature was refused (unsignedReason says it in
// words): not signed at all or unreadable, or signed by a key that may
// not command.
func unsignedKind(p *prepared) string {
	if p.status == store.MsgUndecryptable || p.opened == nil || !p.opened.Signed {
		return metrics.RefusedUnsigned
	}
	return metrics.RefusedUnknownKey
}

// replayKind names, for the metrics, a refusal of replayRefusal: a
// replay, or a signature too old (or without a time).
func replayKind(refusal string) string {
	if refusal == replayedText {
		return metrics.RefusedReplay
	}
	return metrics.RefusedTooOld
}
