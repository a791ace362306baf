package armexpr

import (
	"fmt"
	"math"
	"strconv"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
)

// Values are those of jsonpos.Decode: map[string]any, []any, string, bool,
// nil, int64, float64 and jsonpos.BigInt; an evaluation adds *Error (a
// value that could not be had), Deployed (what reference() returns) and
// lambdas.

// TypeName names the JSON type of v for messages.
func TypeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64, float64, int, jsonpos.BigInt:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case *Error:
		return "an expression error: " + v.Msg
	case lambdaValue:
		return "a lambda"
	}
	return fmt.Sprintf("%T", v)
}

// ScalarString renders a scalar as ARM would put it in a string.
func ScalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatInt(int64(v), 10), true
		}
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case jsonpos.BigInt:
		return string(v), true
	}
	return "", false
}

// Describe renders a value for a message: a scalar as written, anything
// else by its type.
func Describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case int64, int, float64, bool, jsonpos.BigInt:
		s, _ := ScalarString(v)
		return s
	}
	return TypeName(v)
}

// JoinPath appends a member to a JSON path.
func JoinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
