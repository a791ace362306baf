package topology

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/nsgsim/nsgsim/internal/bom"
)

// ReadFile reads an input file whole, refusing a directory and a file over
// the memory budget's size for what it holds before reading it: a JSON
// input (one whose first character, after a byte-order mark and white
// space, opens an object or array) up to Limits.FileSize, a YAML topology
// up to Limits.TopologySize. The importers' inputs are read with it too.
func ReadFile(path string) ([]byte, error) {
	b := CurrentBudget()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading topology: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading topology: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("reading topology: %s is a directory; expected a topology file", path)
	}
	what, max := inputLimit(b, f, fi)
	if fi.Mode().IsRegular() && fi.Size() > max {
		return nil, sizeError(path, fmt.Sprint(fi.Size()), what, max, b)
	}
	data, n, err := readAtMost(f, fi, max+1)
	if err != nil {
		return nil, fmt.Errorf("reading topology: %w", err)
	}
	if n > max {
		return nil, sizeError(path, fmt.Sprintf("more than %d", max), what, max, b)
	}
	return data, nil
}

const (
	yamlInputs = "YAML topologies"
	jsonInputs = "JSON inputs"
)

// inputLimit is what a file holds, as its size limit names it, and that
// limit: a regular file whose first character (after a byte-order mark and
// white space, within its first 4 KiB) opens a JSON object or array is a
// JSON input, anything else a YAML topology. A stream (a pipe, a device)
// cannot be looked at before it is read: it gets the larger limit, named
// for any input, and a YAML topology read from it is held to its own by
// the loader.
func inputLimit(b Budget, f *os.File, fi os.FileInfo) (string, int64) {
	lim := b.Limits()
	if !fi.Mode().IsRegular() {
		return "inputs", lim.FileSize
	}
	head := make([]byte, 4096)
	n, _ := f.ReadAt(head, 0)
	head = bytes.TrimLeft(bom.Trim(head[:n]), " \t\r\n")
	if len(head) > 0 && (head[0] == '{' || head[0] == '[') {
		return jsonInputs, lim.FileSize
	}
	return yamlInputs, lim.TopologySize
}

// readAtMost reads up to limit bytes of f and returns them and how many
// there were; when they reach limit, only how many. A regular file is read
// into one buffer of its size; anything else (a pipe, a device) in chunks,
// so that an endless input costs limit bytes, not the twice as many of a
// buffer that doubles.
func readAtMost(f *os.File, fi os.FileInfo, limit int64) ([]byte, int64, error) {
	r := io.LimitReader(f, limit)
	if fi.Mode().IsRegular() {
		var buf bytes.Buffer
		buf.Grow(int(min(fi.Size(), limit)) + bytes.MinRead)
		_, err := buf.ReadFrom(r)
		return buf.Bytes(), int64(buf.Len()), err
	}
	var chunks [][]byte
	total := 0
	for {
		chunk := make([]byte, 4<<20)
		n, err := io.ReadFull(r, chunk)
		chunks = append(chunks, chunk[:n])
		total += n
		switch {
		case int64(total) >= limit:
			return nil, int64(total), nil
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return bytes.Join(chunks, nil), int64(total), nil
		case err != nil:
			return nil, 0, err
		}
	}
}

func sizeError(file, size, what string, limit int64, b Budget) error {
	var l ErrorList
	l.Add(Pos{File: file, Line: 1, Col: 1}, "%s", sizeMessage(size, what, limit, b))
	return l.Err()
}

// checkEncoding reports where data stops being UTF-8. YAML also allows
// UTF-16, but nsgsim reads UTF-8 only, as the az CLI and Terraform write it.
func checkEncoding(data []byte) (Pos, string) {
	if bom.IsUTF16(data) {
		return Pos{Line: 1, Col: 1}, "file is UTF-16; nsgsim reads UTF-8 YAML (save the file as UTF-8)"
	}
	if utf8.Valid(data) {
		return Pos{}, ""
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return Pos{Line: line, Col: col}, fmt.Sprintf("invalid UTF-8 (byte 0x%02X); nsgsim reads UTF-8 YAML", data[i])
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return Pos{Line: 1, Col: 1}, "invalid UTF-8; nsgsim reads UTF-8 YAML"
}

// firstControl returns the offset of the first character YAML does not
// allow in a stream (YAML 1.2, section 5.1, c-printable), and the
// character; -1 when there is none. data is valid UTF-8.
func firstControl(data []byte) (int, rune) {
	for i, r := range string(data) {
		switch {
		case r == '\t', r == '\n', r == '\r', 0x20 <= r && r <= 0x7E, r == 0x85,
			0xA0 <= r && r <= 0xD7FF, 0xE000 <= r && r <= 0xFFFD, 0x10000 <= r && r <= 0x10FFFF:
		default:
			return i, r
		}
	}
	return -1, 0
}

// offsetPos converts a byte offset into a line and a column counted in
// characters, as yaml.v3 counts them.
func offsetPos(file string, data []byte, off int) Pos {
	before := data[:off]
	line := 1 + bytes.Count(before, []byte("\n"))
	if i := bytes.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return Pos{File: file, Line: line, Col: 1 + utf8.RuneCount(before)}
}
