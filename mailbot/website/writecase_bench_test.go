package website

import (
	"fmt"
	"testing"
)

// BenchmarkWriteCase writes the pages of new cases (the text, three
// exports, the HTML page): one at a time, each file synced before its
// rename, and in batches of 50 made durable by one sync of the file
// system, as the site writer does. ns/op is per case.
func BenchmarkWriteCase(b *testing.B) {
	s := testSite(&testing.T{})
	page := testPage(&testing.T{}, "SEC-2026-0001", "Heap overflow", now)
	page.Patches = nil
	for _, batch := range []int{1, 50} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			s.Dir = b.TempDir()
			n := 0
			for n < b.N {
				var pages []Page
				for range min(batch, b.N-n) {
					p := page
					p.Case.Case = fmt.Sprintf("SEC-2026-%05d", n)
					pages = append(pages, p)
					n++
				}
				if batch == 1 {
					if _, err := s.WriteCase(pages[0]); err != nil {
						b.Fatal(err)
					}
					continue
				}
				if _, failed, err := s.WriteCases(pages); err != nil || len(failed) > 0 {
					b.Fatal(err, failed)
				}
			}
		})
	}
}
