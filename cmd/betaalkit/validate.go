package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/betaalkit/betaalkit/specs"
	"github.com/betaalkit/betaalkit/specs/fixtures"
)

func init() { register("validate", runValidate) }

// runValidate checks recorded exchanges (our fixtures, bare JSON bodies,
// HAR files) against a provider's spec.
func runValidate(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	operation := fs.String("operation", "", "check each FILE as a bare JSON body of this operation (its operationId)")
	schema := fs.String("schema", "", "check each FILE as a bare JSON payload of this component schema (e.g. a webhook body)")
	asRequest := fs.Bool("request", false, "with --operation: FILE is the request body")
	asResponse := fs.Bool("response", false, "with --operation: FILE is the response body")
	status := fs.Int("status", 0, "with --response: the response's status (default: the operation's first 2xx)")
	hosts := fs.String("host", "", "HAR files: check entries to these hosts only, comma-separated (default: the spec's servers and loopback; * for any)")
	asJSON := fs.Bool("json", false, "print a machine-readable report")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: betaalkit validate <provider> [flags] FILE…

FILE is a fixture (our format: request and/or response), a HAR file, or
with --operation/--schema a bare JSON body. Exit status: 0 when every
exchange fits the spec, 1 when one does not, 2 for a usage error.`)
		fs.PrintDefaults()
	}
	provider, files, code, ok := providerAndArgs(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	switch {
	case len(files) == 0:
		return usageError(fs, stderr, "no FILE to check")
	case *operation != "" && *schema != "":
		return usageError(fs, stderr, "--operation and --schema exclude each other")
	case *operation != "" && *asRequest == *asResponse:
		return usageError(fs, stderr, "--operation needs exactly one of --request and --response")
	case *operation == "" && (*asRequest || *asResponse):
		return usageError(fs, stderr, "--request and --response need --operation")
	case *status != 0 && !*asResponse:
		return usageError(fs, stderr, "--status needs --response")
	}
	v, err := specs.NewValidator(provider)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	if *operation != "" {
		if _, err := v.RouteByOperationID(*operation); err != nil {
			return usageError(fs, stderr, "%s has no operation %q", provider, *operation)
		}
	}
	if *schema != "" {
		if _, ok := v.Doc().Components.Schemas[*schema]; !ok {
			return usageError(fs, stderr, "%s has no component schema %q", provider, *schema)
		}
	}

	c := &validation{v: v, report: report{Provider: provider}, hosts: allowedHosts(v.Doc(), *hosts)}
	for _, file := range files {
		data, err := os.ReadFile(file)
		switch {
		case err != nil:
			c.broken(file, err)
		case *schema != "":
			c.check(file, 0, specs.Exchange{Schema: *schema, RequestBody: data})
		case *operation != "" && *asRequest:
			c.check(file, 0, specs.Exchange{OperationID: *operation, RequestBody: data})
		case *operation != "":
			c.check(file, 0, specs.Exchange{OperationID: *operation, Status: *status, ResponseBody: data})
		case specs.IsHAR(data):
			c.har(file, data)
		default:
			c.fixture(file, data)
		}
	}
	r := c.report
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(r)
	} else {
		printReport(stdout, r)
	}
	if r.Failed > 0 || r.Checked == 0 {
		if r.Checked == 0 && !*asJSON {
			fmt.Fprintln(stderr, "betaalkit validate: no exchange was checked")
		}
		return 1
	}
	return 0
}

// report is what validate prints with --json.
type report struct {
	Provider  string    `json:"provider"`
	Checked   int       `json:"checked"`
	Passed    int       `json:"passed"`
	Failed    int       `json:"failed"`
	Skipped   int       `json:"skipped"`
	Exchanges []checked `json:"exchanges"`
}

// checked is one exchange validate checked (or a file it could not read).
type checked struct {
	File string `json:"file"`
	// Entry is the HAR entry's number, from 1.
	Entry       int               `json:"entry,omitempty"`
	OperationID string            `json:"operationId,omitempty"`
	Method      string            `json:"method,omitempty"`
	Path        string            `json:"path,omitempty"`
	Status      int               `json:"status,omitempty"`
	OK          bool              `json:"ok"`
	Error       string            `json:"error,omitempty"`
	Violations  []specs.Violation `json:"violations,omitempty"`
}

type validation struct {
	v      *specs.Validator
	report report
	hosts  func(string) bool
}

func (c *validation) check(file string, entry int, ex specs.Exchange) {
	res := c.v.CheckExchange(context.Background(), ex)
	path := ex.Target
	if u, err := url.Parse(ex.Target); err == nil && u.Host != "" {
		path = u.RequestURI()
	}
	c.add(checked{File: file, Entry: entry, OperationID: res.OperationID, Method: ex.Method, Path: path,
		Status: ex.Status, OK: res.OK(), Violations: res.Violations})
}

func (c *validation) broken(file string, err error) {
	c.add(checked{File: file, Error: err.Error()})
}

func (c *validation) add(e checked) {
	c.report.Checked++
	if e.OK {
		c.report.Passed++
	} else {
		c.report.Failed++
	}
	c.report.Exchanges = append(c.report.Exchanges, e)
}

func (c *validation) fixture(file string, data []byte) {
	f, err := fixtures.Decode(file, data)
	switch {
	case err != nil:
		c.broken(file, fmt.Errorf("neither a fixture nor a HAR file (for a bare body, pass --operation or --schema): %w", err))
	case f.Request == nil && f.Response == nil:
		c.broken(file, errors.New("the fixture has no request and no response"))
	case f.Request == nil && f.OperationID == "":
		c.broken(file, errors.New("a fixture with only a response needs its operationId"))
	default:
		c.check(file, 0, fixtureExchange(f))
	}
}

// fixtureExchange is a fixture as an exchange. A body without a
// Content-Type is JSON, as fixtures leave it out; a fixture with only a
// response is checked as a bare response body.
func fixtureExchange(f fixtures.Fixture) specs.Exchange {
	ex := specs.Exchange{OperationID: f.OperationID, Schema: f.Schema}
	if r := f.Request; r != nil {
		ex.Method, ex.Target = r.Method, r.Path
		ex.RequestHeader, ex.RequestBody = jsonByDefault(r.Header(), r.BodyBytes())
	}
	if r := f.Response; r != nil {
		ex.Status = r.Status
		ex.ResponseHeader, ex.ResponseBody = jsonByDefault(r.Header(), r.BodyBytes())
	}
	return ex
}

func jsonByDefault(h http.Header, body []byte) (http.Header, []byte) {
	if len(body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	return h, body
}

func (c *validation) har(file string, data []byte) {
	entries, err := specs.ReadHAR(data)
	if err != nil {
		c.broken(file, err)
		return
	}
	for i, ex := range entries {
		u, err := url.Parse(ex.Target)
		if err != nil || !c.hosts(u.Hostname()) {
			c.report.Skipped++
			continue
		}
		if _, _, err := c.v.Route(ex.Method, u.EscapedPath()); err != nil {
			c.report.Skipped++
			continue
		}
		c.check(file, i+1, ex)
	}
}

// allowedHosts decides which HAR entries are checked: list is --host.
func allowedHosts(doc *openapi3.T, list string) func(string) bool {
	if strings.TrimSpace(list) == "*" {
		return func(string) bool { return true }
	}
	var allowed []string
	for _, h := range strings.Split(list, ",") {
		if h = strings.TrimSpace(h); h != "" {
			allowed = append(allowed, strings.ToLower(h))
		}
	}
	if len(allowed) == 0 {
		allowed = append(specHosts(doc), "localhost")
	}
	return func(host string) bool {
		host = strings.ToLower(host)
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() && list == "" {
			return true
		}
		return slices.Contains(allowed, host)
	}
}

// specHosts lists the hosts of every server the spec names.
func specHosts(doc *openapi3.T) []string {
	var hosts []string
	add := func(servers openapi3.Servers) {
		for _, s := range servers {
			if u, err := url.Parse(s.URL); err == nil && u.Hostname() != "" {
				hosts = append(hosts, strings.ToLower(u.Hostname()))
			}
		}
	}
	add(doc.Servers)
	for _, item := range doc.Paths.Map() {
		add(item.Servers)
		for _, op := range item.Operations() {
			if op.Servers != nil {
				add(*op.Servers)
			}
		}
	}
	return hosts
}

func printReport(w io.Writer, r report) {
	for _, e := range r.Exchanges {
		label := e.File
		if e.Entry > 0 {
			label = fmt.Sprintf("%s#%d %s %s", e.File, e.Entry, e.Method, e.Path)
			if e.Status != 0 {
				label += fmt.Sprintf(" → %d", e.Status)
			}
		}
		verdict := "ok  "
		if !e.OK {
			verdict = "FAIL"
		}
		line := verdict + "  " + label
		if e.OperationID != "" {
			line += "  " + e.OperationID
		}
		fmt.Fprintln(w, line)
		if e.Error != "" {
			fmt.Fprintln(w, "        "+e.Error)
		}
		for _, v := range e.Violations {
			fmt.Fprintln(w, "        "+v.String())
		}
	}
	fmt.Fprintf(w, "%s: %d checked, %d ok, %d failed", r.Provider, r.Checked, r.Passed, r.Failed)
	if r.Skipped > 0 {
		fmt.Fprintf(w, ", %d HAR entries skipped (other hosts, or no operation of the spec)", r.Skipped)
	}
	fmt.Fprintln(w)
}

// providerAndArgs parses a command's flags, which may stand before, between
// or after its arguments, and takes the first argument as the provider.
// ok is false when the command must return code (see parseFlags).
func providerAndArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (provider string, rest []string, code int, ok bool) {
	flags, positional := splitArgs(fs, args)
	if code, ok := parseFlags(fs, flags, stdout, stderr); !ok {
		return "", nil, code, false
	}
	if len(positional) == 0 {
		return "", nil, usageError(fs, stderr, "missing the provider (one of %s)", strings.Join(specs.Providers(), ", ")), false
	}
	if !slices.Contains(specs.Providers(), positional[0]) {
		return "", nil, usageError(fs, stderr, "unexpected argument %q: not a provider (one of %s)", positional[0], strings.Join(specs.Providers(), ", ")), false
	}
	return positional[0], positional[1:], 0, true
}

// splitArgs separates flags from the other arguments, in any order;
// everything after "--" is an argument. A flag that does not parse stays
// with the flags, for parseFlags to report.
func splitArgs(fs *flag.FlagSet, args []string) (flags, positional []string) {
	fs.SetOutput(io.Discard)
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return append(flags, args...), positional
		}
		rest := fs.Args()
		consumed := args[:len(args)-len(rest)]
		flags = append(flags, consumed...)
		if len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			flags = flags[:len(flags)-1]
			return flags, append(positional, rest...)
		}
		if len(rest) == 0 {
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	return flags, positional
}
