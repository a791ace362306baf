package jsonpos

import (
	"encoding/json"
	"strconv"

	"github.com/nsgsim/nsgsim/topology"
)

// maxDuplicateKeys bounds how many duplicate keys one input reports.
const maxDuplicateKeys = 100

// duplicateKeys finds every key given twice in one object of data, which
// must already be valid JSON. RFC 8259 (section 4) leaves the meaning of
// such an object to the reader, and encoding/json keeps the last value
// without a word; nsgsim refuses it instead, so that what it simulates is
// never a guess about which value a file meant. Keys are compared after
// their escapes are decoded ("\u006eame" is "name").
func duplicateKeys(file string, data []byte) topology.ErrorList {
	type level struct {
		object  bool
		keyNext bool             // the next string is a key
		keys    map[string]int64 // key -> offset of its first occurrence
	}
	var stack []level
	var errs topology.ErrorList
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			stack = append(stack, level{object: true, keyNext: true})
		case '[':
			stack = append(stack, level{})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			if top := len(stack) - 1; top >= 0 && stack[top].object {
				stack[top].keyNext = true
			}
		case '"':
			start := i
			escaped := false
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					escaped = true
					i++
				}
			}
			top := len(stack) - 1
			if top < 0 || !stack[top].keyNext {
				continue
			}
			stack[top].keyNext = false
			key := string(data[start+1 : i])
			if escaped {
				var s string
				if json.Unmarshal(data[start:i+1], &s) == nil {
					key = s
				}
			}
			if stack[top].keys == nil {
				stack[top].keys = make(map[string]int64)
			}
			first, seen := stack[top].keys[key]
			if !seen {
				stack[top].keys[key] = int64(start)
				continue
			}
			if len(errs) == maxDuplicateKeys {
				return errs
			}
			errs = append(errs, topology.Errorf(topology.PosAt(file, data, int64(start)),
				"key %s given twice in one JSON object; expected each key once (JSON leaves which value counts undefined)",
				topology.ClipQuoted(strconv.Quote(key))).At("first at", topology.PosAt(file, data, first)))
		}
	}
	return errs
}
