package input

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       Kind
	}{
		{"yaml", "virtualNetworks: []\n", YAML},
		{"yaml-flow", "{name: hub}\n", YAML},
		{"empty", "", YAML},
		{"az-list", `[{"type": "Microsoft.Network/virtualNetworks"}]`, Az},
		{"rest-object", `{"value": []}`, Az},
		{"resource-graph", `{"count": 1, "data": [], "skip_token": null, "total_records": 1}`, ARG},
		{"arm-schema", `{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": []}`, ARM},
		{"arm-keys", `{"contentVersion": "1.0.0.0", "resources": []}`, ARM},
		{"plan", `{"format_version": "1.2", "planned_values": {}}`, Terraform},
		{"state", `{"format_version": "1.0", "values": {}}`, Terraform},
		{"broken-json", `{"resources": [`, YAML},
	} {
		if got := Detect([]byte(tc.data)); got != tc.want {
			t.Errorf("Detect(%s) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range Kinds {
		if got, ok := ParseKind(string(k)); !ok || got != k {
			t.Errorf("ParseKind(%q) = %q, %v; want %q, true", k, got, ok, k)
		}
	}
	for _, s := range []string{"", "YAML", "bicep"} {
		if _, ok := ParseKind(s); ok {
			t.Errorf("ParseKind(%q) = ok, want not a kind", s)
		}
	}
}

// TestReadFile checks that a file that cannot be read is a positioned
// error at FILE:1:1 saying why, and that a byte-order mark is dropped.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bom := write("bom.yaml", "\xef\xbb\xbfname: x\n")
	if data, err := ReadFile(bom, "a topology file"); err != nil || string(data) != "name: x\n" {
		t.Errorf("ReadFile(bom.yaml) = %q, %v; want %q without the byte-order mark", data, err, "name: x\n")
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, path, want string }{
		{"missing", filepath.Join(dir, "missing.yaml"), ":1:1: no such file or directory; expected a topology file"},
		{"directory", filepath.Join(dir, "sub"), ":1:1: is a directory; expected a topology file"},
	}
	if runtime.GOOS != "windows" {
		link := filepath.Join(dir, "link.yaml")
		if err := os.Symlink("nothing.yaml", link); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ name, path, want string }{"dangling-symlink", link, `:1:1: a symbolic link to "nothing.yaml", which does not exist; expected a topology file`})
		unreadable := write("unreadable.yaml", "name: x\n")
		if err := os.Chmod(unreadable, 0); err != nil {
			t.Fatal(err)
		}
		if f, err := os.Open(unreadable); err == nil {
			f.Close()
			t.Log("running as root: an unreadable file is readable; that case is skipped")
		} else {
			cases = append(cases, struct{ name, path, want string }{"unreadable", unreadable, ":1:1: permission denied; expected a topology file"})
		}
	}
	for _, c := range cases {
		_, err := ReadFile(c.path, "a topology file")
		if err == nil || err.Error() != c.path+c.want {
			t.Errorf("ReadFile(%s) = %v, want %s%s", c.name, err, c.path, c.want)
		}
	}
}
