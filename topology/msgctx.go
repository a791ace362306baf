package topology

import "strconv"

// msgCtx is how a message names what it is about, its context: `kind
// "name"` for an object with a name, or else its place, "list[i]" after
// the context of what holds it (outer); key, when set, follows as ": key".
// Its text is made only when a message is: a large topology decodes and
// checks hundreds of thousands of objects that have nothing to report.
type msgCtx struct {
	outer      string // what holds the object; the whole context when list and name are empty
	list       string // the list the object is item index of
	index      int
	kind, name string // the object's kind and name, when it has a name
	key        string // a key of the object
}

// textCtx is a context already written out.
func textCtx(s string) msgCtx { return msgCtx{outer: s} }

// itemCtx is item i of list, in what outer names ("" at the top level).
func itemCtx(outer, list string, i int) msgCtx { return msgCtx{outer: outer, list: list, index: i} }

// named is c for an object that has a name: `kind "name"`, which stands
// alone; c itself when name is empty.
func (c msgCtx) named(kind, name string) msgCtx {
	if name == "" {
		return c
	}
	return msgCtx{kind: kind, name: name}
}

// with is the context of key of c's object: c followed by ": key".
func (c msgCtx) with(key string) msgCtx {
	if c.key == "" {
		c.key = key
		return c
	}
	return textCtx(c.String() + ": " + key)
}

// String writes the context out.
func (c msgCtx) String() string {
	var s string
	switch {
	case c.name != "":
		s = c.kind + " " + strconv.Quote(c.name)
	case c.list != "":
		s = join(c.outer, indexedKey(c.list, c.index))
	default:
		s = c.outer
	}
	if c.key != "" {
		s = join(s, c.key)
	}
	return s
}

// join makes the context of a key: "rule \"x\": priority".
func join(ctx, key string) string {
	if ctx == "" {
		return key
	}
	return ctx + ": " + key
}
