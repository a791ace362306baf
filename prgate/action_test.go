package prgate

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestActionYAML checks the composite action's structure: every input it
// uses is declared, every script step names its shell, and no script pastes
// an expression into its text (inputs reach scripts through env only, as
// GitHub's security hardening guide asks:
// https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections).
func TestActionYAML(t *testing.T) {
	data, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Name   string `yaml:"name"`
		Inputs map[string]struct {
			Description string `yaml:"description"`
			Default     string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Name  string            `yaml:"name"`
				Shell string            `yaml:"shell"`
				Run   string            `yaml:"run"`
				Uses  string            `yaml:"uses"`
				Env   map[string]string `yaml:"env"`
				If    string            `yaml:"if"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" || len(a.Runs.Steps) == 0 {
		t.Fatalf("not a composite action: %q, %d steps", a.Runs.Using, len(a.Runs.Steps))
	}
	used := regexp.MustCompile(`inputs\.([A-Za-z0-9_-]+)`)
	for _, m := range used.FindAllStringSubmatch(string(data), -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("action.yml uses undeclared input %q", m[1])
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %q has no description", name)
		}
	}
	sawCheck := false
	for _, s := range a.Runs.Steps {
		if s.Run == "" {
			if !strings.Contains(s.Uses, "@") {
				t.Errorf("step %q uses an unpinned action %q", s.Name, s.Uses)
			}
			continue
		}
		if s.Shell == "" {
			t.Errorf("step %q runs a script without a shell", s.Name)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q pastes an expression into its script; pass it through env", s.Name)
		}
		if strings.Contains(s.Run, "nsgsim \"${args[@]}\"") {
			sawCheck = true
			for _, flag := range []string{"pr check", "--summary", "--github-output", "--plan", "--sarif", "--comment-out", "--comment"} {
				if !strings.Contains(s.Run, flag) {
					t.Errorf("the check step does not pass %s", flag)
				}
			}
		}
	}
	if !sawCheck {
		t.Error("no step runs nsgsim pr check")
	}
}

// TestReadmeWorkflows checks the workflows the README tells users to copy:
// each parses, and every `with:` given to this action names an input that
// action.yml declares.
func TestReadmeWorkflows(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	action, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]any `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(action, &a); err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile("(?s)```yaml\n(# \\.github/workflows/[^\n]*\n.*?)```")
	found := 0
	for _, m := range block.FindAllStringSubmatch(string(readme), -1) {
		found++
		var wf struct {
			Name string         `yaml:"name"`
			On   map[string]any `yaml:"on"`
			Jobs map[string]struct {
				Steps []struct {
					Uses string            `yaml:"uses"`
					Run  string            `yaml:"run"`
					With map[string]string `yaml:"with"`
				} `yaml:"steps"`
			} `yaml:"jobs"`
		}
		if err := yaml.Unmarshal([]byte(m[1]), &wf); err != nil {
			t.Errorf("README workflow does not parse: %v\n%s", err, m[1])
			continue
		}
		if wf.Name == "" || len(wf.On) == 0 || len(wf.Jobs) == 0 {
			t.Errorf("README workflow lacks a name, a trigger or a job:\n%s", m[1])
		}
		for _, job := range wf.Jobs {
			for _, s := range job.Steps {
				if !strings.HasPrefix(s.Uses, "nsgsim/nsgsim@") {
					continue
				}
				for k := range s.With {
					if _, ok := a.Inputs[k]; !ok {
						t.Errorf("README workflow gives the action an input it does not have: %q", k)
					}
				}
			}
		}
	}
	if found < 3 {
		t.Fatalf("found %d workflows in the README, want the plain one and the two fork-safe ones", found)
	}
}
