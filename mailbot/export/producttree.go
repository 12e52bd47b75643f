package export

import (
	"fmt"

	"github.com/secbot/secbot/mailbot/versions"
)

// productTree collects the product versions every vulnerability names,
// once each, with their product ids, in the order first named.
type productTree struct {
	s     Settings
	ids   map[csafVersion]string
	order []csafVersion
}

func newProductTree(s Settings) *productTree {
	return &productTree{s: s, ids: map[csafVersion]string{}}
}

// add returns the product ids of list l's versions, adding new ones.
func (t *productTree) add(l versions.List) []string {
	var ids []string
	for _, cv := range csafVersions(l, t.s.semver()) {
		id, ok := t.ids[cv]
		if !ok {
			id = fmt.Sprintf("CSAFPID-%04d", len(t.order)+1)
			t.ids[cv] = id
			t.order = append(t.order, cv)
		}
		ids = append(ids, id)
	}
	return ids
}

// build is the tree: vendor, product name, then its versions; nil when
// no version was named.
func (t *productTree) build() *csafTree {
	if len(t.order) == 0 {
		return nil
	}
	product := t.s.productName()
	var leaves []csafBranch
	for _, cv := range t.order {
		leaves = append(leaves, csafBranch{Category: cv.Category, Name: cv.Name,
			Product: &csafFullName{Name: product + " " + cv.Name, ProductID: t.ids[cv]}})
	}
	vendor := or(t.s.Vendor, t.s.PublisherName)
	return &csafTree{Branches: []csafBranch{{Category: "vendor", Name: vendor,
		Branches: []csafBranch{{Category: "product_name", Name: product, Branches: leaves}}}}}
}

// fixedVersions are the first fixed version of each branch.
func fixedVersions(v Vuln) versions.List {
	var l versions.List
	for _, b := range v.Branches {
		l = append(l, versions.Range{Exact: b.Fixed})
	}
	return l
}
