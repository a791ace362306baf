package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeFile writes an output file safely: the content is produced in memory
// first, written to a temporary file in the same directory and renamed over
// the target, so a failed run never leaves a half-written file and an
// existing output stays as it was. An output path that is one of the inputs
// is refused, so nothing the user had is overwritten.
func writeFile(path string, inputs []string, produce func(io.Writer) error) error {
	if err := checkNotInput(path, inputs); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := produce(&buf); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// checkNotInput refuses an output path that names one of the inputs, by path
// or by file identity (links, "./x" and "x").
func checkNotInput(out string, inputs []string) error {
	oi, err := os.Stat(out)
	outAbs, _ := filepath.Abs(out)
	for _, in := range inputs {
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
