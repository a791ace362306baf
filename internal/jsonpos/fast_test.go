package jsonpos

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// fastCases are inputs at the edges of JSON's grammar, for the fast
// decoder to agree with encoding/json on.
var fastCases = []string{
	`{"a": [1, 1.5, "x", true, null]}`, `12345678901234567890`, `-12345678901234567890`, `1e20`, `-1.5e400`,
	`1e-400`, `-0`, `0.0`, `1E+2`, `1e2`, `01`, `-`, `1.`, `.5`, `1e`, `+1`, `[1,]`, `{"a":1,}`, `[`, `]`, `{`,
	`{"a" 1}`, `{1: 2}`, `{"a": 1 "b": 2}`, `[1 2]`, `"\u00e9\n\t\"\\\/"`, `"\ud800"`, `"\x"`, "\"a\x01\"",
	`tru`, `nul`, `falsey`, `[true, false, null]`, `{"a": {"k": 1}, "b": {"k": 2}}`, `{"a": 1, "a": 2}`,
	`{"\u0061": 1, "a": 2}`, ` {} `, "{} \n {}", ``, `   `, `""`, `"abc`, `[[[]]]`, `{"":""}`,
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	strings.Repeat(`{"a":`, maxDepth+1) + "1" + strings.Repeat("}", maxDepth+1),
}

// TestFastDecodeAgrees: wherever the fast decoder succeeds, it gives the
// values of encoding/json; wherever encoding/json fails or finds a key
// given twice, the fast decoder gives up, so that the slow path reports.
func TestFastDecodeAgrees(t *testing.T) {
	for _, in := range fastCases {
		checkFastDecode(t, []byte(in))
	}
}

func FuzzFastDecode(f *testing.F) {
	for _, in := range fastCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastDecode(t, data)
	})
}

func checkFastDecode(t *testing.T, data []byte) {
	t.Helper()
	if !utf8.Valid(data) {
		return // decode refuses it before either decoder
	}
	fast, ok := fastDecode(data)
	slow, err, dups := slowDecode("", data)
	switch {
	case err != nil || len(dups) > 0:
		if ok {
			t.Errorf("fastDecode(%.60q) = %#v, but encoding/json: %v%v", data, fast, err, dups)
		}
	case !ok:
		// Allowed only where encoding/json would differ from the
		// grammar (never: every valid document must take the fast path).
		t.Errorf("fastDecode(%.60q) gave up on valid JSON", data)
	case !reflect.DeepEqual(fast, slow):
		t.Errorf("fastDecode(%.60q) = %#v, want %#v", data, fast, slow)
	}
}
