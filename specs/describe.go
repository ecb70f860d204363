package specs

import (
	"errors"
	"regexp"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Problem is one thing a validation error found wrong, with the field it
// concerns: a dotted JSON path into the body ("transactions.0.payment_method"),
// or a parameter or header name ("perpage", "X-Request-ID").
type Problem struct {
	Field  string
	Reason string
}

func (p Problem) String() string { return p.Field + ": " + p.Reason }

var missingProperty = regexp.MustCompile(`^property "([^"]+)" is missing$`)

// Problems lists what a kin-openapi validation error (request, response or
// schema) says is wrong, field by field, without kin-openapi's schema dumps.
func Problems(err error) []Problem {
	var out []Problem
	var walk func(error)
	walk = func(err error) {
		// Only a MultiError at this level: errors.As would also find one
		// inside a parameter's RequestError and lose the parameter's name.
		if multi, ok := err.(openapi3.MultiError); ok {
			for _, e := range multi {
				walk(e)
			}
			return
		}
		var reqErr *openapi3filter.RequestError
		if errors.As(err, &reqErr) {
			switch {
			case reqErr.Parameter != nil:
				out = append(out, Problem{Field: reqErr.Parameter.Name, Reason: reasonOf(reqErr.Err, reqErr.Reason)})
			case reqErr.Err != nil:
				walk(reqErr.Err)
			default:
				out = append(out, Problem{Field: "body", Reason: reqErr.Reason})
			}
			return
		}
		var respErr *openapi3filter.ResponseError
		if errors.As(err, &respErr) && respErr.Err != nil {
			walk(respErr.Err)
			return
		}
		var schemaErr *openapi3.SchemaError
		if errors.As(err, &schemaErr) {
			// A property written as allOf: [$ref] (to carry its own
			// description) fails as a whole; its Origin names the field
			// inside it, with the full path.
			for inner := (*openapi3.SchemaError)(nil); schemaErr.SchemaField == "allOf" && errors.As(schemaErr.Origin, &inner); {
				schemaErr = inner
			}
			path := schemaErr.JSONPointer()
			// A missing required property is reported on its parent object.
			if m := missingProperty.FindStringSubmatch(schemaErr.Reason); m != nil && (len(path) == 0 || path[len(path)-1] != m[1]) {
				path = append(append([]string(nil), path...), m[1])
			}
			field := strings.Join(path, ".")
			if field == "" {
				field = "body"
			}
			out = append(out, Problem{Field: field, Reason: schemaErr.Reason})
			return
		}
		out = append(out, Problem{Field: "request", Reason: err.Error()})
	}
	walk(err)
	return out
}

// Describe is Problems as one line: "amount: value must be an integer; …".
func Describe(err error) string {
	problems := Problems(err)
	parts := make([]string, len(problems))
	for i, p := range problems {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

func reasonOf(err error, reason string) string {
	if err != nil {
		var schemaErr *openapi3.SchemaError
		if errors.As(err, &schemaErr) {
			return schemaErr.Reason
		}
		return err.Error()
	}
	return reason
}
