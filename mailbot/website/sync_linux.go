package website

import (
	"os"

	"golang.org/x/sys/unix"
)

// canDeferSync: Linux syncs a whole file system in one call.
const canDeferSync = true

// syncFS writes out every dirty page and inode of the file system that
// holds dir: the files and the renames of a batch, in one call.
func syncFS(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Syncfs(int(f.Fd()))
}
