package bom

import "bytes"

// UTF8 is the UTF-8 encoding of U+FEFF, the mark that Windows tools
// (PowerShell's Out-File, Notepad) write at the start of a file.
const UTF8 = "\xef\xbb\xbf"

// Trim returns data without a leading UTF-8 byte-order mark; data itself
// when it has none.
func Trim(data []byte) []byte { return bytes.TrimPrefix(data, []byte(UTF8)) }

// IsUTF16 reports whether data starts with a UTF-16 byte-order mark,
// little-endian (FF FE) or big-endian (FE FF).
func IsUTF16(data []byte) bool {
	return len(data) >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF)
}
