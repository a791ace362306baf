package bom

import (
	"bytes"
	"testing"
)

func TestTrim(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"a: 1", "a: 1"},
		{"\xef\xbb\xbfa: 1", "a: 1"},
		{"\xef\xbb\xbf\xef\xbb\xbf{}", "\xef\xbb\xbf{}"}, // one mark only
		{"\xef\xbb", "\xef\xbb"},                         // half a mark is not one
		{" \xef\xbb\xbf{}", " \xef\xbb\xbf{}"},           // only at the start
	} {
		if got := Trim([]byte(c.in)); !bytes.Equal(got, []byte(c.want)) {
			t.Errorf("Trim(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestIsUTF16(t *testing.T) {
	for in, want := range map[string]bool{
		"":                 false,
		"\xff":             false,
		"\xff\xfea\x00":    true,
		"\xfe\xff\x00a":    true,
		"\xef\xbb\xbf{}":   false,
		"a\x00":            false, // no mark: the JSON decoder's own guess, not this
		"\xfe\xfe\xff\xff": false,
	} {
		if got := IsUTF16([]byte(in)); got != want {
			t.Errorf("IsUTF16(%q) = %v, want %v", in, got, want)
		}
	}
}
