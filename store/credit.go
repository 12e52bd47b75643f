package store

// The consent of a person credited in the advisory. A credit naming a
// reporter's address is pending until a maintainer records the answer;
// a declined credit is kept, so that a later line cannot name the person
// again by mistake, but nothing secbot writes ever shows its name.
const (
	CreditPending   = "pending"
	CreditConfirmed = "confirmed"
	CreditDeclined  = "declined"
)
