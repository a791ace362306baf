package topology

import (
	"math/rand/v2"
	"testing"

	"go.yaml.in/yaml/v3"
)

// plainByParse is how marshal used to decide: s stays plain when yaml.v3
// reads it back, alone, as the same string.
func plainByParse(s string) bool {
	var probe yaml.Node
	return s != "" && yaml.Unmarshal([]byte(s), &probe) == nil && len(probe.Content) == 1 &&
		probe.Content[0].Kind == yaml.ScalarNode && probe.Content[0].ShortTag() == "!!str" && probe.Content[0].Value == s
}

// TestPlainSafe checks plainSafe against a parse: never plain where the
// parse would quote, and plain for the names topologies hold.
func TestPlainSafe(t *testing.T) {
	for _, s := range []string{
		"hub", "vnet-spoke-01", "AzureBastionSubnet", "nsg-app-0001", "10.0.0.0/16", "Storage.westeurope",
		"10.0.0.4", "vm web 1", "snet_data", "café", "Allow-SSH(22)", "a=b", "x@y",
	} {
		if !plainSafe(s) {
			t.Errorf("plainSafe(%q) = false, want true", s)
		}
		if !plainByParse(s) {
			t.Errorf("a parse quotes %q", s)
		}
	}
	for _, s := range []string{"", "*", "443", "true", "null", "~", "1e3", "0x1F", "2024-01-02", "-x", " a", "a ", "a  b", "a: b", "a #b", "&a", "[a]", `"a"`, ".5", "+1", "<<"} {
		if plainSafe(s) {
			t.Errorf("plainSafe(%q) = true, want false", s)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	const chars = "aZ09 ._-/:#*&!|>'\"%@`,[]{}?=+()~<éx\t\n"
	for range 20000 {
		b := make([]rune, 1+r.IntN(8))
		for i := range b {
			b[i] = []rune(chars)[r.IntN(len([]rune(chars)))]
		}
		s := string(b)
		if plainSafe(s) && !plainByParse(s) {
			t.Errorf("plainSafe(%q) = true, but a parse does not read it back", s)
		}
	}
}

// TestPlainSafeASCII checks the ASCII table against the rune-by-rune test
// on every string of up to three characters from a mixed alphabet, and on
// names.
func TestPlainSafeASCII(t *testing.T) {
	alphabet := []string{"a", "Z", "0", "_", "/", " ", ".", "(", ")", "+", "-", "=", "@", ":", "#", "'", "\"", "é", "\t", "y", "n", "~"}
	var all []string
	for _, x := range alphabet {
		all = append(all, x)
		for _, y := range alphabet {
			all = append(all, x+y)
			for _, z := range alphabet {
				all = append(all, x+y+z)
			}
		}
	}
	all = append(all, "AllowHttpsInbound", "10.0.0.0/24", "nsg-web (legacy)", "yes", "No", "null", "1e3", "0x1F", "rule a  b", "Étape 1", "web-é")
	for _, s := range all {
		got, ascii := plainSafeASCII(s)
		if want := plainSafeRunes(s); ascii && got != want {
			t.Errorf("plainSafeASCII(%q) = %v, rune by rune %v", s, got, want)
		}
	}
}
