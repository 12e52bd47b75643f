package advisory

import "github.com/secbot/secbot/store"

// buildCredits keeps the credits that may be named, and counts those
// whose person declined: a declined credit's name and address never
// reach the advisory, so no output made from it (draft, announcement,
// CVE request, exports) can show them.
func buildCredits(stored []store.Credit) (Credits, int) {
	var out Credits
	withheld := 0
	for _, cr := range stored {
		if cr.Status == store.CreditDeclined {
			withheld++
			continue
		}
		out = append(out, Credit{Name: cr.Name, Address: cr.Address, Kind: cr.Kind, Status: cr.Status})
	}
	return out, withheld
}

// Pending are the credits still waiting for their person's answer.
func (cs Credits) Pending() Credits {
	var out Credits
	for _, c := range cs {
		if c.Status == store.CreditPending {
			out = append(out, c)
		}
	}
	return out
}
