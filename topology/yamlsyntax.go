package topology

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	yamlLineErr   = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlAnchorErr = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
)

// decodeYAML parses data into a node tree. It returns the root node, or an
// *Error with the position of a syntax error. A YAML stream with a second
// document is an error: a topology is one document.
func decodeYAML(file string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 reports its own errors by panicking and recovering; any
		// other panic is a parser bug, and a bad file must not crash nsgsim.
		if r := recover(); r != nil {
			root, err = nil, &Error{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: fmt.Sprintf("YAML parser failed: %v", r)}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, noTopology(file)
		}
		return nil, yamlError(file, data, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == nil:
		return nil, &Error{Pos: Pos{File: file, Line: next.Line, Col: max(next.Column, 1)}, Msg: "a second YAML document; a topology file holds one document"}
	case err != io.EOF:
		return nil, yamlError(file, data, err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return nil, noTopology(file)
	}
	return doc.Content[0], nil
}

// yamlError turns a yaml.v3 error ("yaml: line 3: could not find expected
// ':'") into an Error at the offending token, which locateSyntax finds in
// the text; where it finds none, at yaml.v3's line, column 1, as yaml.v3
// reports no column.
func yamlError(file string, data []byte, err error) *Error {
	msg := err.Error()
	if strings.HasSuffix(msg, "control characters are not allowed") {
		if i, r := firstControl(data); i >= 0 {
			return &Error{Pos: offsetPos(file, data, i), Msg: fmt.Sprintf("YAML syntax: control character %U is not allowed", r)}
		}
	}
	if m := yamlLineErr.FindStringSubmatch(msg); m != nil {
		if slip, ok := locateSyntax(data, m[2]); ok {
			return &Error{Pos: Pos{File: file, Line: slip.line, Col: slip.col}, Msg: slip.msg}
		}
		line, _ := strconv.Atoi(m[1])
		line = max(line, 1)
		if m[2] == "found character that cannot start any token" {
			if col := leadingTab(data, line); col > 0 {
				return &Error{Pos: Pos{File: file, Line: line, Col: col}, Msg: "YAML syntax: a tab in the indentation; YAML indents with spaces"}
			}
		}
		return &Error{Pos: Pos{File: file, Line: line, Col: 1}, Msg: "YAML syntax: " + m[2]}
	}
	if m := yamlAnchorErr.FindStringSubmatch(msg); m != nil {
		p := Pos{File: file, Line: 1, Col: 1}
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			p = offsetPos(file, data, i)
		}
		return &Error{Pos: p, Msg: fmt.Sprintf("YAML syntax: alias *%s names no anchor &%s defined before it", m[1], m[1])}
	}
	return &Error{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: "YAML syntax: " + strings.TrimPrefix(msg, "yaml: ")}
}

// leadingTab returns the column of a tab in the indentation of line n of
// data, or 0.
func leadingTab(data []byte, n int) int {
	lines := bytes.SplitN(data, []byte("\n"), n+1)
	if n > len(lines) {
		return 0
	}
	for i, c := range lines[n-1] {
		switch c {
		case ' ':
		case '\t':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// noTopology is the problem with a file that holds no YAML node.
func noTopology(file string) *Error {
	return &Error{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: "no topology in file; expected a mapping with keys such as virtualNetworks and networkSecurityGroups"}
}
