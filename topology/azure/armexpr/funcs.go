package armexpr

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"net/netip"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/nsgsim/nsgsim/internal/jsonpos"
)

// armFunc is an ARM template function
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/template-functions).
// Arguments arrive evaluated; if, and and or are evaluated lazily in eval.
type armFunc func(c *Context, args []any) (any, error)

var armFuncs map[string]armFunc

// maxString bounds the strings functions build, against runaway templates.
const maxString = 1 << 20

// maxPadLeft bounds padLeft's total length.
const maxPadLeft = 1 << 16

func init() {
	armFuncs = map[string]armFunc{
		// Deployment values.
		"parameters": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			if err != nil {
				return nil, err
			}
			if c.fn != nil {
				v, ok := c.fn[strings.ToLower(s)]
				if !ok {
					return nil, fmt.Errorf("the function has no parameter %q", s)
				}
				return v, nil
			}
			return c.env.Parameter(s)
		},
		"variables": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			if err != nil {
				return nil, err
			}
			return c.env.Variable(s)
		},
		"copyindex": fnCopyIndex,
		"resourcegroup": func(c *Context, a []any) (any, error) {
			o := c.env.Scope()
			return map[string]any{
				"id":         "/subscriptions/" + o.SubscriptionID + "/resourceGroups/" + o.ResourceGroup,
				"name":       o.ResourceGroup,
				"type":       "Microsoft.Resources/resourceGroups",
				"location":   o.Location,
				"tags":       map[string]any{},
				"properties": map[string]any{"provisioningState": "Succeeded"},
			}, nil
		},
		"subscription": func(c *Context, a []any) (any, error) {
			o := c.env.Scope()
			return map[string]any{
				"id":             "/subscriptions/" + o.SubscriptionID,
				"subscriptionId": o.SubscriptionID,
				"tenantId":       o.TenantID,
				"displayName":    "nsgsim",
			}, nil
		},
		"tenant": func(c *Context, a []any) (any, error) {
			return map[string]any{"tenantId": c.env.Scope().TenantID, "displayName": "nsgsim"}, nil
		},
		"deployment": func(c *Context, a []any) (any, error) {
			// templateLink.uri is the template's own file, so that URIs
			// built from it (_artifactsLocation) name the files beside it.
			return map[string]any{"name": "nsgsim", "properties": map[string]any{
				"templateLink": map[string]any{"uri": c.env.Scope().TemplateURI},
			}}, nil
		},
		"environment": func(c *Context, a []any) (any, error) {
			return map[string]any{
				"name": "AzureCloud",
				"suffixes": map[string]any{
					"storage": "core.windows.net", "sqlServerHostname": ".database.windows.net",
					"keyvaultDns": ".vault.azure.net", "acrLoginServer": ".azurecr.io",
				},
				"resourceManager": "https://management.azure.com/",
			}, nil
		},
		"resourceid":                fnResourceID,
		"subscriptionresourceid":    fnSubscriptionResourceID,
		"tenantresourceid":          fnTenantResourceID,
		"extensionresourceid":       fnExtensionResourceID,
		"managementgroupresourceid": fnTenantResourceID,
		"reference":                 fnReference,
		"utcnow":                    deployTime("utcNow"),
		"newguid":                   deployTime("newGuid"),
		"datetimeadd":               deployTime("dateTimeAdd"),
		"deployer":                  deployTime("deployer"),
		"managementgroup":           deployTime("managementGroup"),
		"pickzones": func(c *Context, a []any) (any, error) {
			return nil, fmt.Errorf("the zones of a region are known only in Azure")
		},

		// Logical and comparison.
		"equals": func(c *Context, a []any) (any, error) {
			if err := arity(a, 2, 2); err != nil {
				return nil, err
			}
			return DeepEqual(a[0], a[1]), nil
		},
		"not": func(c *Context, a []any) (any, error) {
			if err := arity(a, 1, 1); err != nil {
				return nil, err
			}
			b, ok := a[0].(bool)
			if !ok {
				return nil, fmt.Errorf("expected a boolean, got %s", TypeName(a[0]))
			}
			return !b, nil
		},
		"bool": func(c *Context, a []any) (any, error) {
			if err := arity(a, 1, 1); err != nil {
				return nil, err
			}
			switch v := a[0].(type) {
			case bool:
				return v, nil
			case int64:
				return v != 0, nil
			case string:
				if b, err := strconv.ParseBool(strings.ToLower(v)); err == nil {
					return b, nil
				}
			}
			return nil, fmt.Errorf("cannot convert %s to a boolean", Describe(a[0]))
		},
		"true":  func(c *Context, a []any) (any, error) { return true, arity(a, 0, 0) },
		"false": func(c *Context, a []any) (any, error) { return false, arity(a, 0, 0) },
		"null":  func(c *Context, a []any) (any, error) { return nil, arity(a, 0, 0) },
		"coalesce": func(c *Context, a []any) (any, error) {
			for _, v := range a {
				if v != nil {
					return v, nil
				}
			}
			return nil, nil
		},
		"greater":         compareFn(func(c int) bool { return c > 0 }),
		"greaterorequals": compareFn(func(c int) bool { return c >= 0 }),
		"less":            compareFn(func(c int) bool { return c < 0 }),
		"lessorequals":    compareFn(func(c int) bool { return c <= 0 }),

		// Strings.
		"concat":  fnConcat,
		"format":  fnFormat,
		"tolower": stringFn(strings.ToLower),
		"toupper": stringFn(strings.ToUpper),
		"trim":    stringFn(strings.TrimSpace),
		"string":  fnString,
		"int":     fnInt,
		"json": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			if err != nil {
				return nil, err
			}
			v, err := jsonpos.Decode([]byte(s))
			if err != nil {
				return nil, fmt.Errorf("%q is not JSON", s)
			}
			return v, nil
		},
		"split": func(c *Context, a []any) (any, error) {
			if err := arity(a, 2, 2); err != nil {
				return nil, err
			}
			s, ok := a[0].(string)
			if !ok {
				return nil, fmt.Errorf("expected a string, got %s", TypeName(a[0]))
			}
			var seps []string
			switch d := a[1].(type) {
			case string:
				seps = []string{d}
			case []any:
				for _, x := range d {
					if xs, ok := x.(string); ok {
						seps = append(seps, xs)
					}
				}
			default:
				return nil, fmt.Errorf("delimiter is %s, expected a string or an array of strings", TypeName(a[1]))
			}
			parts := []string{s}
			for _, sep := range seps {
				if sep == "" {
					continue
				}
				var next []string
				for _, p := range parts {
					next = append(next, strings.Split(p, sep)...)
				}
				parts = next
			}
			out := make([]any, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out, nil
		},
		"replace": func(c *Context, a []any) (any, error) {
			ss, err := strings3(a)
			if err != nil {
				return nil, err
			}
			if ss[1] == "" {
				return ss[0], nil
			}
			if n := strings.Count(ss[0], ss[1]); len(ss[0])+n*len(ss[2]) > maxString {
				return nil, fmt.Errorf("result too long")
			}
			return strings.ReplaceAll(ss[0], ss[1], ss[2]), nil
		},
		"substring": func(c *Context, a []any) (any, error) {
			if err := arity(a, 2, 3); err != nil {
				return nil, err
			}
			s, ok := a[0].(string)
			start, ok2 := a[1].(int64)
			if !ok || !ok2 {
				return nil, fmt.Errorf("expected a string and a start index")
			}
			n := int64(len(s)) - start
			if len(a) == 3 {
				l, ok := a[2].(int64)
				if !ok {
					return nil, fmt.Errorf("length is %s, expected a number", TypeName(a[2]))
				}
				n = l
			}
			if start < 0 || n < 0 || start+n > int64(len(s)) {
				return nil, fmt.Errorf("start %d and length %d are out of range for a string of length %d", start, n, len(s))
			}
			return s[start : start+n], nil
		},
		"padleft": func(c *Context, a []any) (any, error) {
			if err := arity(a, 2, 3); err != nil {
				return nil, err
			}
			s, ok := ScalarString(a[0])
			n, ok2 := a[1].(int64)
			if !ok || !ok2 {
				return nil, fmt.Errorf("expected a value and a total length")
			}
			pad := " "
			if len(a) == 3 {
				p, ok := a[2].(string)
				if !ok || len(p) != 1 {
					return nil, fmt.Errorf("padding is %s, expected one character", Describe(a[2]))
				}
				pad = p
			}
			if n > maxPadLeft {
				return nil, fmt.Errorf("total length %d is too large; nsgsim pads to at most %d characters", n, maxPadLeft)
			}
			if k := int(n) - len(s); k > 0 {
				s = strings.Repeat(pad, k) + s
			}
			return s, nil
		},
		"indexof":     strPosFn(func(s, t string) int { return strings.Index(strings.ToLower(s), strings.ToLower(t)) }),
		"lastindexof": strPosFn(func(s, t string) int { return strings.LastIndex(strings.ToLower(s), strings.ToLower(t)) }),
		"startswith": strPredFn(func(s, t string) bool {
			return strings.HasPrefix(strings.ToLower(s), strings.ToLower(t))
		}),
		"endswith": strPredFn(func(s, t string) bool {
			return strings.HasSuffix(strings.ToLower(s), strings.ToLower(t))
		}),
		"uniquestring": fnUniqueString,
		"guid":         fnGUID,
		"base64": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			return base64.StdEncoding.EncodeToString([]byte(s)), err
		},
		"uricomponent": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			return strings.ReplaceAll(url.QueryEscape(s), "+", "%20"), err
		},
		"uricomponenttostring": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			if err != nil {
				return nil, err
			}
			u, err := url.PathUnescape(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not URI-encoded", s)
			}
			return u, nil
		},
		"datauri": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			return "data:text/plain;charset=utf8;base64," + base64.StdEncoding.EncodeToString([]byte(s)), err
		},
		"datauritostring": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			if err != nil {
				return nil, err
			}
			_, data, ok := strings.Cut(s, ";base64,")
			b, derr := base64.StdEncoding.DecodeString(data)
			if !ok || derr != nil {
				return nil, fmt.Errorf("%q is not a base64 data URI", s)
			}
			return string(b), nil
		},
		"base64tostring": func(c *Context, a []any) (any, error) {
			s, err := oneString(a)
			if err != nil {
				return nil, err
			}
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return nil, fmt.Errorf("%q is not base64", s)
			}
			return string(b), nil
		},
		"uri": func(c *Context, a []any) (any, error) {
			if err := arity(a, 2, 2); err != nil {
				return nil, err
			}
			base, ok := a[0].(string)
			rel, ok2 := a[1].(string)
			if !ok || !ok2 {
				return nil, fmt.Errorf("expected two strings")
			}
			if i := strings.LastIndex(base, "/"); i >= 0 {
				base = base[:i+1]
			}
			return base + strings.TrimPrefix(rel, "/"), nil
		},

		// Arrays and objects.
		"createarray": func(c *Context, a []any) (any, error) { return append([]any{}, a...), nil },
		"array": func(c *Context, a []any) (any, error) {
			if err := arity(a, 1, 1); err != nil {
				return nil, err
			}
			if arr, ok := a[0].([]any); ok {
				return arr, nil
			}
			return []any{a[0]}, nil
		},
		"createobject": func(c *Context, a []any) (any, error) {
			if len(a)%2 != 0 {
				return nil, fmt.Errorf("expects key and value pairs, got %d arguments", len(a))
			}
			m := map[string]any{}
			for i := 0; i < len(a); i += 2 {
				k, ok := a[i].(string)
				if !ok {
					return nil, fmt.Errorf("key %d is %s, expected a string", i/2, TypeName(a[i]))
				}
				m[k] = a[i+1]
			}
			return m, nil
		},
		"empty": func(c *Context, a []any) (any, error) {
			if err := arity(a, 1, 1); err != nil {
				return nil, err
			}
			switch v := a[0].(type) {
			case nil:
				return true, nil
			case string:
				return v == "", nil
			case []any:
				return len(v) == 0, nil
			case map[string]any:
				return len(v) == 0, nil
			}
			return nil, fmt.Errorf("expected a string, an array or an object, got %s", TypeName(a[0]))
		},
		"length": func(c *Context, a []any) (any, error) {
			if err := arity(a, 1, 1); err != nil {
				return nil, err
			}
			switch v := a[0].(type) {
			case string:
				return int64(len(v)), nil
			case []any:
				return int64(len(v)), nil
			case map[string]any:
				return int64(len(v)), nil
			}
			return nil, fmt.Errorf("expected a string, an array or an object, got %s", TypeName(a[0]))
		},
		"first": endFn(true),
		"last":  endFn(false),
		"contains": func(c *Context, a []any) (any, error) {
			if err := arity(a, 2, 2); err != nil {
				return nil, err
			}
			switch v := a[0].(type) {
			case string:
				s, ok := ScalarString(a[1])
				if !ok {
					return nil, fmt.Errorf("cannot look for %s in a string", TypeName(a[1]))
				}
				return strings.Contains(v, s), nil
			case []any:
				for _, x := range v {
					if DeepEqual(x, a[1]) {
						return true, nil
					}
				}
				return false, nil
			case map[string]any:
				s, _ := a[1].(string)
				_, ok := LookupKey(v, s)
				return ok, nil
			}
			return nil, fmt.Errorf("expected a string, an array or an object, got %s", TypeName(a[0]))
		},
		"union":        fnUnion,
		"intersection": fnIntersection,
		"range": func(c *Context, a []any) (any, error) {
			if err := arity(a, 2, 2); err != nil {
				return nil, err
			}
			start, ok := a[0].(int64)
			n, ok2 := a[1].(int64)
			if !ok || !ok2 || n < 0 || n > 10000 {
				return nil, fmt.Errorf("expected a start and a count from 0 to 10000")
			}
			out := make([]any, n)
			for i := range out {
				out[i] = start + int64(i)
			}
			return out, nil
		},
		"skip": sliceFn(true),
		"take": sliceFn(false),
		"join": func(c *Context, a []any) (any, error) {
			if err := arity(a, 2, 2); err != nil {
				return nil, err
			}
			arr, ok := a[0].([]any)
			sep, ok2 := a[1].(string)
			if !ok || !ok2 {
				return nil, fmt.Errorf("expected an array and a delimiter")
			}
			parts := make([]string, len(arr))
			for i, x := range arr {
				s, ok := ScalarString(x)
				if !ok {
					return nil, fmt.Errorf("element %d is %s, expected a string", i, TypeName(x))
				}
				parts[i] = s
			}
			return strings.Join(parts, sep), nil
		},
		"flatten": func(c *Context, a []any) (any, error) {
			if err := arity(a, 1, 1); err != nil {
				return nil, err
			}
			arr, ok := a[0].([]any)
			if !ok {
				return nil, fmt.Errorf("expected an array of arrays")
			}
			var out []any
			for _, x := range arr {
				inner, ok := x.([]any)
				if !ok {
					return nil, fmt.Errorf("element is %s, expected an array", TypeName(x))
				}
				out = append(out, inner...)
			}
			return out, nil
		},
		"items": func(c *Context, a []any) (any, error) {
			m, err := oneObject(a)
			if err != nil {
				return nil, err
			}
			keys := SortedKeys(m)
			out := make([]any, len(keys))
			for i, k := range keys {
				out[i] = map[string]any{"key": k, "value": m[k]}
			}
			return out, nil
		},
		"objectkeys": func(c *Context, a []any) (any, error) {
			m, err := oneObject(a)
			if err != nil {
				return nil, err
			}
			var out []any
			for _, k := range SortedKeys(m) {
				out = append(out, k)
			}
			return out, nil
		},
		"shallowmerge":    fnShallowMerge,
		"indexfromend":    indexFromEnd(false),
		"tryindexfromend": indexFromEnd(true),
		"tryget": func(c *Context, a []any) (any, error) {
			if len(a) < 2 {
				return nil, fmt.Errorf("expects an object and at least one key")
			}
			v := a[0]
			for _, k := range a[1:] {
				var ok bool
				switch k := k.(type) {
				case string:
					v, ok = LookupKey(v, k)
				case int64:
					arr, isArr := v.([]any)
					if ok = isArr && k >= 0 && k < int64(len(arr)); ok {
						v = arr[k]
					}
				}
				if !ok {
					return nil, nil
				}
			}
			return v, nil
		},

		// Numbers.
		"add": arith(func(x, y int64) (int64, error) { return x + y, nil }),
		"sub": arith(func(x, y int64) (int64, error) { return x - y, nil }),
		"mul": arith(func(x, y int64) (int64, error) { return x * y, nil }),
		"div": arith(func(x, y int64) (int64, error) {
			if y == 0 {
				return 0, fmt.Errorf("division by zero")
			}
			return x / y, nil
		}),
		"mod": arith(func(x, y int64) (int64, error) {
			if y == 0 {
				return 0, fmt.Errorf("division by zero")
			}
			return x % y, nil
		}),
		"min": minMax(true),
		"max": minMax(false),

		// IP addresses (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/template-functions-cidr).
		"parsecidr":  fnParseCidr,
		"cidrsubnet": fnCidrSubnet,
		"cidrhost":   fnCidrHost,
	}
	armFuncs["map"] = fnMap
	armFuncs["filter"] = fnFilter
	armFuncs["reduce"] = fnReduce
	armFuncs["sort"] = fnSort
	armFuncs["toobject"] = fnToObject
	armFuncs["groupby"] = fnGroupBy
	armFuncs["mapvalues"] = fnMapValues
	armFuncs["lambdavariables"] = fnLambdaVariables
}

