// Package genclient holds what every generated client (gen/<provider>,
// from gen/templates/client.tmpl) shares, so the five generated files do
// not each carry a copy.
package genclient

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/oapi-codegen/runtime"
)

// CheckServer refuses a server URL that operation paths cannot be appended
// to.
func CheckServer(server string) error {
	u, err := url.Parse(server)
	if err != nil {
		return fmt.Errorf("server URL: %w", err)
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("server URL %q has a query or fragment: operation paths are appended to it", server)
	}
	return nil
}

// ServerBase is server without its trailing slash; an operation's path,
// which starts with one, is appended to it.
func ServerBase(server string) string {
	return strings.TrimSuffix(server, "/")
}

// PathSegment escapes the value of the path parameter name as one path
// segment.
func PathSegment(name, value string) (string, error) {
	if err := CheckSegment(name, value); err != nil {
		return "", err
	}
	return url.PathEscape(value), nil
}

// CheckSegment refuses "." and "..": as a path segment either would name
// another resource than the operation's.
func CheckSegment(name, segment string) error {
	if segment == "." || segment == ".." {
		return fmt.Errorf("path parameter %s: %q would name another resource", name, segment)
	}
	return nil
}

// AddQuery appends one encoded query fragment ("name=value", or several
// joined by "&") to query.
func AddQuery(query, fragment string) string {
	switch {
	case fragment == "":
		return query
	case query == "":
		return fragment
	}
	return query + "&" + fragment
}

// IsZero reports a parameter left at its zero value: an optional one is
// then not sent, so it needs no pointer to say "absent".
func IsZero[T comparable](v T) bool {
	var zero T
	return v == zero
}

// QueryPair is a form-style query fragment of one string value, encoded by
// runtime.DefaultQueryEncoder as the runtime's own styling would.
func QueryPair(name, value string) string {
	return runtime.DefaultQueryEncoder.EscapeQueryValue(name, false) + "=" + runtime.DefaultQueryEncoder.EscapeQueryValue(value, false)
}
