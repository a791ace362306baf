//go:build unix

package graphvizcache

// Only os, syscall and errors: see the package comment on initialisation
// order before adding an import.
import (
	"errors"
	"os"
	"syscall"
)

var (
	oldTMPDIR  string
	hadTMPDIR  bool
	applied    bool
	cacheDir   string // the private directory TMPDIR points at, or ""
	whyNoCache string // why there is no cache, when cacheDir is ""
)

func init() {
	oldTMPDIR, hadTMPDIR = os.LookupEnv("TMPDIR")
	dir, err := privateDir()
	if err != nil {
		whyNoCache = err.Error()
		// No directory can exist below a character device: go-graphviz's
		// os.Mkdir fails and it runs without a cache.
		dir = os.DevNull
	} else {
		cacheDir = dir
	}
	if os.Setenv("TMPDIR", dir) == nil {
		applied = true
	}
}

// privateDir returns $XDG_CACHE_HOME/nsgsim, made if absent, after checking
// that it and everything already in its go-graphviz directory belong to
// the current user and that nobody else can write to them.
func privateDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	if err := mkdirIfAbsent(base); err != nil {
		return "", err
	}
	if err := checkParent(base); err != nil {
		return "", err
	}
	dir := base + "/nsgsim"
	if err := mkdirIfAbsent(dir); err != nil {
		return "", err
	}
	if err := checkPrivate(dir, true); err != nil {
		return "", err
	}
	// go-graphviz would make its directory 0755; make it 0700 first.
	gg := dir + "/go-graphviz"
	if err := mkdirIfAbsent(gg); err != nil {
		return "", err
	}
	if err := checkTree(gg, 3); err != nil {
		return "", err
	}
	return dir, nil
}

func mkdirIfAbsent(dir string) error {
	err := os.Mkdir(dir, 0o700)
	if err == nil || errors.Is(err, os.ErrExist) {
		return nil
	}
	return err
}

// owner returns the user ID that owns fi.
func owner(fi os.FileInfo) (int, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return int(st.Uid), true
}

// checkParent checks that the directory holding the private one cannot
// have it renamed or replaced by another user: a directory (not a link)
// that only its owner can write to, or that has the sticky bit (as /tmp).
func checkParent(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return errors.New(dir + " is not a directory")
	}
	if fi.Mode().Perm()&0o022 != 0 && fi.Mode()&os.ModeSticky == 0 {
		return errors.New(dir + " can be written by other users")
	}
	return nil
}

// checkPrivate checks that path is owned by the current user, is no
// symbolic link, is a directory when dir is set, and can be neither
// written nor, for a directory, listed by anyone else.
func checkPrivate(path string, dir bool) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return errors.New(path + " is a symbolic link")
	}
	if dir != fi.IsDir() {
		if dir {
			return errors.New(path + " is not a directory")
		}
		return errors.New(path + " is a directory")
	}
	if !dir && !fi.Mode().IsRegular() {
		return errors.New(path + " is not a regular file")
	}
	uid, ok := owner(fi)
	if !ok || uid != os.Geteuid() {
		return errors.New(path + " belongs to another user")
	}
	mask := os.FileMode(0o022)
	if dir {
		mask = 0o077
	}
	if fi.Mode().Perm()&mask != 0 {
		return errors.New(path + " can be used by other users (mode " + fi.Mode().Perm().String() + ")")
	}
	return nil
}

// checkTree checks dir and everything below it, depth levels deep (wazero
// keeps one directory per version, holding one file per compiled module).
func checkTree(dir string, depth int) error {
	if err := checkPrivate(dir, true); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := dir + "/" + e.Name()
		if e.IsDir() && depth > 1 {
			if err := checkTree(p, depth-1); err != nil {
				return err
			}
			continue
		}
		if err := checkPrivate(p, false); err != nil {
			return err
		}
	}
	return nil
}

// Restore puts TMPDIR back as it was before this package's init. Package
// render calls it from its own init, which runs after go-graphviz's.
func Restore() {
	if !applied {
		return
	}
	applied = false
	if hadTMPDIR {
		os.Setenv("TMPDIR", oldTMPDIR)
	} else {
		os.Unsetenv("TMPDIR")
	}
}

// Dir returns the private directory go-graphviz was given for its cache,
// or "" and the reason there is no cache.
func Dir() (dir, whyNot string) { return cacheDir, whyNoCache }