func arity(a []any, lo, hi int) error {
	if len(a) < lo || len(a) > hi {
		if lo == hi {
			return fmt.Errorf("expects %d arguments, got %d", lo, len(a))
		}
		return fmt.Errorf("expects %d to %d arguments, got %d", lo, hi, len(a))
	}
	return nil
}

func oneString(a []any) (string, error) {
	if err := arity(a, 1, 1); err != nil {
		return "", err
	}
	s, ok := a[0].(string)
	if !ok {
		return "", fmt.Errorf("expected a string, got %s", TypeName(a[0]))
	}
	return s, nil
}

func oneObject(a []any) (map[string]any, error) {
	if err := arity(a, 1, 1); err != nil {
		return nil, err
	}
	m, ok := a[0].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected an object, got %s", TypeName(a[0]))
	}
	return m, nil
}

func strings3(a []any) ([3]string, error) {
	var out [3]string
	if err := arity(a, 3, 3); err != nil {
		return out, err
	}
	for i := range out {
		s, ok := a[i].(string)
		if !ok {
			return out, fmt.Errorf("argument %d is %s, expected a string", i+1, TypeName(a[i]))
		}
		out[i] = s
	}
	return out, nil
}

func deployTime(name string) armFunc {
	return func(c *Context, a []any) (any, error) {
		return nil, fmt.Errorf("%s() is known only when the template is deployed", name)
	}
}

