package topology

// ClipQuoted shortens each quoted value in msg ("..." as strconv.Quote
// writes it) that is longer than 100 characters to its first 100 and "...",
// as the loader and Validate do with their own messages, so that an
// importer's message about a hostile megabyte-long value stays one readable
// line.
func ClipQuoted(msg string) string { return clipQuoted(msg) }
