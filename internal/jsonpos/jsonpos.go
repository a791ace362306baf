package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// BigInt is a whole number too large for int64 ("99999999999999999999"),
// or too large even for float64 ("1e400"), kept as written so that a
// message can quote the value the user wrote.
type BigInt string

// MarshalJSON writes the integer as the number it was read from.
func (b BigInt) MarshalJSON() ([]byte, error) { return []byte(b), nil }

// A SyntaxError is input that is not JSON, placed at the offending byte (or
// at the end of the input when it ends too soon).
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("not JSON (line %d, column %d: %s)", e.Line, e.Col, e.Msg)
}

// An EncodingError is input that is not UTF-8: UTF-16 (told by its
// byte-order mark, or by the zero bytes of ASCII text in UTF-16), or a byte
// that is invalid in UTF-8, at Line and Col.
type EncodingError struct {
	UTF16     bool
	Line, Col int
	Byte      byte
}

func (e *EncodingError) Error() string {
	if e.UTF16 {
		return "file is UTF-16"
	}
	return fmt.Sprintf("not UTF-8 (line %d, column %d: invalid byte 0x%02X)", e.Line, e.Col, e.Byte)
}

// Decode decodes data into plain values: map[string]any, []any, string,
// bool, nil, int64 for integral numbers, BigInt for numbers beyond int64
// written as integers and for numbers beyond float64, and float64
// otherwise. A UTF-8 byte-order mark is skipped (PowerShell's
// Out-File -Encoding utf8 writes one). Input that is not UTF-8 is an
// *EncodingError; input that is not one JSON value, a *SyntaxError.
func Decode(data []byte) (any, error) {
	if isUTF16(data) {
		return nil, &EncodingError{UTF16: true}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		line, col := LineCol(data, int64(off))
		return nil, &EncodingError{Line: line, Col: col, Byte: data[off]}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, syntaxError(data, err)
	}
	end := dec.InputOffset()
	if rest := bytes.TrimLeft(data[end:], " \t\r\n"); len(rest) > 0 {
		line, col := LineCol(data, int64(len(data)-len(rest)))
		return nil, &SyntaxError{Line: line, Col: col, Msg: "unexpected data after the top-level JSON value"}
	}
	return convertNumbers(v), nil
}

// isUTF16 reports whether data starts with a UTF-16 byte-order mark, or
// with an ASCII character in UTF-16 (a zero byte beside a non-zero one,
// which JSON in UTF-8 never holds).
func isUTF16(data []byte) bool {
	if len(data) < 2 {
		return false
	}
	a, b := data[0], data[1]
	return a == 0xFF && b == 0xFE || a == 0xFE && b == 0xFF || (a == 0) != (b == 0)
}

// invalidUTF8 returns the offset of the first byte of data that is not
// valid UTF-8.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(data)
}

// syntaxError places a decoding error of encoding/json. The offset of a
// json.SyntaxError counts the bytes read, the offending one included; an
// input that ends too soon is placed at its end.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		line, col := LineCol(data, int64(len(data)))
		return &SyntaxError{Line: line, Col: col, Msg: "unexpected end of input"}
	case errors.As(err, &se):
		off := se.Offset - 1
		if off < 0 {
			off = 0
		}
		line, col := LineCol(data, off)
		return &SyntaxError{Line: line, Col: col, Msg: strings.TrimPrefix(se.Error(), "json: ")}
	}
	return err
}

func convertNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		if !strings.ContainsAny(string(v), ".eE") {
			return BigInt(v)
		}
		f, err := v.Float64()
		if err != nil { // beyond float64 (a number too small rounds to 0 without one)
			return BigInt(v)
		}
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = convertNumbers(x)
		}
	case []any:
		for i, x := range v {
			v[i] = convertNumbers(x)
		}
	}
	return v
}

// LineCol returns the 1-based line and column of the byte at offset off of
// data: where the reader stands after the first off bytes. Columns count
// bytes. An offset past the end stands at the end.
func LineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	head := data[:off]
	line = bytes.Count(head, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(head, '\n') + 1) + 1
	return line, col
}
