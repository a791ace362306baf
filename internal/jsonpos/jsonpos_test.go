package jsonpos

import (
	"encoding/json"
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
		{in: `12345678901234567890`, want: 12345678901234567890.0},
		{in: `{} {}`, wantErr: "unexpected data after the top-level JSON value"},
		{in: `{"a": }`, wantErr: "invalid character '}' looking for beginning of value"},
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

func TestLineCol(t *testing.T) {
	data := []byte("ab\ncd\n")
	tests := []struct {
		off       int64
		line, col int
	}{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {6, 3, 1}, {100, 3, 1},
	}
	for _, tt := range tests {
		if line, col := LineCol(data, tt.off); line != tt.line || col != tt.col {
			t.Errorf("LineCol(%q, %d) = %d, %d, want %d, %d", data, tt.off, line, col, tt.line, tt.col)
		}
	}
}

// TestLineColSyntaxError pins what the offset of a json.SyntaxError counts:
// the bytes read, the offending one included.
func TestLineColSyntaxError(t *testing.T) {
	data := []byte("{\n  \"a\": x}")
	_, err := Decode(data)
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		t.Fatalf("Decode(%q) error = %v, want a *json.SyntaxError", data, err)
	}
	if line, col := LineCol(data, se.Offset-1); line != 2 || col != 8 {
		t.Errorf("LineCol(%q, %d) = %d, %d, want 2, 8 (the x)", data, se.Offset-1, line, col)
	}
}
