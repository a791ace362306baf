package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/nsgsim/nsgsim/topology/azure"
)

func main() {
	root := flag.String("root", "", "the snapshot's directory")
	params := flag.String("params", "", "a directory of NAME.TEST.parameters.json files (AVM)")
	verbose := flag.Bool("v", false, "list every template and its outcome")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "usage: importrate -root DIR [-params DIR] [-v]")
		os.Exit(2)
	}
	if _, err := os.Stat(*root); err != nil {
		fmt.Fprintf(os.Stderr, "importrate: %v (no snapshot here: nothing to measure)\n", err)
		os.Exit(0)
	}
	defer func() {
		for _, d := range tempDirs {
			os.RemoveAll(d)
		}
	}()
	var runs []run
	if *params != "" {
		runs = avmRuns(*root, *params)
	} else {
		runs = templateRuns(*root)
	}
	ok := 0
	causes := map[string][]string{}
	for _, r := range runs {
		_, err := azure.ImportARMFile(r.template, azure.Options{ParametersFile: r.params})
		if err == nil {
			ok++
			if *verbose {
				fmt.Printf("ok   %s\n", r.name)
			}
			continue
		}
		first := strings.SplitN(err.Error(), "\n", 2)[0]
		c := cause(first)
		causes[c] = append(causes[c], r.name)
		if *verbose {
			fmt.Printf("FAIL %s: %s\n", r.name, first)
		}
	}
	fmt.Printf("\n| templates with a VNet or NSG | import | rate |\n|---|---|---|\n| %d | %d | %.0f%% |\n\n", len(runs), ok, 100*float64(ok)/float64(max(len(runs), 1)))
	if len(causes) == 0 {
		return
	}
	var keys []string
	for k := range causes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if len(causes[keys[i]]) != len(causes[keys[j]]) {
			return len(causes[keys[i]]) > len(causes[keys[j]])
		}
		return keys[i] < keys[j]
	})
	fmt.Println("| refusals | cause |\n|---|---|")
	for _, k := range keys {
		fmt.Printf("| %d | %s |\n", len(causes[k]), strings.ReplaceAll(k, "|", "\\|"))
	}
}

type run struct{ name, template, params string }

// templateRuns finds the samples with a VNet or NSG under root. A sample
// is what a user deploys: a directory with metadata.json (every quickstart
// has one) and its main template, azuredeploy.json, with the parameters
// file beside it. The templates it links (nested/, linkedtemplates/, ...)
// are imported through it, as Azure deploys them, not on their own: alone
// they lack the parameters their parent passes. A sample counts when its
// main template or any template in its directory declares a VNet or NSG;
// prerequisite templates (prereqs/) are test set-up, not samples.
func templateRuns(root string) []run {
	var runs []run
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Base(path) != "azuredeploy.json" {
			return nil
		}
		dir := filepath.Dir(path)
		if !fileExists(filepath.Join(dir, "metadata.json")) || !declaresNetwork(dir) {
			return nil
		}
		r := run{name: strings.TrimPrefix(dir, root+string(filepath.Separator)), template: path}
		if pp := filepath.Join(dir, "azuredeploy.parameters.json"); fileExists(pp) {
			r.params = pp
		}
		runs = append(runs, r)
		return nil
	})
	return runs
}

// declaresNetwork reports whether a template under dir, outside its
// prereqs, declares a VNet or an NSG.
func declaresNetwork(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipDir
		}
		if d.IsDir() && d.Name() == "prereqs" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") || strings.Contains(path, ".parameters.") {
			return nil
		}
		if data, err := os.ReadFile(path); err == nil && isNetworkTemplate(data) {
			found = true
		}
		return nil
	})
	return found
}

