package topology

import (
	"bytes"
	"errors"
	"strings"

	"go.yaml.in/yaml/v3"
)

// errNotPlain stops yamlWriter at a shape it does not write (an empty
// mapping or list), for Marshal to hand the whole document to yaml.v3.
var errNotPlain = errors.New("a shape for yaml.v3 to write")

// yamlWriter writes the YAML of marshalTopology as it goes, one top-level
// item at a time, byte for byte as yaml.v3 writes the whole tree with an
// indent of 2 and no line width (yaml.v3's default), and as spaceSections
// spaces it: a topology of 400,000 rules never exists as a node tree.
// A scalar of plain ASCII is written directly; any other is rendered by
// yaml.v3 alone, which writes a scalar the same wherever it stands when
// lines are not folded.
type yamlWriter struct {
	buf     bytes.Buffer
	section string    // the top-level list being written
	arena   nodeArena // reset once each item is written
}

func (w *yamlWriter) nodes() *nodeArena { return &w.arena }

func (w *yamlWriter) str(key, value string) {
	if value == "" {
		return
	}
	w.buf.WriteString(key)
	w.buf.WriteString(": ")
	n := ystr(value)
	w.scalar(&n)
	w.buf.WriteByte('\n')
}

func (w *yamlWriter) item(section string, m ymap) error {
	if section != w.section {
		if w.buf.Len() > 0 {
			w.buf.WriteByte('\n') // spaceSections
		}
		w.buf.WriteString(section)
		w.buf.WriteString(":\n")
		w.section = section
	}
	err := w.seqItem(m.n, 2)
	w.arena.reset()
	return err
}

// bytes is the document; an empty one is left to yaml.v3 ("{}").
func (w *yamlWriter) bytes() ([]byte, error) {
	if w.buf.Len() == 0 {
		return nil, errNotPlain
	}
	return w.buf.Bytes(), nil
}

// seqItem writes a mapping as an item of a block sequence whose dashes
// stand at column indent.
func (w *yamlWriter) seqItem(m *yaml.Node, indent int) error {
	if m.Kind != yaml.MappingNode || len(m.Content) == 0 {
		return errNotPlain
	}
	w.spaces(indent)
	w.buf.WriteString("- ")
	for i := 0; i < len(m.Content); i += 2 {
		if i > 0 {
			w.spaces(indent + 2)
		}
		if err := w.entry(m.Content[i], m.Content[i+1], indent+2); err != nil {
			return err
		}
	}
	return nil
}

// entry writes one key and its value, the key at column indent.
func (w *yamlWriter) entry(k, v *yaml.Node, indent int) error {
	w.scalar(k)
	switch {
	case v.Kind == yaml.ScalarNode:
		w.buf.WriteString(": ")
		w.scalar(v)
		w.buf.WriteByte('\n')
	case v.Kind == yaml.SequenceNode && len(v.Content) > 0 && v.Style == yaml.FlowStyle:
		w.buf.WriteString(": [")
		for i, c := range v.Content {
			if c.Kind != yaml.ScalarNode {
				return errNotPlain
			}
			if i > 0 {
				w.buf.WriteString(", ")
			}
			w.scalar(c)
		}
		w.buf.WriteString("]\n")
	case v.Kind == yaml.SequenceNode && len(v.Content) > 0 && v.Style == 0:
		w.buf.WriteString(":\n")
		for _, c := range v.Content {
			if err := w.seqItem(c, indent+2); err != nil {
				return err
			}
		}
	default:
		return errNotPlain
	}
	return nil
}

// scalar writes a scalar node of ystr, yport, yint or a flag: plain ASCII
// as it is, double-quoted ASCII that needs no escape between quotes, and
// anything else as yaml.v3 renders it.
func (w *yamlWriter) scalar(n *yaml.Node) {
	switch {
	case n.Style == 0 && plainASCII(n.Value):
		w.buf.WriteString(n.Value)
	case n.Style == yaml.DoubleQuotedStyle && quotableASCII(n.Value):
		w.buf.WriteByte('"')
		w.buf.WriteString(n.Value)
		w.buf.WriteByte('"')
	default:
		w.buf.WriteString(renderScalar(n))
	}
}

// renderScalar is a scalar as yaml.v3 writes it, without the line break
// that ends the document.
func renderScalar(n *yaml.Node) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(n); err != nil {
		return n.Value // never: a scalar node always encodes
	}
	_ = enc.Close()
	return strings.TrimSuffix(buf.String(), "\n")
}

// plainASCII reports whether s, already chosen to be plain (ystr,
// plainSafe; an integer; a flag), is printable ASCII, which yaml.v3
// writes plain as it is.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return s != ""
}

// quotableASCII reports whether s is printable ASCII without '"' and '\',
// which yaml.v3 writes between double quotes as it is.
func quotableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func (w *yamlWriter) spaces(n int) {
	for range n {
		w.buf.WriteByte(' ')
	}
}
