package topology

import (
	"math"
	"slices"
)

// Origin records where an object was written: the position of its YAML
// mapping and of the value of each key it had, by the key as SPEC 1 writes
// it ("priority", "peerings[1]"). Objects made by an importer carry only a
// file name, or nothing.
//
// A large topology records millions of positions, a dozen or so per object,
// so they are kept in a slice in the order they were recorded, line and
// column only when they are in the object's own file with no JSON path, or
// nothing but the field's name when it is the member of that name of the
// object's own JSON value (its path is made when asked for), and found by
// scanning; an object with many fields gets an index. As with the
// map it once was, a copy of an Origin shares its positions: record them on
// one copy only.
//
// An Origin also records the fields whose value a loader could not read
// (SetFailed): the loader has reported why, and what the object holds for
// the field is empty, zero or partial, so Validate reports nothing that
// follows only from that. Only objects with such a field pay for the record.
type Origin struct {
	Pos    Pos
	fields []fieldPos
	more   *originMore // positions that are not compact, and the index
}

// fieldPos is the position of one field. A position in the object's file
// (Origin.Pos.File) with no JSON path is line and column; the member of the
// object's own JSON value that has the field's name has line memberLine
// (its path, Origin.Pos.Path + "." + name, is made only when asked for);
// any other has line wideLine, and col is its index in originMore.wide.
type fieldPos struct {
	name      string
	line, col int32
}

const (
	wideLine   = -1
	memberLine = -2
)

// originMore is what few objects need: the positions of fields in another
// file or with a JSON path, the index of an object with many fields, and
// the fields that failed to load.
type originMore struct {
	wide   []Pos
	index  map[string]int // position of a field in Origin.fields
	failed []string       // see SetFailed; a handful at most
}

// maxScannedFields is the most fields an Origin finds by scanning; past it,
// an index finds them, so that a list of thousands of prefixes in one rule
// costs no more per item than a short one.
const maxScannedFields = 32

// At returns the position of field, or of the object when the field's is
// unknown.
func (o Origin) At(field string) Pos {
	if p, ok := o.Field(field); ok {
		return p
	}
	return o.Pos
}

// Field returns the position of field, and whether it is known.
func (o Origin) Field(field string) (Pos, bool) {
	i := o.find(field)
	if i < 0 {
		return Pos{}, false
	}
	f := o.fields[i]
	switch f.line {
	case wideLine:
		return o.more.wide[f.col], true
	case memberLine:
		return Pos{File: o.Pos.File, Path: o.Pos.Path + "." + field}, true
	}
	return Pos{File: o.Pos.File, Line: int(f.line), Col: int(f.col)}, true
}

// find returns the index of field in o.fields, or -1.
func (o Origin) find(field string) int {
	if o.more != nil && o.more.index != nil {
		if i, ok := o.more.index[field]; ok {
			return i
		}
		return -1
	}
	for i := range o.fields {
		if o.fields[i].name == field {
			return i
		}
	}
	return -1
}

// SetField records the position of field, replacing what was recorded. A
// field's position is kept compactly when it is in the file of the object's
// own (o.Pos, which is set first).
func (o *Origin) SetField(field string, p Pos) {
	f := o.slot(field)
	if p.File == o.Pos.File && p.Path == "" && p.Line >= 0 && p.Line <= math.MaxInt32 && p.Col >= 0 && p.Col <= math.MaxInt32 {
		f.line, f.col = int32(p.Line), int32(p.Col)
		return
	}
	if o.more == nil {
		o.more = &originMore{}
	}
	if f.line == wideLine {
		o.more.wide[f.col] = p
		return
	}
	f.line, f.col = wideLine, int32(len(o.more.wide))
	o.more.wide = append(o.more.wide, p)
}

// SetMember records that field was read from the member of the same name
// of the object's JSON value (o.Pos, with its path, is set first): its
// position is that of the object with "." and the name added to the path.
// An importer of a large export calls it for most fields, which then cost
// no path of their own.
func (o *Origin) SetMember(field string) {
	f := o.slot(field)
	f.line, f.col = memberLine, 0
}

// slot is the entry of field in o.fields, added when there is none.
func (o *Origin) slot(field string) *fieldPos {
	i := o.find(field)
	if i < 0 {
		i = len(o.fields)
		o.fields = append(o.fields, fieldPos{name: field})
		if o.more != nil && o.more.index != nil {
			o.more.index[field] = i
		} else if len(o.fields) > maxScannedFields {
			o.indexFields()
		}
	}
	return &o.fields[i]
}

// indexFields indexes o.fields by name.
func (o *Origin) indexFields() {
	if o.more == nil {
		o.more = &originMore{}
	}
	o.more.index = make(map[string]int, 2*len(o.fields))
	for i, f := range o.fields {
		o.more.index[f.name] = i
	}
}

// GrowFields makes room for n more field positions, for an importer that
// knows how many it will record.
func (o *Origin) GrowFields(n int) {
	o.fields = slices.Grow(o.fields, n)
}

// SetFailed records that the value of field could not be read into the
// object: the loader that calls it has reported the problem (a value that
// does not parse, a required key that is missing) and left the field empty
// or zero, or, for a list, left out what did not parse. Validate then
// reports nothing about the field that only its being empty or zero would
// explain ("no source" after an unparsable address, "priority 0 out of
// range" after "priority: high"). field is a key as Field names it:
// "priority", or "customPorts[2]" for one item of a list.
func (o *Origin) SetFailed(field string) {
	if o.Failed(field) {
		return
	}
	if o.more == nil {
		o.more = &originMore{}
	}
	o.more.failed = append(o.more.failed, field)
}

// Failed reports whether SetFailed recorded field.
func (o Origin) Failed(field string) bool {
	return o.more != nil && slices.Contains(o.more.failed, field)
}
