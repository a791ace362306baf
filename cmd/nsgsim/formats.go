package main

import (
	"path/filepath"
	"strings"

	"github.com/nsgsim/nsgsim/render"
)

// Output formats follow the output's extension (SPEC 5): a format flag
// names the format only where the extension does not (-o -, or a name
// without a known extension), and an extension and a format flag that
// disagree are a usage error, never a file whose name lies about its
// content.

// diagramExtensions are the extensions of each diagram format.
var diagramExtensions = map[render.Format][]string{
	render.SVG:     {".svg"},
	render.PNG:     {".png"},
	render.DOT:     {".dot", ".gv"},
	render.Mermaid: {".mmd", ".mermaid"},
	render.HTML:    {".html", ".htm"},
}

// emitExtensions are the extensions of each form `fix --emit` writes.
var emitExtensions = map[string][]string{
	"yaml":      {".yaml", ".yml"},
	"az":        {".sh", ".bash"},
	"bicep":     {".bicep"},
	"terraform": {".tf"},
	"patch":     {".patch", ".diff"},
}

// diagramFormatOf is the diagram format out's extension names, or "".
// An extension not listed above that names a format of package render
// (out.FORMAT) counts too.
func diagramFormatOf(out string) render.Format {
	if f := formatOfExtension(out, diagramExtensions); f != "" {
		return f
	}
	if filepath.Ext(out) == "" {
		return ""
	}
	f, _ := render.FormatFor(out, "")
	return f
}

// formatOfExtension returns the format whose extensions hold path's
// extension (case aside), or "".
func formatOfExtension[F ~string](path string, extensions map[F][]string) F {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == "" {
		return ""
	}
	for f, exts := range extensions {
		for _, e := range exts {
			if e == ext {
				return f
			}
		}
	}
	return ""
}

// diagramFormat is the format of the diagram output out: formatFlag (named
// by flagName) when it is set, which must then agree with out's extension,
// else out's extension. "-" needs the flag.
func diagramFormat(out, formatFlag, flagName string) (render.Format, error) {
	if formatFlag == "" {
		if out == "-" {
			return "", usagef("-o - writes to standard output and needs --%s (%s)", flagName, orList(diagramFormatNames()))
		}
		if f := diagramFormatOf(out); f != "" {
			return f, nil
		}
		return "", usagef("cannot tell the diagram format of %q; name it .svg, .png, .dot, .mmd or .html, or give --%s", out, flagName)
	}
	f, err := render.FormatFor("", formatFlag)
	if err != nil {
		return "", usagef("--%s %q: expected %s", flagName, formatFlag, orList(diagramFormatNames()))
	}
	if err := agree(out, string(f), string(diagramFormatOf(out)), flagName, formatFlag); err != nil {
		return "", err
	}
	return f, nil
}

// emitFormat is the form fix writes: emitFlag when given, which must then
// agree with out's extension, else the form out's extension names, else
// yaml.
func emitFormat(out, emitFlag string) (string, error) {
	byExt := ""
	if out != "" && out != "-" {
		byExt = formatOfExtension(out, emitExtensions)
	}
	if emitFlag == "" {
		if byExt != "" {
			return byExt, nil
		}
		return "yaml", nil
	}
	if err := agree(out, emitFlag, byExt, "emit", emitFlag); err != nil {
		return "", err
	}
	return emitFlag, nil
}

// agree refuses an output whose extension names a format other than the
// one the flag gives.
func agree(out, format, byExt, flagName, flagValue string) error {
	if byExt == "" || byExt == format {
		return nil
	}
	return usagef("-o %s is a .%s file but --%s %s asks for %s; name the output after its format, or drop --%s",
		out, strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), "."), flagName, flagValue, format, flagName)
}

// diagramFormatNames are the diagram formats' names, in the order help
// lists them.
func diagramFormatNames() []string {
	names := make([]string, len(render.Formats))
	for i, f := range render.Formats {
		names[i] = string(f)
	}
	return names
}
