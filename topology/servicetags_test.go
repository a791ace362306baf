package topology

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestParseServiceTagsErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"truncated", `{"values": [`, `tags.json:1:13: not JSON: unexpected end of JSON input; expected an Azure Service Tags JSON file`},
		{"syntax", "{\"values\": [\n  {\"name\": \"A\"}}\n]}", `tags.json:2:16: not JSON: invalid character '}' after array element; expected an Azure Service Tags JSON file`},
		{"number-prefix", `{"values": [{"name": "GatewayManager", "properties": {"addressPrefixes": [20371580]}}]}`,
			`tags.json:1:75: values.properties.addressPrefixes: expected a string, got a number`},
		{"string-name", `{"values": [{"name": "X"}, {"name": true}]}`, `tags.json:1:37: values.name: expected a string, got a bool`},
		{"values-object", `{"values": {"name": "X"}}`, `tags.json:1:12: values: expected an array, got an object`},
		{"array", `[]`, `tags.json:1:1: expected a JSON object with "values", got an array`},
		{"no-values", `{"value": []}`, `tags.json: no service tags in "values"; expected the Azure Service Tags JSON format`},
		{"no-name", `{"values": [{"name": ""}]}`, `tags.json: values[0] has no name`},
		{"bad-prefix", "{\"values\": [\n {\"name\": \"A\", \"properties\": {\"addressPrefixes\": [\"1.2.3.0/24\", \"1.2.3.4/33\"]}}]}",
			`tags.json:2:65: values[0] (A): bad address prefix "1.2.3.4/33"`},
	}
	for _, tt := range tests {
		_, err := ParseServiceTags("tags.json", []byte(tt.in))
		var se *Error
		if err == nil || ErrorText(err) != tt.want || !errors.As(err, &se) {
			t.Errorf("%s: ParseServiceTags(%q) error = %v, want %s", tt.name, tt.in, err, tt.want)
		}
	}
}

func TestParseServiceTagsByteOrderMark(t *testing.T) {
	st, err := ParseServiceTags("tags.json", []byte("\xef\xbb\xbf"+`{"values": [{"name": "A", "properties": {"addressPrefixes": ["1.2.3.0/24"]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if ps, ok := st.Prefixes("a"); !ok || len(ps) != 1 {
		t.Errorf("Prefixes(a) = %v, %v, want [1.2.3.0/24]", ps, ok)
	}
}

// TestReadServiceTagsTooLarge checks that a file over the limit is refused
// from its size: a sparse file, never read.
func TestReadServiceTagsTooLarge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tags.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxServiceTagsSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = ReadServiceTags(path)
	want := path + ": file is 67108865 bytes; nsgsim reads Service Tags files up to 64 MiB"
	if err == nil || ErrorText(err) != want {
		t.Errorf("ReadServiceTags(65 MiB) error = %v, want %s", err, want)
	}
}

// The built-in tag list holds every tag of Microsoft's Service Tags
// downloads, so that a rule on any of them loads without a file, and the
// documented tags the downloads omit (CorpNetSaw, the Domain Services rule:
// https://learn.microsoft.com/en-us/entra/identity/domain-services/network-considerations).
// The real files are read in place from ../shared and the test skips
// without them.
func TestBuiltinTagsCoverTheDownloads(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "fixtures", "real", "service-tags-public")
	files := []string{"ServiceTags_Public_20250908.json", "ServiceTags_AzureGovernment_20260720.json"}
	if _, err := os.Stat(filepath.Join(dir, files[0])); err != nil {
		t.Skipf("real Service Tags files not present (%v)", err)
	}
	for _, f := range files {
		tags, err := ReadServiceTags(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range tags.Names() {
			if _, ok := CanonicalTag(name, nil); !ok {
				t.Errorf("%s: tag %q is not in the built-in list", f, name)
			}
		}
	}
	for _, name := range []string{"CorpNetSaw", "AzurePlatformDNS", "VirtualNetwork", "Internet", "AzureLoadBalancer"} {
		if _, ok := CanonicalTag(name, nil); !ok {
			t.Errorf("documented tag %q is not in the built-in list", name)
		}
	}
	if _, ok := CanonicalTag("NotAnAzureTag", nil); ok {
		t.Error("an unknown tag is known")
	}
}
