package jsonpos

import (
	"encoding/json"
	"strings"
	"testing"
)

// countValues counts the values of valid JSON the obvious way: decoded.
func countValues(v any) int {
	n := 1
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			n += countValues(x)
		}
	case []any:
		for _, x := range v {
			n += countValues(x)
		}
	}
	return n
}

// TestValuesPast checks the count against decoded documents, and that the
// offset it gives is that of the first value past the limit.
func TestValuesPast(t *testing.T) {
	for _, doc := range []string{
		`{}`, `[]`, `"x"`, `0`, `-1.5e+3`, `true`, `null`,
		`{"a": 1, "b": [true, false, null], "c": {"d": "e"}}`,
		`{"key \" with : quote": "value \\", "k2" : "v\"2"}`,
		`[{"name":"a:b","id":"x"}, {"name" :"c"}, [], [[]], "s", 12, {"":""}]`,
		"{\n  \"properties\" : {\"securityRules\": [{\"priority\": 100}]}\n}",
	} {
		var v any
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		want := countValues(v)
		if got := valuesPast(doc, want); got != -1 {
			t.Errorf("valuesPast(%s, %d) = %d, want -1 (it has %d values)", doc, want, got, want)
		}
		if want == 1 {
			continue
		}
		got := valuesPast(doc, want-1)
		if got < 0 {
			t.Errorf("valuesPast(%s, %d) = -1, want the offset of value %d", doc, want-1, want)
			continue
		}
		// The rest of the document from that offset starts one value.
		if !strings.ContainsAny(doc[got:got+1], "{[\"-0123456789tfn") {
			t.Errorf("valuesPast(%s, %d) = %d, which is not the start of a value (%q)", doc, want-1, got, doc[got:])
		}
	}
}

// TestValuesLimitBeforeDecoding checks that a document past the budget's
// values is refused with a position and the budget's message, whatever it
// was expected to be.
func TestValuesLimitBeforeDecoding(t *testing.T) {
	n := 8<<20 + 1
	doc := "[" + strings.Repeat("0,", n-1) + "0]"
	_, err := DecodeFile(Source{File: "in.json", Expected: "expected az output"}, []byte(doc))
	want := "in.json:1:16777216: more than 8388608 JSON values; nsgsim reads JSON inputs of up to 8388608 values (objects, arrays, strings, numbers and literals) with its memory budget of 2 GiB (raise it with --memory-budget)"
	if err == nil || err.Error() != want {
		t.Errorf("DecodeFile(%d values) = %v, want %s", n+1, err, want)
	}
}
