package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/internal/bom"
	"github.com/nsgsim/nsgsim/topology"
)

// BigInt is a whole number too large for int64 ("99999999999999999999"),
// or too large even for float64 ("1e400"), kept as written so that a
// message can quote the value the user wrote.
type BigInt string

// MarshalJSON writes the integer as the number it was read from.
func (b BigInt) MarshalJSON() ([]byte, error) { return []byte(b), nil }

// Source names a JSON input file for its messages: the file, what it was
// expected to hold ("expected an ARM deployment template"), and how to save
// it as UTF-8 when it is UTF-16 ("e.g. `az ... -o json > x.json` in bash").
type Source struct {
	File     string
	Expected string
	SaveAs   string
	// Shared lets the decoded strings share the memory of the data
	// instead of a copy of it, for an input of hundreds of megabytes: the
	// caller must never change the data afterwards.
	Shared bool
}

// DecodeFile decodes the content of the file src names, as Decode does.
// A problem is a *topology.Error at the offending byte (or at the end of the
// input when it ends too soon) that says what was expected: input in UTF-16
// or with a byte invalid in UTF-8, or input that is not one JSON value.
func DecodeFile(src Source, data []byte) (any, error) {
	v, err, dups := decode(src.File, data, src.Shared)
	if len(dups) > 0 {
		return nil, dups
	}
	if err == nil {
		return v, nil
	}
	switch {
	case err.Msg == topology.ValuesMessage(topology.CurrentBudget().Limits().JSONValues, topology.CurrentBudget()):
		// Past the memory budget: the document may well be what was
		// expected, only too large.
	case err.Msg == utf16Msg && src.SaveAs != "":
		err.Msg += fmt.Sprintf("; save it as UTF-8 (%s)", src.SaveAs)
	case err.Msg == utf16Msg:
		err.Msg += "; save it as UTF-8"
	case strings.HasPrefix(err.Msg, notUTF8Msg):
		err.Msg += "; nsgsim reads UTF-8 JSON (save the file as UTF-8)"
	case src.Expected != "":
		err.Msg += "; " + src.Expected
	}
	return nil, err
}

// Decode decodes data into plain values: map[string]any, []any, string,
// bool, nil, int64 for integral numbers, BigInt for numbers beyond int64
// written as integers and for numbers beyond float64, and float64
// otherwise. A UTF-8 byte-order mark is skipped (PowerShell's
// Out-File -Encoding utf8 writes one). A problem is a *topology.Error
// without a file name, for JSON held in a value, or a topology.ErrorList
// of every key given twice in one object; DecodeFile reads a file.
func Decode(data []byte) (any, error) {
	v, err, dups := decode("", data, false)
	switch {
	case len(dups) > 0:
		return nil, dups
	case err != nil:
		return nil, err
	}
	return v, nil
}

const (
	utf16Msg   = "file is UTF-16"
	notUTF8Msg = "not UTF-8: "
)

// decode decodes data, whose memory the strings may share when shared is
// set; a problem is one error, or every key given twice in one object.
func decode(file string, data []byte, shared bool) (any, *topology.Error, topology.ErrorList) {
	if isUTF16(data) {
		return nil, topology.Errorf(topology.Pos{File: file, Line: 1, Col: 1}, utf16Msg), nil
	}
	data = bom.Trim(data)
	if !utf8.Valid(data) {
		off := invalidUTF8(data)
		return nil, topology.Errorf(topology.PosAt(file, data, int64(off)), notUTF8Msg+"invalid byte 0x%02X", data[off]), nil
	}
	if err := valuesError(file, data); err != nil {
		return nil, err, nil
	}
	if v, ok := fastDecode(data, shared); ok {
		return v, nil, nil
	}
	return slowDecode(file, data)
}

// slowDecode decodes UTF-8 data with encoding/json, for its messages,
// placed, and every key given twice; fastDecode gives the same values
// where it succeeds.
func slowDecode(file string, data []byte) (any, *topology.Error, topology.ErrorList) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, syntaxError(file, data, err), nil
	}
	end := dec.InputOffset()
	if rest := bytes.TrimLeft(data[end:], " \t\r\n"); len(rest) > 0 {
		return nil, topology.Errorf(topology.PosAt(file, data, int64(len(data)-len(rest))), "not JSON: unexpected data after the top-level JSON value"), nil
	}
	if dups := duplicateKeys(file, data[:end]); len(dups) > 0 {
		return nil, nil, dups
	}
	return convertNumbers(v), nil, nil
}

// isUTF16 reports whether data starts with a UTF-16 byte-order mark, or
// with an ASCII character in UTF-16 (a zero byte beside a non-zero one,
// which JSON in UTF-8 never holds).
func isUTF16(data []byte) bool {
	if len(data) < 2 {
		return false
	}
	return bom.IsUTF16(data) || (data[0] == 0) != (data[1] == 0)
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
func syntaxError(file string, data []byte, err error) *topology.Error {
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return topology.Errorf(topology.PosAt(file, data, int64(len(data))), "not JSON: unexpected end of input")
	case errors.As(err, &se):
		off := max(se.Offset-1, 0)
		return topology.Errorf(topology.PosAt(file, data, off), "not JSON: %s", strings.TrimPrefix(se.Error(), "json: "))
	}
	return topology.Errorf(topology.Pos{File: file}, "not JSON: %v", err)
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
