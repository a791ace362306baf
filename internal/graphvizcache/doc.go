// Package graphvizcache keeps go-graphviz's cache of native code private to
// the user who runs nsgsim.
//
// go-graphviz v0.2.10 compiles Graphviz's WebAssembly to native code in a
// package init, with wazero, and caches the result in
// os.TempDir()/go-graphviz (internal/wasm.getCompilationCache). It reuses
// that directory whoever created it, so on a shared machine another local
// user can plant compiled code there that nsgsim then runs at start-up, and
// where root created it first every other user's run panics on a cache it
// cannot write.
//
// This package's init runs before go-graphviz's (see Go's package
// initialisation order: a package whose imports are all initialised and
// whose path sorts first goes next; this package imports only os and what
// os imports, while go-graphviz's wasm package also needs path/filepath,
// which sorts after this package and needs os), and points TMPDIR at a
// directory only the current user owns, checked for owner and mode before
// use: $XDG_CACHE_HOME/nsgsim (os.UserCacheDir). go-graphviz then caches in
// $XDG_CACHE_HOME/nsgsim/go-graphviz. When no such directory can be had
// safely, TMPDIR points at /dev/null for the length of the init, where no
// directory can exist, and go-graphviz runs without a cache (0.4 to 1.6 s
// of compilation per run). Restore, called from package render's init
// (after go-graphviz's), puts TMPDIR back as it was, so nothing else in
// the process or its children sees the change.
//
// On systems that are not Unix the package does nothing: there the
// temporary directory is the user's own.
//
// It owns TMPDIR for the length of go-graphviz's init and nothing else:
// drawing is package render's, and no other cache is kept here.
package graphvizcache
