package store

// IMAPState is the UID bookkeeping of one mailbox.
type IMAPState struct {
	UIDValidity uint32 `json:"uid_validity"`
	LastUID     uint32 `json:"last_uid"`
}

// IMAPState returns the stored state of mailbox, zero when never seen.
func (tx *Tx) IMAPState(mailbox string) IMAPState {
	var st IMAPState
	_ = tx.getJSON(bucketIMAP, []byte(mailbox), &st)
	return st
}

// SetIMAPState records the state of mailbox.
func (tx *Tx) SetIMAPState(mailbox string, st IMAPState) error {
	return tx.putJSON(bucketIMAP, []byte(mailbox), st)
}
