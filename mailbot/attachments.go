package mailbot

import (
	"path"
	"strings"
)

// maxPatches bounds the attachments taken from one mail.
const maxPatches = 20

// maxPatchBytes bounds one patch.
const maxPatchBytes = 4 << 20

// inAttachment is a file attached to an incoming maintainer mail.
type inAttachment struct {
	Name string
	Data []byte
}

// patchAttachments returns the attachments of a message that look like
// patches: a .patch or .diff name, or a diff content type.
func patchAttachments(raw []byte) []inAttachment {
	var out []inAttachment
	walkFiles(raw, func(name, mediaType string, body []byte) bool {
		lower := strings.ToLower(name)
		isPatch := strings.HasSuffix(lower, ".patch") || strings.HasSuffix(lower, ".diff") ||
			mediaType == "text/x-diff" || mediaType == "text/x-patch"
		if isPatch && len(body) > 0 && len(body) <= maxPatchBytes {
			if name == "" {
				name = "unnamed.patch"
			}
			out = append(out, inAttachment{Name: path.Base(strings.ReplaceAll(name, "\\", "/")), Data: body})
		}
		return len(out) < maxPatches
	})
	return out
}
