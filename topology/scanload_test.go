package topology

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestASCIIText checks the eight-byte test of scannable against the
// byte-by-byte one: every byte value at every place in a word of text, and
// random words.
func TestASCIIText(t *testing.T) {
	text := func(c byte) bool { return c == '\n' || 0x20 <= c && c <= 0x7E }
	want := func(b []byte) bool {
		for _, c := range b {
			if !text(c) {
				return false
			}
		}
		return true
	}
	check := func(b []byte) {
		t.Helper()
		if got := asciiText(binary.LittleEndian.Uint64(b)); got != want(b) {
			t.Fatalf("asciiText(%q) = %v, want %v", b, got, !got)
		}
	}
	for at := range 8 {
		for c := range 256 {
			b := []byte("name: a\n")
			b[at] = byte(c)
			check(b)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, 8)
		for i := range b {
			switch r.IntN(4) {
			case 0:
				b[i] = byte(r.IntN(256))
			case 1:
				b[i] = []byte{0x1F, 0x20, 0x7E, 0x7F, 0x0A, 0x0B, 0x09, 0x80, 0xFF, 0x0D}[r.IntN(10)]
			default:
				b[i] = byte(0x20 + r.IntN(0x5F))
			}
		}
		check(b)
	}
}
