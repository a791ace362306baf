package jsonpos

import (
	"errors"
	"reflect"
	"testing"
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
		{in: "{} \n {}", wantErr: "not JSON (line 2, column 2: unexpected data after the top-level JSON value)"},
		{in: "{} \n ", want: map[string]any{}},
		{in: `{"a": }`, wantErr: "not JSON (line 1, column 7: invalid character '}' looking for beginning of value)"},
		{in: "{\n  \"a\": x}", wantErr: "not JSON (line 2, column 8: invalid character 'x' looking for beginning of value)"},
		{in: "{\"a\": [\n", wantErr: "not JSON (line 2, column 1: unexpected end of input)"},
		{in: `{"a": "b`, wantErr: "not JSON (line 1, column 9: unexpected end of input)"},
		{in: ``, wantErr: "not JSON (line 1, column 1: unexpected end of input)"},
		{in: "\xef\xbb\xbf", wantErr: "not JSON (line 1, column 1: unexpected end of input)"},
		{in: "\xef\xbb\xbf{\"a\": x}", wantErr: "not JSON (line 1, column 7: invalid character 'x' looking for beginning of value)"},
		{in: "{\"name\": \"caf\xe9\"}", wantErr: "not UTF-8 (line 1, column 14: invalid byte 0xE9)"},
		{in: "{\n\"caf\xc3\xa9\": \"\xc3\"}", wantErr: "not UTF-8 (line 2, column 11: invalid byte 0xC3)"},
		{in: "\xff\xfe[\x00]\x00", wantErr: "file is UTF-16"},
		{in: "\xfe\xff\x00[\x00]", wantErr: "file is UTF-16"},
		{in: "[\x00]\x00", wantErr: "file is UTF-16"},
	}
	for _, tt := range tests {
		got, err := Decode([]byte(tt.in))
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Decode(%q) error = %v, want %s", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Decode(%q) = %#v, %v, want %#v", tt.in, got, err, tt.want)
		}
	}
}

func TestDecodeErrorTypes(t *testing.T) {
	var se *SyntaxError
	if _, err := Decode([]byte(`[`)); !errors.As(err, &se) {
		t.Errorf("Decode(`[`) error = %T, want *SyntaxError", err)
	}
	var ee *EncodingError
	if _, err := Decode([]byte("\xff\xfe")); !errors.As(err, &ee) || !ee.UTF16 {
		t.Errorf("Decode(UTF-16 BOM) error = %#v, want *EncodingError with UTF16", err)
	}
	if _, err := Decode([]byte("\"\x80\"")); !errors.As(err, &ee) || ee.UTF16 || ee.Line != 1 || ee.Col != 2 {
		t.Errorf("Decode(\"\\x80\") error = %#v, want *EncodingError at 1:2", err)
	}
}

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n")
	tests := []struct {
		off       int64
		line, col int
	}{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {6, 3, 1}, {100, 3, 1}, {-1, 1, 1},
	}
	for _, tt := range tests {
		if line, col := LineCol(data, tt.off); line != tt.line || col != tt.col {
			t.Errorf("LineCol(%q, %d) = %d, %d, want %d, %d", data, tt.off, line, col, tt.line, tt.col)
		}
	}
}
