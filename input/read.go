package input

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/nsgsim/nsgsim/internal/bom"
	"github.com/nsgsim/nsgsim/topology"
)

// ReadFile reads the input file at path whole, without a UTF-8 byte-order
// mark. what names what the file should be ("a topology file"), for the
// message when it is not one. Every error is positioned: a missing,
// unreadable or directory input is reported at FILE:1:1, as the loader
// reports a file too large to read, so that it prints like every other
// problem with an input.
func ReadFile(path, what string) ([]byte, error) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		if li, lerr := os.Lstat(path); lerr == nil && li.Mode()&fs.ModeSymlink != 0 && errors.Is(err, fs.ErrNotExist) {
			target, _ := os.Readlink(path)
			return nil, fileError(path, "a symbolic link to %q, which does not exist; expected %s", target, what)
		}
		return nil, fileError(path, "%v; expected %s", cause(err), what)
	case fi.IsDir():
		return nil, fileError(path, "is a directory; expected %s", what)
	}
	data, err := topology.ReadFile(path)
	var list topology.ErrorList
	switch {
	case errors.As(err, &list):
		return nil, err // positioned by the loader already (too large)
	case err != nil:
		return nil, fileError(path, "%v; expected %s", cause(err), what)
	}
	// The commands drop a UTF-8 byte-order mark here, once: the loader and
	// the importers get the data after it. A UTF-16 mark is left for them
	// to refuse with a message.
	return bom.Trim(data), nil
}

// fileError is a problem with a whole file, at its first line and column.
func fileError(path, format string, args ...any) error {
	var l topology.ErrorList
	l.Add(topology.Pos{File: path, Line: 1, Col: 1}, format, args...)
	return l.Err()
}

// cause returns what went wrong in an I/O error without the operation and
// the path it names ("no such file or directory"), for a message that names
// the file already.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return fmt.Errorf("%w", err)
}
