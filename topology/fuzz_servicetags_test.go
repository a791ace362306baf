package topology

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// FuzzServiceTags checks that ParseServiceTags never panics, that its
// errors name the file and place a problem inside it, and that what it
// accepts is what nsgsim relies on: sorted names, each found again
// case-insensitively, with masked IPv4 prefixes only.
func FuzzServiceTags(f *testing.F) {
	if data, err := os.ReadFile("testdata/servicetags.json"); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		`{"values": []}`,
		`{"values": [{"name": "GatewayManager", "properties": {"addressPrefixes": ["20.37.158.0/23", "2603:1000::/40"]}}]}`,
		`{"values": [{"name": "A", "properties": {"addressPrefixes": ["10.0.0.5/24"]}}, {"name": "a", "properties": {}}]}`,
		`{"values": [{"name": "", "properties": {"addressPrefixes": []}}]}`,
		`{"values": [{"name": "X", "properties": {"addressPrefixes": ["1.2.3.4/33"]}}]}`,
		`{"values": [{"name": "X", "properties": {"addressPrefixes": [1]}}]}`,
		`{"values": {"name": "X"}}`,
		`{"values": [null, 1, "x"]}`,
		`{"values": [{"name": "X", "properties": {"addressPrefixes": ["::ffff:1.2.3.4/120"]}}]}`,
		`[]`, `null`, `{"values": [`, "\xef\xbb\xbf{}", "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseServiceTags("tags.json", data)
		if err != nil {
			if st != nil {
				t.Fatalf("ParseServiceTags = %v, %v; want nil with an error", st, err)
			}
			var se *Error
			if !errors.As(err, &se) || se.Pos.File != "tags.json" || !strings.HasPrefix(ErrorText(err), "tags.json:") {
				t.Fatalf("error %q is not an *Error naming the file", err)
			}
			if se.Pos.Line > 0 {
				if line, col := LineCol(data, int64(len(data))); se.Pos.Line > line || se.Pos.Line == line && se.Pos.Col > col {
					t.Fatalf("error %q is placed past the end of the input (%d:%d)", err, line, col)
				}
			}
			return
		}
		if st == nil {
			t.Fatal("ParseServiceTags = nil, nil")
		}
		names := st.Names()
		if !slices.IsSorted(names) {
			t.Errorf("Names() = %q, not sorted", names)
		}
		for _, name := range names {
			for _, n := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
				ps, ok := st.Prefixes(n)
				if !ok {
					t.Fatalf("Prefixes(%q) not found; Names() = %q", n, names)
				}
				for _, p := range ps {
					if !p.Addr().Is4() || p != p.Masked() {
						t.Errorf("Prefixes(%q) holds %v; want masked IPv4 prefixes only", n, p)
					}
				}
			}
			if got, ok := CanonicalTag(name, st); !ok || !strings.EqualFold(got, name) {
				t.Errorf("CanonicalTag(%q, file) = %q, %v; want the tag", name, got, ok)
			}
		}
	})
}
