package topology
import ("testing";"fmt")
func TestZZDump(t *testing.T) {
	top, err := Load("testdata/valid.yaml")
	if err != nil { t.Fatal(err) }
	b, err := Marshal(top)
	fmt.Println(string(b), err)
}
