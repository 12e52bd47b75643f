package demo

import (
	"context"
	"io"
	"testing"
)

// TestDemoRuns plays the whole demo: it fails when any claim the demo
// narrates is false.
func TestDemoRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole demo: skipped under -short")
	}
	if err := Run(context.Background(), io.Discard, t.TempDir()); err != nil {
		t.Fatal(err)
	}
}