func stringFn(f func(string) string) armFunc {
	return func(c *Context, a []any) (any, error) {
		s, err := oneString(a)
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

func twoStrings(a []any) (s, t string, err error) {
	if err := arity(a, 2, 2); err != nil {
		return "", "", err
	}
	s, ok := a[0].(string)
	t, ok2 := a[1].(string)
	if !ok || !ok2 {
		return "", "", fmt.Errorf("expected two strings")
	}
	return s, t, nil
}

func strPosFn(f func(s, t string) int) armFunc {
	return func(c *Context, a []any) (any, error) {
		s, t, err := twoStrings(a)
		if err != nil {
			return nil, err
		}
		return int64(f(s, t)), nil
	}
}

func strPredFn(f func(s, t string) bool) armFunc {
	return func(c *Context, a []any) (any, error) {
		s, t, err := twoStrings(a)
		if err != nil {
			return nil, err
		}
		return f(s, t), nil
	}
}

func compareFn(f func(int) bool) armFunc {
	return func(c *Context, a []any) (any, error) {
		if err := arity(a, 2, 2); err != nil {
			return nil, err
		}
		switch x := a[0].(type) {
		case int64:
			if y, ok := a[1].(int64); ok {
				switch {
				case x < y:
					return f(-1), nil
				case x > y:
					return f(1), nil
				}
				return f(0), nil
			}
		case string:
			if y, ok := a[1].(string); ok {
				return f(strings.Compare(x, y)), nil
			}
		}
		return nil, fmt.Errorf("cannot compare %s with %s", TypeName(a[0]), TypeName(a[1]))
	}
}

func arith(f func(x, y int64) (int64, error)) armFunc {
	return func(c *Context, a []any) (any, error) {
		if err := arity(a, 2, 2); err != nil {
			return nil, err
		}
		x, ok := a[0].(int64)
		y, ok2 := a[1].(int64)
		if !ok || !ok2 {
			return nil, fmt.Errorf("expected two numbers, got %s and %s", TypeName(a[0]), TypeName(a[1]))
		}
		return f(x, y)
	}
}

func minMax(isMin bool) armFunc {
	return func(c *Context, a []any) (any, error) {
		vals := a
		if len(a) == 1 {
			if arr, ok := a[0].([]any); ok {
				vals = arr
			}
		}
		if len(vals) == 0 {
			return nil, fmt.Errorf("expects at least one number")
		}
		var best int64
		for i, v := range vals {
			n, ok := v.(int64)
			if !ok {
				return nil, fmt.Errorf("expected numbers, got %s", TypeName(v))
			}
			if i == 0 || isMin && n < best || !isMin && n > best {
				best = n
			}
		}
		return best, nil
	}
}

func endFn(first bool) armFunc {
	return func(c *Context, a []any) (any, error) {
		if err := arity(a, 1, 1); err != nil {
			return nil, err
		}
		switch v := a[0].(type) {
		case string:
			if v == "" {
				return "", nil
			}
			if first {
				return v[:1], nil
			}
			return v[len(v)-1:], nil
		case []any:
			if len(v) == 0 {
				return nil, nil
			}
			if first {
				return v[0], nil
			}
			return v[len(v)-1], nil
		}
		return nil, fmt.Errorf("expected a string or an array, got %s", TypeName(a[0]))
	}
}

func sliceFn(skip bool) armFunc {
	return func(c *Context, a []any) (any, error) {
		if err := arity(a, 2, 2); err != nil {
			return nil, err
		}
		n, ok := a[1].(int64)
		if !ok {
			return nil, fmt.Errorf("count is %s, expected a number", TypeName(a[1]))
		}
		clamp := func(l int) int {
			switch {
			case n < 0:
				return 0
			case n > int64(l):
				return l
			}
			return int(n)
		}
		switch v := a[0].(type) {
		case string:
			k := clamp(len(v))
			if skip {
				return v[k:], nil
			}
			return v[:k], nil
		case []any:
			k := clamp(len(v))
			if skip {
				return append([]any{}, v[k:]...), nil
			}
			return append([]any{}, v[:k]...), nil
		}
		return nil, fmt.Errorf("expected a string or an array, got %s", TypeName(a[0]))
	}
}

// SortedKeys returns the keys of m, sorted.
func SortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// DeepEqual compares two JSON values; strings compare case-sensitively,
// as equals() does.
func DeepEqual(x, y any) bool {
	x, y = Unwrap(x), Unwrap(y)
	switch xv := x.(type) {
	case nil:
		return y == nil
	case string:
		yv, ok := y.(string)
		return ok && xv == yv
	case bool:
		yv, ok := y.(bool)
		return ok && xv == yv
	case jsonpos.BigInt:
		yv, ok := y.(jsonpos.BigInt)
		return ok && xv == yv
	case int64:
		switch yv := y.(type) {
		case int64:
			return xv == yv
		case float64:
			return float64(xv) == yv
		}
	case float64:
		switch yv := y.(type) {
		case int64:
			return xv == float64(yv)
		case float64:
			return xv == yv
		}
	case []any:
		yv, ok := y.([]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for i := range xv {
			if !DeepEqual(xv[i], yv[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok || len(xv) != len(yv) {
			return false
		}
		for k, v := range xv {
			w, ok := LookupKey(yv, k)
			if !ok || !DeepEqual(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// fnShallowMerge merges an array of objects, later members winning, without
// merging nested objects
// (https://learn.microsoft.com/en-us/azure/azure-resource-manager/templates/template-functions-object#shallowmerge).
func fnShallowMerge(c *Context, a []any) (any, error) {
	if err := arity(a, 1, 1); err != nil {
		return nil, err
	}
	arr, ok := a[0].([]any)
	if !ok {
		return nil, fmt.Errorf("expected an array of objects, got %s", TypeName(a[0]))
	}
	out := map[string]any{}
	for i, x := range arr {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("element %d is %s, expected an object", i, TypeName(x))
		}
		for k, v := range m {
			out[k] = v
		}
	}
	return out, nil
}

// indexFromEnd is indexFromEnd(array, n), the n-th element from the end
// (1 is the last), which Bicep's arr[^n] compiles to; tryIndexFromEnd
// gives null out of range.
func indexFromEnd(try bool) armFunc {
	return func(c *Context, a []any) (any, error) {
		if err := arity(a, 2, 2); err != nil {
			return nil, err
		}
		arr, ok := a[0].([]any)
		n, ok2 := a[1].(int64)
		if !ok || !ok2 {
			return nil, fmt.Errorf("expected an array and a number")
		}
		if n < 1 || n > int64(len(arr)) {
			if try {
				return nil, nil
			}
			return nil, fmt.Errorf("index %d from the end is out of range for an array of length %d", n, len(arr))
		}
		return arr[int64(len(arr))-n], nil
	}
}

func fnCopyIndex(c *Context, a []any) (any, error) {
	if err := arity(a, 0, 2); err != nil {
		return nil, err
	}
	var name string
	var offset int64
	for i, v := range a {
		switch v := v.(type) {
		case string:
			if i != 0 {
				return nil, fmt.Errorf("the loop name must come first")
			}
			name = v
		case int64:
			offset = v
		default:
			return nil, fmt.Errorf("argument is %s, expected a loop name or an offset", TypeName(v))
		}
	}
	if name != "" {
		i, ok := c.loops[strings.ToLower(name)]
		if !ok {
			return nil, fmt.Errorf("no copy loop named %q encloses this expression", name)
		}
		return int64(i) + offset, nil
	}
	if !c.inRes {
		return nil, fmt.Errorf("copyIndex() without a loop name is used outside a resource copy loop")
	}
	return int64(c.resLoop) + offset, nil
}

func fnConcat(c *Context, a []any) (any, error) {
	if len(a) == 0 {
		return "", nil
	}
	if _, isArr := a[0].([]any); isArr || a[0] == nil && len(a) > 1 && isArray(a[1]) {
		var out []any
		for i, v := range a {
			switch v := v.(type) {
			case []any:
				out = append(out, v...)
			case nil:
			default:
				return nil, fmt.Errorf("argument %d is %s; concat() of arrays takes only arrays", i+1, TypeName(v))
			}
		}
		return out, nil
	}
	var b strings.Builder
	for i, v := range a {
		if v == nil {
			continue
		}
		s, ok := ScalarString(v)
		if !ok {
			return nil, fmt.Errorf("argument %d is %s; concat() takes strings or arrays", i+1, TypeName(v))
		}
		b.WriteString(s)
		if b.Len() > maxString {
			return nil, fmt.Errorf("result too long")
		}
	}
	return b.String(), nil
}

func isArray(v any) bool {
	_, ok := v.([]any)
	return ok
}

// fnFormat implements format() with .NET composite formatting: "{0}",
// "{1:D3}" (zero padding), "{{" and "}}".
func fnFormat(c *Context, a []any) (any, error) {
	if len(a) == 0 {
		return nil, fmt.Errorf("expects a format string")
	}
	f, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("the format is %s, expected a string", TypeName(a[0]))
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		ch := f[i]
		switch {
		case ch == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case ch == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case ch == '{':
			j := strings.IndexByte(f[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("format %q: { is not closed", f)
			}
			spec := f[i+1 : i+j]
			i += j
			idxStr, verb, _ := strings.Cut(spec, ":")
			n, err := strconv.Atoi(strings.TrimSpace(idxStr))
			if err != nil || n < 0 || n+1 >= len(a) {
				return nil, fmt.Errorf("format %q: {%s} does not name one of the %d arguments", f, spec, len(a)-1)
			}
			v := a[n+1]
			s, ok := ScalarString(v)
			if v == nil {
				s, ok = "", true
			}
			if !ok {
				return nil, fmt.Errorf("format %q: argument %d is %s", f, n, TypeName(v))
			}
			if verb != "" {
				iv, isInt := v.(int64)
				width, werr := strconv.Atoi(verb[1:])
				if len(verb) > 1 && (verb[0] == 'D' || verb[0] == 'd') && isInt && werr == nil && width <= 64 {
					s = fmt.Sprintf("%0*d", width, iv)
				} else if verb != "D" && verb != "d" {
					return nil, fmt.Errorf("format %q: the format specifier %q is not supported", f, verb)
				}
			}
			b.WriteString(s)
		default:
			b.WriteByte(ch)
		}
		if b.Len() > maxString {
			return nil, fmt.Errorf("result too long")
		}
	}
	return b.String(), nil
}

func fnString(c *Context, a []any) (any, error) {
	if err := arity(a, 1, 1); err != nil {
		return nil, err
	}
	switch v := a[0].(type) {
	case nil:
		return "", nil
	case bool:
		// ARM prints booleans the .NET way.
		if v {
			return "True", nil
		}
		return "False", nil
	case []any, map[string]any:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
	s, _ := ScalarString(a[0])
	return s, nil
}

func fnInt(c *Context, a []any) (any, error) {
	if err := arity(a, 1, 1); err != nil {
		return nil, err
	}
	switch v := a[0].(type) {
	case int64:
		return v, nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			break
		}
		return int64(v), nil
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n, nil
		}
	}
	return nil, fmt.Errorf("cannot convert %s to an int", Describe(a[0]))
}

// fnUnion returns the union of arrays (elements in order of first
// appearance, without duplicates) or of objects (later members win, nested
// objects merge). Duplicates are found by key, so the cost is linear in the
// size of the arguments, which eval charges to the value budget.
func fnUnion(c *Context, a []any) (any, error) {
	if len(a) == 0 {
		return nil, fmt.Errorf("expects at least one argument")
	}
	switch a[0].(type) {
	case []any:
		var out []any
		seen := map[string]bool{}
		for _, v := range a {
			arr, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("cannot take the union of an array and %s", TypeName(v))
			}
			for _, x := range arr {
				k := keyOf(x)
				if !seen[k] {
					seen[k] = true
					out = append(out, x)
				}
			}
		}
		return out, nil
	case map[string]any:
		out := map[string]any{}
		for _, v := range a {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("cannot take the union of an object and %s", TypeName(v))
			}
			mergeInto(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected arrays or objects, got %s", TypeName(a[0]))
}

// mergeInto merges m into out; nested objects merge recursively, as union()
// does.
func mergeInto(out, m map[string]any) {
	for k, v := range m {
		if vm, ok := v.(map[string]any); ok {
			if om, ok := out[k].(map[string]any); ok {
				merged := map[string]any{}
				mergeInto(merged, om)
				mergeInto(merged, vm)
				out[k] = merged
				continue
			}
		}
		out[k] = v
	}
}

// fnIntersection returns the elements (or members) common to every
// argument, in linear time, as fnUnion.
func fnIntersection(c *Context, a []any) (any, error) {
	if len(a) < 2 {
		return nil, fmt.Errorf("expects at least two arguments")
	}
	switch first := a[0].(type) {
	case []any:
		in := make([]map[string]bool, 0, len(a)-1)
		for _, v := range a[1:] {
			arr, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("cannot intersect an array and %s", TypeName(v))
			}
			set := make(map[string]bool, len(arr))
			for _, y := range arr {
				set[keyOf(y)] = true
			}
			in = append(in, set)
		}
		var out []any
		seen := map[string]bool{}
		for _, x := range first {
			k := keyOf(x)
			all := !seen[k]
			for _, set := range in {
				all = all && set[k]
			}
			if all {
				seen[k] = true
				out = append(out, x)
			}
		}
		return out, nil
	case map[string]any:
		out := map[string]any{}
		for k, x := range first {
			in := true
			for _, v := range a[1:] {
				m, ok := v.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("cannot intersect an object and %s", TypeName(v))
				}
				y, ok := m[k]
				in = in && ok && DeepEqual(x, y)
			}
			if in {
				out[k] = x
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected arrays or objects, got %s", TypeName(a[0]))
}

// fnUniqueString returns a deterministic 13-character string from its
// arguments. It is not the hash Azure computes (which nsgsim cannot know
// offline in general, as it depends on the real subscription), only a stable
// stand-in with the same shape.
func fnUniqueString(c *Context, a []any) (any, error) {
	h := fnv.New64a()
	if err := hashArgs(h, a); err != nil {
		return nil, err
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	x := h.Sum64()
	var b [13]byte
	for i := range b {
		b[i] = alphabet[x&31]
		x >>= 5
	}
	return string(b[:]), nil
}

// fnGUID returns a deterministic GUID from its arguments (a name-based UUID
// over SHA-1, as guid() is deterministic too; not Azure's exact value).
func fnGUID(c *Context, a []any) (any, error) {
	h := sha1.New()
	if err := hashArgs(h, a); err != nil {
		return nil, err
	}
	sum := h.Sum(nil)
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		binary.BigEndian.Uint32(sum[0:4]), sum[4:6], sum[6:8], sum[8:10], sum[10:16]), nil
}

// hashArgs writes the arguments of uniqueString() or guid(), one or more
// strings, to h, each followed by '-'.
func hashArgs(h hash.Hash, a []any) error {
	if len(a) == 0 {
		return fmt.Errorf("expects at least one argument")
	}
	for i, v := range a {
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("argument %d is %s, expected a string", i+1, TypeName(v))
		}
		h.Write([]byte(s))
		h.Write([]byte{'-'})
	}
	return nil
}

func stringArgs(a []any) ([]string, error) {
	out := make([]string, len(a))
	for i, v := range a {
		s, ok := ScalarString(v)
		if !ok {
			return nil, fmt.Errorf("argument %d is %s, expected a string", i+1, TypeName(v))
		}
		out[i] = s
	}
	return out, nil
}

// fnResourceID implements resourceId([subscriptionId], [resourceGroupName],
// resourceType, resourceName1, resourceName2, ...).
func fnResourceID(c *Context, a []any) (any, error) {
	ss, err := stringArgs(a)
	if err != nil {
		return nil, err
	}
	ti := -1
	for i, s := range ss {
		if strings.Contains(s, "/") {
			ti = i
			break
		}
	}
	if ti < 0 || ti > 2 {
		return nil, fmt.Errorf("no resource type NAMESPACE/TYPE among the first three arguments")
	}
	sub, rg := c.env.Scope().SubscriptionID, c.env.Scope().ResourceGroup
	switch ti {
	case 1:
		rg = ss[0]
	case 2:
		sub, rg = ss[0], ss[1]
	}
	return buildID(sub, rg, ss[ti], ss[ti+1:])
}

func buildID(sub, rg, typ string, names []string) (any, error) {
	typ = strings.Trim(typ, "/")
	var parts []string
	for _, n := range names {
		parts = append(parts, strings.Split(n, "/")...)
	}
	id, ok := MakeResourceID(sub, rg, typ, parts)
	if !ok {
		return nil, fmt.Errorf("type %s needs %d names, got %d", typ, strings.Count(typ, "/"), len(parts))
	}
	return id.String(), nil
}

func fnSubscriptionResourceID(c *Context, a []any) (any, error) {
	ss, err := stringArgs(a)
	if err != nil {
		return nil, err
	}
	sub := c.env.Scope().SubscriptionID
	if len(ss) > 0 && !strings.Contains(ss[0], "/") {
		sub, ss = ss[0], ss[1:]
	}
	if len(ss) == 0 {
		return nil, fmt.Errorf("no resource type")
	}
	return buildID(sub, "", ss[0], ss[1:])
}

func fnTenantResourceID(c *Context, a []any) (any, error) {
	ss, err := stringArgs(a)
	if err != nil {
		return nil, err
	}
	for len(ss) > 0 && !strings.Contains(ss[0], "/") {
		ss = ss[1:]
	}
	if len(ss) == 0 {
		return nil, fmt.Errorf("no resource type")
	}
	id, err := buildID("x", "", ss[0], ss[1:])
	if err != nil {
		return nil, err
	}
	return strings.TrimPrefix(id.(string), "/subscriptions/x"), nil
}

func fnExtensionResourceID(c *Context, a []any) (any, error) {
	ss, err := stringArgs(a)
	if err != nil {
		return nil, err
	}
	if len(ss) < 2 {
		return nil, fmt.Errorf("expects a base ID, a type and names")
	}
	id, err := buildID("x", "", ss[1], ss[2:])
	if err != nil {
		return nil, err
	}
	return strings.TrimSuffix(ss[0], "/") + strings.TrimPrefix(id.(string), "/subscriptions/x"), nil
}

// fnReference is reference(): the template (Env) knows its resources.
func fnReference(c *Context, a []any) (any, error) {
	if err := arity(a, 1, 3); err != nil {
		return nil, err
	}
	return c.env.Reference(a)
}

func parseCIDR4(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("%q is not an IPv4 CIDR prefix", s)
	}
	return p.Masked(), nil
}

func addrAdd(a netip.Addr, n uint32) netip.Addr {
	b := a.As4()
	v := binary.BigEndian.Uint32(b[:]) + n
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

func lastAddr(p netip.Prefix) netip.Addr {
	return addrAdd(p.Addr(), uint32(1<<(32-p.Bits())-1))
}

func fnParseCidr(c *Context, a []any) (any, error) {
	s, err := oneString(a)
	if err != nil {
		return nil, err
	}
	p, err := parseCIDR4(s)
	if err != nil {
		return nil, err
	}
	mask := netip.AddrFrom4([4]byte{})
	if p.Bits() > 0 {
		mask = addrAdd(mask, ^uint32(0)<<(32-p.Bits()))
	}
	first, last := p.Addr(), lastAddr(p)
	if p.Bits() < 31 {
		first, last = first.Next(), last.Prev()
	}
	return map[string]any{
		"network": p.Addr().String(), "netmask": mask.String(), "broadcast": lastAddr(p).String(),
		"firstUsable": first.String(), "lastUsable": last.String(), "cidr": int64(p.Bits()),
	}, nil
}

func fnCidrSubnet(c *Context, a []any) (any, error) {
	if err := arity(a, 3, 3); err != nil {
		return nil, err
	}
	s, ok := a[0].(string)
	bits, ok2 := a[1].(int64)
	idx, ok3 := a[2].(int64)
	if !ok || !ok2 || !ok3 {
		return nil, fmt.Errorf("expects a CIDR, a prefix length and an index")
	}
	p, err := parseCIDR4(s)
	if err != nil {
		return nil, err
	}
	if bits < int64(p.Bits()) || bits > 32 || idx < 0 || idx >= 1<<(bits-int64(p.Bits())) {
		return nil, fmt.Errorf("subnet /%d number %d does not fit in %s", bits, idx, p)
	}
	start := addrAdd(p.Addr(), uint32(idx)<<(32-bits))
	return netip.PrefixFrom(start, int(bits)).String(), nil
}

func fnCidrHost(c *Context, a []any) (any, error) {
	if err := arity(a, 2, 2); err != nil {
		return nil, err
	}
	s, ok := a[0].(string)
	idx, ok2 := a[1].(int64)
	if !ok || !ok2 {
		return nil, fmt.Errorf("expects a CIDR and a host index")
	}
	p, err := parseCIDR4(s)
	if err != nil {
		return nil, err
	}
	size := int64(1) << (32 - p.Bits())
	// Host 0 is the first address after the network address.
	if idx < 0 || idx+1 >= size-1 && p.Bits() < 31 {
		return nil, fmt.Errorf("host %d does not fit in %s", idx, p)
	}
	return addrAdd(p.Addr(), uint32(idx+1)).String(), nil
}
