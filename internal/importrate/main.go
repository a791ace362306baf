// Command importrate measures how many ARM templates of a local snapshot
// import (issue 14): it is not part of the build or of CI, and runs over
// snapshots that are not in the repository.
//
//	go run ./internal/importrate -root DIR [-params DIR] [-v]
//
// Every *.json under -root that is an ARM deployment template and declares
// a virtual network or an NSG is imported with nsgsim's importer
// (azure.ImportARMFile), with the parameters file beside it when there is
// one (azuredeploy.parameters.json, the quickstarts' convention). With
// -params, the templates named by the parameter files in DIR are imported
// instead, once per file: FILE NAME.TEST.parameters.json imports
// ROOT/NAME/main.json (NAME with "/" written as "__"), as for the Azure
// Verified Modules, whose e2e tests are Bicep that cannot be compiled here.
// It prints a Markdown table of the rate and the causes of the refusals,
// each cause the first message of the refusal with paths and names
// removed.
package main

import (
	"bytes"
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

// templateRuns finds the templates with a VNet or NSG under root.
func templateRuns(root string) []run {
	var runs []run
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") || strings.Contains(path, ".parameters.") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil || !isNetworkTemplate(data) {
			return nil
		}
		r := run{name: strings.TrimPrefix(path, root+string(filepath.Separator)), template: path}
		for _, p := range []string{"azuredeploy.parameters.json", strings.TrimSuffix(filepath.Base(path), ".json") + ".parameters.json"} {
			if pp := filepath.Join(filepath.Dir(path), p); fileExists(pp) {
				r.params = pp
				break
			}
		}
		runs = append(runs, r)
		return nil
	})
	return runs
}

// avmRuns pairs each parameters file of dir with its module's main.json.
func avmRuns(root, dir string) []run {
	entries, _ := os.ReadDir(dir)
	var runs []run
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".parameters.json")
		if !ok {
			continue
		}
		module := name[:strings.LastIndex(name, ".")]
		runs = append(runs, run{
			name:     name,
			template: filepath.Join(root, strings.ReplaceAll(module, "__", "/"), "main.json"),
			params:   filepath.Join(dir, e.Name()),
		})
	}
	return runs
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
)

// cause is a refusal's first message without the file, the JSON path and
// quoted names, so that refusals of one kind count together.
func cause(msg string) string {
	msg = pathLike.ReplaceAllString(msg, "")
	msg = numbers.ReplaceAllString(msg, "[N]")
	msg = quoted.ReplaceAllString(msg, `"…"`)
	msg = asName.ReplaceAllString(msg, "as NAME=VALUE")
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return msg
}
