package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Decode decodes data into plain values: map[string]any, []any, string,
// bool, nil, and int64 for integral numbers (float64 otherwise). Data after
// the top-level value is an error. A decoding error is encoding/json's,
// unchanged, so that the caller can place it with LineCol.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("unexpected data after the top-level JSON value")
	}
	return convertNumbers(v), nil
}

func convertNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
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
	line, col = 1, 1
	for i, c := range data {
		if int64(i) >= off {
			break
		}
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}
