package command

// AllOrNothing reports whether a command of kind k, when present in a mail,
// makes the whole mail all-or-nothing: if any line of the mail has an error
// (from Parse or Validate), no command of the mail runs.
//
// The choice: commands whose effect cannot be quietly taken back or that
// reach people outside the security team are all-or-nothing. They are the
// state changes (accept, reject, duplicate, close, reopen) and the outward
// actions (cve request, reply, tell, share, send, prenotify, publish). A maintainer who
// wrote "publish" beside a mistyped crd meant the corrected crd to be
// published, not the old one.
//
// So is "vuln drop N": it throws away everything known of a vulnerability,
// and the line that failed may have been the one meant to describe it
// elsewhere, or the wrong N may have been typed with the right one on a
// failed line.
//
// Field updates and read-only commands (status, advisory) are not: the
// lines that parsed run and the transcript reports the others. Neither is
// hold, on purpose: a hold must take effect even from a mail with errors,
// because a hold that waits for a corrected mail may come after the
// publication it was meant to stop.
//
// The caller may still choose to run nothing whenever anything fails; this
// only marks the commands where running part of a mail is never right.
func AllOrNothing(k Kind) bool {
	switch k {
	case KindAccept, KindReject, KindDuplicate, KindClose, KindReopen,
		KindCVERequest, KindReply, KindTell, KindShare, KindSend, KindPrenotify, KindPublish:
		return true
	}
	return false
}

// AllOrNothingCommand is AllOrNothing for one command, whose arguments may
// decide: "vuln drop N" is, selecting or adding a vulnerability is not.
func AllOrNothingCommand(c Command) bool {
	if c.Kind == KindVuln {
		return c.VulnOp == VulnDrop
	}
	return AllOrNothing(c.Kind)
}
