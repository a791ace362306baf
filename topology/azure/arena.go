package azure

import "unsafe"

// arena makes many small strings out of few allocations: each string is
// appended to a large chunk and returned as a view of it. A chunk's bytes
// are never written again once returned, so the strings stay immutable,
// and a chunk lives as long as any string of it. The assembler records a
// JSON path for every field it reads, millions in a large export, which
// would otherwise be as many allocations for the collector to trace.
type arena struct {
	chunk []byte
}

// arenaChunk is the size of a chunk: large against a path (tens of bytes),
// small against the input.
const arenaChunk = 64 << 10

// join returns the concatenation of parts.
func (a *arena) join(parts ...string) string {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	if n == 0 {
		return ""
	}
	if cap(a.chunk)-len(a.chunk) < n {
		a.chunk = make([]byte, 0, max(n, arenaChunk))
	}
	start := len(a.chunk)
	for _, p := range parts {
		a.chunk = append(a.chunk, p...)
	}
	return unsafe.String(&a.chunk[start], n)
}
