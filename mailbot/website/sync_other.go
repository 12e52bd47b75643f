//go:build !linux

package website

// canDeferSync: without syncfs(2), each file is synced as it is
// written.
const canDeferSync = false

func syncFS(string) error { return nil }