// avmRuns pairs each parameters file of dir with its module's main.json.
// Where dir also holds NAME.TEST.dependencies.json, the module is imported
// as its e2e test deploys it (main.test.bicep): a template of two
// deployments, the dependencies first, then the module with the parameters
// of the file, whose values may name the dependencies' outputs
// ("[reference('nestedDependencies').outputs.X.value]"). The template is
// written to a temporary directory beside copies of both, and linked by
// relativePath.
func avmRuns(root, dir string) []run {
	entries, _ := os.ReadDir(dir)
	var runs []run
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".parameters.json")
		if !ok {
			continue
		}
		module := name[:strings.LastIndex(name, ".")]
		r := run{
			name:     name,
			template: filepath.Join(root, strings.ReplaceAll(module, "__", "/"), "main.json"),
			params:   filepath.Join(dir, e.Name()),
		}
		if deps := filepath.Join(dir, name+".dependencies.json"); fileExists(deps) {
			t, err := e2eTemplate(r.template, deps, r.params)
			if err != nil {
				fmt.Fprintf(os.Stderr, "importrate: %s: %v\n", name, err)
				os.Exit(1)
			}
			r.template, r.params = t, ""
		}
		runs = append(runs, r)
	}
	return runs
}

// tempDirs are the directories e2eTemplate made, removed before exit.
var tempDirs []string

// e2eTemplate writes the template that deploys deps and then module with
// the parameters of paramsFile, and returns its path.
func e2eTemplate(module, deps, paramsFile string) (string, error) {
	var p struct {
		Parameters json.RawMessage `json:"parameters"`
	}
	data, err := os.ReadFile(paramsFile)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return "", fmt.Errorf("%s: %v", paramsFile, err)
	}
	tmp, err := os.MkdirTemp("", "importrate-e2e-")
	if err != nil {
		return "", err
	}
	tempDirs = append(tempDirs, tmp)
	for src, dst := range map[string]string{module: "module.json", deps: "dependencies.json"} {
		b, err := os.ReadFile(src)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(tmp, dst), b, 0o600); err != nil {
			return "", err
		}
	}
	deployment := func(name, file string, params json.RawMessage) map[string]any {
		props := map[string]any{"mode": "Incremental", "templateLink": map[string]any{"relativePath": file}}
		if params != nil {
			props["parameters"] = params
		}
		return map[string]any{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": name, "properties": props}
	}
	t := map[string]any{
		"$schema":        "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
		"contentVersion": "1.0.0.0",
		"resources": []any{
			deployment("nestedDependencies", "dependencies.json", nil),
			deployment("testDeployment", "module.json", p.Parameters),
		},
	}
	out, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(tmp, "test.json")
	return path, os.WriteFile(path, out, 0o600)
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// isNetworkTemplate reports whether data is an ARM deployment template that
// declares a VNet or an NSG.
func isNetworkTemplate(data []byte) bool {
	lower := bytes.ToLower(data)
	return bytes.Contains(lower, []byte("deploymenttemplate.json")) &&
		(bytes.Contains(lower, []byte(`"microsoft.network/virtualnetworks"`)) || bytes.Contains(lower, []byte(`"microsoft.network/networksecuritygroups"`)))
}

var (
	quoted   = regexp.MustCompile(`"[^"]*"`)
	pathLike = regexp.MustCompile(`^\S+\.json: (\S+: )?`)
	numbers  = regexp.MustCompile(`\[\d+\]|\(copyIndex \d+\)`)
	asName   = regexp.MustCompile(`as \S+=VALUE`)
	more     = regexp.MustCompile(` \(and \d+ more errors?\)$`)
	declared = regexp.MustCompile(`; declared: .*$`)
	position = regexp.MustCompile(`^\S+\.json:\d+:\d+: `)
)

// cause is a refusal's first message without the file, the JSON path and
// quoted names, so that refusals of one kind count together.
func cause(msg string) string {
	msg = more.ReplaceAllString(msg, "")
	msg = declared.ReplaceAllString(msg, "")
	msg = position.ReplaceAllString(msg, "")
	msg = pathLike.ReplaceAllString(msg, "")
	msg = numbers.ReplaceAllString(msg, "[N]")
	msg = quoted.ReplaceAllString(msg, `"…"`)
	msg = asName.ReplaceAllString(msg, "as NAME=VALUE")
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return msg
}
