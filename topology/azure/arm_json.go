package azure

import (
	"bytes"
	"errors"

	"github.com/nsgsim/nsgsim/internal/bom"
	"github.com/nsgsim/nsgsim/topology"
)

// ARM reads templates and parameters files with two extensions to JSON that
// its template syntax documents
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/syntax#comments-and-metadata,
// https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/syntax#multi-line-strings):
// comments (// to the end of the line, and /* ... */) and strings that span
// lines. relaxJSON rewrites such input into strict JSON of the same length,
// byte for byte: comments become spaces (their line breaks stay), and a line
// break or tab inside a string becomes a space, which is what it means
// inside an expression. changed reports whether any string spanned lines,
// which shifts the line numbers strict JSON would report.
func relaxJSON(data []byte) (out []byte, changed bool) {
	out = data
	copied := false
	set := func(i int, b byte) {
		if !copied {
			out = append([]byte(nil), data...)
			copied = true
		}
		out[i] = b
	}
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			case '\n':
				set(i, ' ')
				changed = true
			case '\r', '\t':
				set(i, ' ')
			}
			continue
		}
		switch {
		case c == '"':
			inString = true
		case c == '/' && i+1 < len(data) && data[i+1] == '/':
			for ; i < len(data) && data[i] != '\n'; i++ {
				set(i, ' ')
			}
		case c == '/' && i+1 < len(data) && data[i+1] == '*':
			set(i, ' ')
			set(i+1, ' ')
			for i += 2; i < len(data); i++ {
				if data[i] == '*' && i+1 < len(data) && data[i+1] == '/' {
					set(i, ' ')
					set(i+1, ' ')
					i++
					break
				}
				if data[i] != '\n' && data[i] != '\r' {
					set(i, ' ')
				}
			}
		}
	}
	return out, changed
}

// decodeARM decodes a template or parameters file, with comments and
// multi-line strings; a syntax error is placed in the file as written.
func decodeARM(file string, data []byte, expected string) (any, error) {
	relaxed, changed := relaxJSON(data)
	v, err := decodeInput(file, relaxed, expected, armSaveAs)
	if err == nil {
		return v, nil
	}
	var te *topology.Error
	if changed && errors.As(err, &te) && te.Pos.Line > 0 {
		// relaxJSON keeps every byte's offset; only line breaks inside
		// strings were removed, so find the offset again and place it in
		// the original.
		off := offsetOf(bom.Trim(relaxed), te.Pos.Line, te.Pos.Col)
		te.Pos.Line, te.Pos.Col = lineCol(bom.Trim(data), off)
	}
	return nil, err
}

// offsetOf is the offset of line and col (counting bytes from 1) in data;
// lineCol its inverse.
func offsetOf(data []byte, line, col int) int {
	off := 0
	for l := 1; l < line && off < len(data); off++ {
		if data[off] == '\n' {
			l++
		}
	}
	return min(off+col-1, len(data))
}

func lineCol(data []byte, off int) (line, col int) {
	head := data[:min(off, len(data))]
	line = bytes.Count(head, []byte("\n")) + 1
	col = len(head) - (bytes.LastIndexByte(head, '\n') + 1) + 1
	return line, col
}
