package azure

import (
	"reflect"
	"testing"
)

// TestMembersAgreeWithField: reading a rule's fields at once gives what
// field gives for each, in the flattened shape and in the ARM shape, with
// exact names, names in another case and a "properties" in another case.
func TestMembersAgreeWithField(t *testing.T) {
	objects := []map[string]any{
		{"name": "r", "priority": int64(100), "sourceAddressPrefix": "*", "DestinationPortRange": "22", "ACCESS": "Allow"},
		{"name": "r", "properties": map[string]any{"priority": int64(100), "Protocol": "Tcp"}, "direction": "Inbound"},
		{"name": "r", "Properties": map[string]any{"priority": int64(100), "Protocol": "Tcp"}, "description": "d", "access": "Deny"},
		{"name": "r", "PROPERTIES": "not an object", "protocol": "Udp", "SourcePortRanges": []any{"1", "2"}},
		{},
		{"name": "r", "id": "x", "etag": "e", "priority": int64(100), "direction": "Inbound", "sourcePortRange": "*"},
		{"name": "r", "etag": "e", "Priority": int64(100), "direction": "Inbound", "provisioningstate": "Succeeded"},
		{"name": "r", "other": 1, "DIRECTION": "Outbound"},
	}
	for _, obj := range objects {
		n := newNode(obj, "[0].securityRules[1]")
		var got memberNodes
		n.members(ruleMembers, ruleOthers, &got)
		for _, k := range append(ruleMembers, "name", "notAMember") {
			if want := n.field(k); !reflect.DeepEqual(got.field(k), want) {
				t.Errorf("%v: members(...).field(%q) = %#v, field gives %#v", obj, k, got.field(k), want)
			}
		}
	}
}
