package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// deviceDir is where the system keeps its devices: nsgsim never creates a
// file there, temporary or not (a variable so that tests use a directory of
// their own; CI runs as root and must not touch the real /dev).
var deviceDir = "/dev"

// writeOutput writes what produce makes to the output path: "-" is e's
// standard output, anything else goes through writeFile. The content is
// produced in memory first, so that an error writes nothing.
func (e *env) writeOutput(path string, inputs []string, produce func(io.Writer) error) error {
	if path != "-" {
		return writeFile(path, inputs, produce)
	}
	var buf bytes.Buffer
	if err := produce(&buf); err != nil {
		return err
	}
	_, err := e.stdout.Write(buf.Bytes())
	return err
}

// writeFile writes an output file safely. The content is produced in memory
// first; then:
//   - a regular file (new, or replacing one, through any symbolic link) is
//     written to a temporary file beside it and renamed into place, so a
//     failed run never leaves a half-written file and an existing output
//     stays as it was; a new file gets the mode 0666 less the umask, a
//     replaced one keeps its mode;
//   - an existing character device or FIFO (/dev/null, /dev/stdout, a pipe
//     from the shell's >(...)) is written in place, never replaced, and so
//     is a regular file reached through /dev/stdout, /dev/fd/N or
//     /proc/self/fd/N (appended to: the shell opened it);
//   - a directory, a block device, a socket, and any file in /dev that is not
//     a character device or a FIFO are refused.
//
// An output path that is one of the inputs is refused, so nothing the user
// had is overwritten.
func writeFile(path string, inputs []string, produce func(io.Writer) error) error {
	if err := checkNotInput(path, inputs); err != nil {
		return err
	}
	target, fi, inPlace, err := resolveOutput(path)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := produce(&buf); err != nil {
		return err
	}
	if inPlace {
		return writeInPlace(path, fi, buf.Bytes())
	}
	return replaceFile(target, fi, buf.Bytes())
}

// resolveOutput checks what the output path names. It returns the regular
// file to replace or create (path with its symbolic links resolved) and
// what exists there now (nil for a new file), or inPlace when the output is
// to be written where it is, never replaced: a character device, a FIFO, or
// a file reached through a descriptor alias (/dev/stdout, /dev/fd/N,
// /proc/self/fd/N) such as a shell redirection.
func resolveOutput(path string) (target string, fi fs.FileInfo, inPlace bool, err error) {
	fi, err = os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fi = nil // a new file (or a dangling link, replaced by the file)
		target = path
	case err != nil:
		return "", nil, false, fmt.Errorf("writing %s: %w", path, err)
	case fi.IsDir():
		return "", nil, false, fmt.Errorf("writing %s: it is a directory; expected a file name", path)
	case fi.Mode()&(os.ModeCharDevice|os.ModeNamedPipe) != 0:
		return path, fi, true, nil
	case fi.Mode()&os.ModeDevice != 0:
		return "", nil, false, fmt.Errorf("writing %s: it is a block device; refusing to write over it", path)
	case fi.Mode()&os.ModeSocket != 0:
		return "", nil, false, fmt.Errorf("writing %s: it is a socket; expected a file name, a character device or a FIFO", path)
	case !fi.Mode().IsRegular():
		return "", nil, false, fmt.Errorf("writing %s: it is not a regular file (%v); expected a file name, a character device or a FIFO", path, fi.Mode().Type())
	default:
		if target, err = filepath.EvalSymlinks(path); err != nil {
			return "", nil, false, fmt.Errorf("writing %s: %w", path, err)
		}
		if within(filepath.Dir(path), deviceDir) || within(filepath.Dir(path), "/proc") {
			if !within(filepath.Dir(target), deviceDir) {
				// A descriptor alias of a regular file: the shell opened
				// it (truncated, or for appending), nsgsim appends.
				return path, fi, true, nil
			}
		}
	}
	if within(filepath.Dir(target), deviceDir) {
		return "", nil, false, fmt.Errorf("writing %s: %s holds devices; nsgsim writes there only to an existing character device or FIFO", path, deviceDir)
	}
	return target, fi, false, nil
}

// within reports whether dir is parent or inside it, symbolic links
// resolved.
func within(dir, parent string) bool {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	dev, err := filepath.Abs(parent)
	if err != nil {
		return false
	}
	if resolved, err := filepath.EvalSymlinks(dev); err == nil {
		dev = resolved
	}
	return abs == dev || strings.HasPrefix(abs, dev+string(filepath.Separator))
}

// writeInPlace writes data to an existing character device or FIFO, or
// appends it to the regular file a descriptor alias reaches.
func writeInPlace(path string, fi fs.FileInfo, data []byte) error {
	flag := os.O_WRONLY
	if fi.Mode().IsRegular() {
		flag |= os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// replaceFile writes data to a temporary file beside target and renames it
// over target. old is what target is now, nil when it does not exist.
func replaceFile(target string, old fs.FileInfo, data []byte) error {
	tmp, err := createTemp(target)
	if err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	if old != nil {
		if err := os.Chmod(tmp.Name(), old.Mode().Perm()); err != nil {
			return fmt.Errorf("writing %s: %w", target, err)
		}
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("writing %s: %w", target, err)
	}
	return nil
}

// createTemp creates a new file ".NAME.tmpN" beside path with mode 0666
// less the umask (os.CreateTemp's 0600 would ignore the umask).
func createTemp(path string) (*os.File, error) {
	dir, base := filepath.Split(path)
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(uint64(rand.Uint32()), 10))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot create a temporary file beside it")
}

// checkNotInput refuses an output path that names one of the inputs, by path
// or by file identity (links, "./x" and "x"). A character device or a FIFO
// is written in place, never replaced, so it is no input's loss: /dev/stdin
// and /dev/stdout may be one terminal.
func checkNotInput(out string, inputs []string) error {
	if out == "-" {
		return nil
	}
	oi, err := os.Stat(out)
	if err == nil && oi.Mode()&(os.ModeCharDevice|os.ModeNamedPipe) != 0 {
		return nil
	}
	outAbs, _ := filepath.Abs(out)
	for _, in := range inputs {
		if in == "" {
			continue
		}
		inAbs, _ := filepath.Abs(in)
		same := inAbs == outAbs
		if !same && err == nil {
			if ii, err := os.Stat(in); err == nil && os.SameFile(oi, ii) {
				same = true
			}
		}
		if same {
			return fmt.Errorf("output %s is one of the inputs; refusing to overwrite it", out)
		}
	}
	return nil
}
