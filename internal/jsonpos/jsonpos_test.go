package jsonpos

import (
	"errors"
	"reflect"
	"testing"

	"github.com/nsgsim/nsgsim/topology"
)

func TestDecode(t *testing.T) {
	tests := []struct {
		in      string
		want    any
		wantErr string
	}{
		{in: `{"a": [1, 1.5, "x", true, null]}`, want: map[string]any{"a": []any{int64(1), 1.5, "x", true, nil}}},
		{in: `12345678901234567890`, want: BigInt("12345678901234567890")},
		{in: `-12345678901234567890`, want: BigInt("-12345678901234567890")},
		{in: `1e20`, want: 1e20},
		{in: `-1.5e400`, want: BigInt("-1.5e400")},
		{in: `1e-400`, want: 0.0},
		{in: "\xef\xbb\xbf{\"a\": 1}", want: map[string]any{"a": int64(1)}},
		{in: "{} \n {}", wantErr: "x.json:2:2: not JSON: unexpected data after the top-level JSON value; expected X"},
		{in: "{} \n ", want: map[string]any{}},
		{in: `{"a": }`, wantErr: "x.json:1:7: not JSON: invalid character '}' looking for beginning of value; expected X"},
		{in: "{\n  \"a\": x}", wantErr: "x.json:2:8: not JSON: invalid character 'x' looking for beginning of value; expected X"},
		{in: "{\"a\": [\n", wantErr: "x.json:2:1: not JSON: unexpected end of input; expected X"},
		{in: `{"a": "b`, wantErr: "x.json:1:9: not JSON: unexpected end of input; expected X"},
		{in: ``, wantErr: "x.json:1:1: not JSON: unexpected end of input; expected X"},
		{in: "\xef\xbb\xbf", wantErr: "x.json:1:1: not JSON: unexpected end of input; expected X"},
		{in: "\xef\xbb\xbf{\"a\": x}", wantErr: "x.json:1:7: not JSON: invalid character 'x' looking for beginning of value; expected X"},
		{in: "{\"name\": \"caf\xe9\"}", wantErr: "x.json:1:14: not UTF-8: invalid byte 0xE9; nsgsim reads UTF-8 JSON (save the file as UTF-8)"},
		{in: "{\n\"caf\xc3\xa9\": \"\xc3\"}", wantErr: "x.json:2:11: not UTF-8: invalid byte 0xC3; nsgsim reads UTF-8 JSON (save the file as UTF-8)"},
		{in: "\xff\xfe[\x00]\x00", wantErr: "x.json:1:1: file is UTF-16; save it as UTF-8 (Y)"},
		{in: "\xfe\xff\x00[\x00]", wantErr: "x.json:1:1: file is UTF-16; save it as UTF-8 (Y)"},
		{in: "[\x00]\x00", wantErr: "x.json:1:1: file is UTF-16; save it as UTF-8 (Y)"},
	}
	src := Source{File: "x.json", Expected: "expected X", SaveAs: "Y"}
	for _, tt := range tests {
		got, err := DecodeFile(src, []byte(tt.in))
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("DecodeFile(%q) error = %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("DecodeFile(%q) = %#v, %v, want %#v", tt.in, got, err, tt.want)
		}
	}
}

// TestDecodeErrors checks that every problem is a *topology.Error placed at
// its line and column, with no file for JSON held in a value.
func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		in   string
		want topology.Pos
	}{
		{"[", topology.Pos{Line: 1, Col: 2}},
		{"\xff\xfe", topology.Pos{Line: 1, Col: 1}},
		{"\"\x80\"", topology.Pos{Line: 1, Col: 2}},
	}
	for _, tt := range tests {
		_, err := Decode([]byte(tt.in))
		var e *topology.Error
		if !errors.As(err, &e) || e.Pos != tt.want {
			t.Errorf("Decode(%q) error = %#v, want a *topology.Error at %v", tt.in, err, tt.want)
		}
	}
	if v, err := Decode([]byte(`[]`)); err != nil || !reflect.DeepEqual(v, []any{}) {
		t.Errorf("Decode(`[]`) = %#v, %v, want [] and no error", v, err)
	}
}

// TestDuplicateKeys: a key given twice in one object is refused at the
// second occurrence, citing the first, every one at once; keys are compared
// after their escapes are decoded, and the same key in two objects is fine.
func TestDuplicateKeys(t *testing.T) {
	data := []byte("{\"a\": 1, \"b\": {\"a\": 2, \"\\u0061\": 3},\n \"c\": [{\"x\": 1}, {\"x\": 2}], \"a\": \"s\\\"a\\\"\"}")
	_, err := DecodeFile(Source{File: "f.json"}, data)
	got := topology.ErrorText(err)
	want := `f.json:1:24: key "a" given twice in one JSON object; expected each key once (JSON leaves which value counts undefined) (first at 1:16)
f.json:2:29: key "a" given twice in one JSON object; expected each key once (JSON leaves which value counts undefined) (first at 1:2)`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := Decode([]byte(`{"a": {"k": 1}, "b": {"k": 2}, "s": "\"a\": 1, \"a\": 2"}`)); err != nil {
		t.Fatalf("distinct objects and keys inside strings: %v", err)
	}
}
