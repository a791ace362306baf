package topology

import (
	"fmt"
	"testing"
)

// TestOriginFields checks that Origin gives back every position recorded,
// compact or not, replaced or not, with few fields and with many.
func TestOriginFields(t *testing.T) {
	for _, n := range []int{3, maxScannedFields, 3 * maxScannedFields} {
		o := Origin{Pos: Pos{File: "a.yaml", Line: 1, Col: 1, Path: "obj"}}
		want := map[string]Pos{}
		set := func(f string, p Pos) {
			o.SetField(f, p)
			want[f] = p
		}
		member := func(f string) {
			o.SetMember(f)
			want[f] = Pos{File: "a.yaml", Path: "obj." + f}
		}
		for i := range n {
			f := fmt.Sprintf("f[%d]", i)
			switch i % 6 {
			case 0: // compact
				set(f, Pos{File: "a.yaml", Line: i + 2, Col: 3})
			case 1: // another file
				set(f, Pos{File: "b.yaml", Line: i, Col: 4})
			case 2: // a JSON path
				set(f, Pos{File: "a.yaml", Path: fmt.Sprintf("x[%d]", i)})
			case 3: // compact, then not, then compact again
				set(f, Pos{File: "a.yaml", Line: i, Col: 1})
				set(f, Pos{File: "c.json", Path: "y"})
				set(f, Pos{File: "a.yaml", Line: i, Col: 9})
			case 4: // the member of the object's JSON value of the same name
				member(f)
			case 5: // a member, then wide, then a member again
				member(f)
				set(f, Pos{File: "c.json", Path: "z"})
				member(f)
			}
		}
		set("f[1]", Pos{File: "a.yaml", Line: 99, Col: 9}) // wide, then compact
		set("f[0]", Pos{File: "d.yaml", Line: 7, Col: 7})  // compact, then wide
		set("f[4]", Pos{File: "a.yaml", Line: 5, Col: 5})  // a member, then compact
		for f, p := range want {
			if got, ok := o.Field(f); !ok || got != p {
				t.Errorf("%d fields: Field(%q) = %v, %v; want %v", n, f, got, ok, p)
			}
		}
		if got, ok := o.Field("absent"); ok || o.At("absent") != o.Pos {
			t.Errorf("%d fields: Field(absent) = %v, %v; At(absent) = %v, want the object's position", n, got, ok, o.At("absent"))
		}
		if len(o.fields) != len(want) {
			t.Errorf("%d fields: %d recorded, want %d", n, len(o.fields), len(want))
		}
	}
}

// TestOriginFailed checks SetFailed and Failed, with and without other
// fields recorded.
func TestOriginFailed(t *testing.T) {
	o := Origin{Pos: Pos{File: "a.yaml", Line: 2, Col: 3}}
	if o.Failed("priority") {
		t.Error("zero Origin: Failed(priority) = true")
	}
	o.SetField("priority", Pos{File: "a.yaml", Line: 3, Col: 4})
	if o.more != nil {
		t.Error("a compact field allocated originMore")
	}
	o.SetFailed("priority")
	o.SetFailed("priority")
	o.SetFailed("ports[2]")
	if !o.Failed("priority") || !o.Failed("ports[2]") || o.Failed("ports") {
		t.Errorf("failed = %q; want priority and ports[2]", o.more.failed)
	}
	if len(o.more.failed) != 2 {
		t.Errorf("failed = %q; a field marked twice is recorded once", o.more.failed)
	}
	if p, ok := o.Field("priority"); !ok || p.Line != 3 {
		t.Errorf("Field(priority) = %v, %v after SetFailed", p, ok)
	}
}
