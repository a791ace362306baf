//go:build !unix

package graphvizcache

// Restore does nothing on systems that are not Unix.
func Restore() {}

// Dir returns "": go-graphviz caches in the user's own temporary directory.
func Dir() (dir, whyNot string) {
	return "", "not a Unix system: the temporary directory is the user's own"
}
