package azure

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/nsgsim/nsgsim/topology"
)

// ImportARMFile imports the ARM template at path with the user's options:
// the parameters file and NAME=VALUE parameters, and the OS of VMs the
// template does not tell. Linked templates are read from beside it (see
// linkedTemplate). This is the entry point every command uses for a
// template.
func ImportARMFile(file string, o Options) (*topology.Topology, error) {
	data, err := topology.ReadFile(file)
	if err != nil {
		return nil, err
	}
	params := map[string]any{}
	if o.ParametersFile != "" {
		pdata, err := topology.ReadFile(o.ParametersFile)
		if err != nil {
			return nil, err
		}
		if params, err = ReadARMParameters(pdata, o.ParametersFile); err != nil {
			return nil, err
		}
	}
	given, err := o.ParameterValues()
	if err != nil {
		return nil, err
	}
	for k, v := range given {
		params[k] = v
	}
	return ImportARMWithOptions(data, ARMOptions{Name: file, Parameters: params, VMOS: o.VMOS, ReadFile: topology.ReadFile})
}

// maxLinked bounds the linked templates one import reads (a template that
// links itself, directly or not, stops there).
const maxLinked = 64

// templateURI is what deployment().properties.templateLink.uri returns for
// a template read from file: a file URI, so that uri() and concat() build
// the URIs of the files beside it, as _artifactsLocation does in the
// quickstart templates.
func templateURI(file string) string {
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// linkedTemplate finds the file a templateLink names
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/linked-templates#linked-template):
// relativePath, relative to the linking template; a file URI (what
// deployment().properties.templateLink.uri builds here); or a remote URI
// whose path ends in a file beside the linking template (the longest such
// ending: .../quickstarts/x/nested/vnet.json is nested/vnet.json). A
// remote URI with no such file is an error that names the file needed.
func (t *template) linkedTemplate(link any, at string) (string, error) {
	if rel, ok := lookupKey(link, "relativePath"); ok {
		s, isStr := rel.(string)
		if !isStr || s == "" {
			return "", fmt.Errorf("%s.relativePath is %s; expected a path", at, describe(rel))
		}
		return filepath.Join(filepath.Dir(t.file), filepath.FromSlash(s)), nil
	}
	raw, ok := lookupKey(link, "uri")
	s, isStr := raw.(string)
	if !ok || !isStr || s == "" {
		if ee, isErr := raw.(*exprError); isErr {
			return "", ee
		}
		return "", fmt.Errorf("%s: expected uri or relativePath, got %s", at, describe(link))
	}
	return t.localFile(s, at)
}

// localFile maps a URI to a file on disk, as linkedTemplate describes.
func (t *template) localFile(uri, at string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", fmt.Errorf("%s: %q is not a URI", at, uri)
	}
	if u.Scheme == "file" {
		return filepath.FromSlash(u.Path), nil
	}
	segs := strings.Split(strings.Trim(path.Clean("/"+u.Path), "/"), "/")
	dir := filepath.Dir(t.file)
	for i := range segs {
		cand := filepath.Join(dir, filepath.Join(segs[i:]...))
		if fi, err := os.Stat(cand); err == nil && fi.Mode().IsRegular() {
			return cand, nil
		}
	}
	return "", fmt.Errorf("%s: the linked template %s is remote, and nsgsim works offline: save it beside %s (as %s) and import again",
		at, topology.ClipQuoted(fmt.Sprintf("%q", uri)), filepath.Base(t.file), path.Base(u.Path))
}

// linked reads a nested deployment's linked template and its parameters
// (parameters, or a parametersLink) into child, which has its own scope.
func (t *template) linked(r *armResource, child *template, props map[string]any, ppath string) {
	root := t.root
	lk, _ := lookupKey(props, "templateLink")
	link := r.ctx.EvalTree(lk, joinPath(ppath, "templateLink"))
	if ee, ok := link.(*exprError); ok {
		t.report(ee.Msg)
		return
	}
	file, err := t.linkedTemplate(link, joinPath(ppath, "templateLink"))
	if err != nil {
		var ee *exprError
		if errors.As(err, &ee) {
			t.report(ee.Msg)
		} else {
			t.report(err.Error())
		}
		return
	}
	if root.nLinked++; root.nLinked > maxLinked {
		t.fatal(joinPath(ppath, "templateLink"), "more than %d linked templates; does a template link to itself?", maxLinked)
		return
	}
	// Only regular files: a FIFO or a device named by a hostile template
	// would block or never end.
	if fi, err := os.Stat(file); err == nil && !fi.Mode().IsRegular() {
		t.fatal(joinPath(ppath, "templateLink"), "the linked template %s is not a regular file", file)
		return
	}
	data, err := root.opts.ReadFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			t.fatal(joinPath(ppath, "templateLink"), "the linked template %s does not exist; nsgsim reads linked templates from beside the linking template", file)
		} else {
			t.fatal(joinPath(ppath, "templateLink"), "%v", err)
		}
		return
	}
	v, err := decodeARM(file, data, "expected an ARM deployment template")
	var te *topology.Error
	switch {
	case errors.As(err, &te):
		root.errs = append(root.errs, te)
		return
	case err != nil:
		root.errs = append(root.errs, topology.Errorf(topology.Pos{File: file}, "%v", err))
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		root.errs = append(root.errs, topology.Errorf(topology.Pos{File: file}, "the top level is %s; expected an ARM deployment template", typeName(v)))
		return
	}
	if err := checkTemplateShape(file, m); err != nil {
		root.errs = append(root.errs, topology.Errorf(topology.Pos{File: file}, "%s", strings.TrimPrefix(err.Error(), file+": ")))
		return
	}
	child.file, child.path, child.scope = file, "", "inner"
	supplied := map[string]any{}
	if pl, ok := lookupKey(props, "parametersLink"); ok {
		pv := r.ctx.EvalTree(pl, joinPath(ppath, "parametersLink"))
		pfile, err := t.linkedTemplate(pv, joinPath(ppath, "parametersLink"))
		if fi, serr := os.Stat(pfile); err == nil && serr == nil && !fi.Mode().IsRegular() {
			err = fmt.Errorf("%s: the parameters file %s is not a regular file", joinPath(ppath, "parametersLink"), pfile)
		}
		if err == nil {
			var pdata []byte
			if pdata, err = root.opts.ReadFile(pfile); err == nil {
				supplied, err = ReadARMParameters(pdata, pfile)
			}
		}
		if err != nil {
			t.report(err.Error())
			return
		}
	}
	for name, val := range t.inlineParameters(r, props, ppath) {
		supplied[name] = val
	}
	child.load(m, supplied)
}

// inlineParameters evaluates a nested deployment's "parameters": values,
// and Key Vault references kept as such.
func (t *template) inlineParameters(r *armResource, props map[string]any, ppath string) map[string]any {
	supplied := map[string]any{}
	pr, _ := lookupKey(props, "parameters")
	pm, _ := pr.(map[string]any)
	for name, v := range pm {
		vm, _ := v.(map[string]any)
		vpath := joinPath(joinPath(ppath, "parameters"), name)
		if val, ok := lookupKey(vm, "value"); ok {
			supplied[name] = r.ctx.EvalTree(val, joinPath(vpath, "value"))
		} else if ref, ok := lookupKey(vm, "reference"); ok {
			supplied[name] = keyVaultRef{secret: fmt.Sprint(ref)}
		}
	}
	return supplied
}
