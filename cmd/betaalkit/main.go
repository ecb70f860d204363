// Command betaalkit runs the offline demo and sandbox, computes or checks
// provider signatures to debug mismatches, and checks traffic against the
// providers' specs.
//
//	betaalkit demo                          a full offline payment per provider
//	betaalkit sandbox                       serve every provider's simulator on loopback
//	betaalkit sign <scheme> [flags]         print the signature headers for a request (body on stdin)
//	betaalkit verify <scheme> [flags]       exit 0 only if a signature verifies (body on stdin)
//	betaalkit validate <provider> FILE…     check recorded exchanges against the provider's spec
//	betaalkit proxy <provider> --upstream U check live traffic against the spec, and record it
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"
)

// tool is one leaf command, e.g. "sign buckaroo". It returns the exit code.
type tool func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

// commands maps "demo", "sign buckaroo", "verify ideal2-response", … to their tool.
// Each provider registers its own from an init in its own file.
var commands = map[string]tool{}

func register(name string, t tool) {
	if _, dup := commands[name]; dup {
		panic("betaalkit: command registered twice: " + name)
	}
	commands[name] = t
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// summaries is each command's line in `betaalkit -h`.
var summaries = map[string]string{
	"demo":                   "run a full offline payment per provider against the built-in sandboxes",
	"sandbox":                "serve every provider's simulator on loopback, with URLs and credentials",
	"sign buckaroo":          "print the Authorization header for a Buckaroo request (body on stdin)",
	"verify buckaroo-push":   "exit 0 only if a Buckaroo push verifies (body on stdin)",
	"sign multisafepay":      "print the Auth header of a MultiSafepay notification (body on stdin)",
	"verify multisafepay":    "exit 0 only if a MultiSafepay notification verifies (body on stdin)",
	"sign ideal2":            "print the Digest and Signature headers of an iDEAL 2.0 request (body on stdin)",
	"verify ideal2-response": "exit 0 only if an iDEAL 2.0 response's Digest and Signature verify (body on stdin)",
	"validate":               "check recorded exchanges (fixtures, bare JSON bodies, HAR files) against a provider's spec",
	"proxy":                  "a reverse proxy in front of a provider that checks every exchange against the spec and can record fixtures",
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return 0
	}
	if len(args) >= 2 {
		if t, ok := commands[args[0]+" "+args[1]]; ok {
			return t(args[2:], stdin, stdout, stderr)
		}
	}
	if t, ok := commands[args[0]]; ok {
		return t(args[1:], stdin, stdout, stderr)
	}
	name := args[0]
	if len(args) >= 2 && isGroup(args[0]) {
		name += " " + args[1]
	}
	fmt.Fprintf(stderr, "betaalkit: unknown command %q\n\n", name)
	usage(stderr)
	return 2
}

// isGroup reports whether word starts two-word commands ("sign", "verify").
func isGroup(word string) bool {
	for name := range commands {
		if strings.HasPrefix(name, word+" ") {
			return true
		}
	}
	return false
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	width := 0
	for name := range commands {
		names = append(names, name)
		width = max(width, len(name))
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: betaalkit <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, summaries[n])
	}
	fmt.Fprintln(w, "\nRun a command with -h for its flags.")
}

// parseFlags parses a command's flags and checks its required ones. It
// refuses arguments that are not flags (the flag package would stop at the
// first and ignore the rest silently) and names every missing required
// flag. ok is false when the command must return code: 0 after -h, which
// printed the flags to stdout, 2 for a usage error.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer, required ...string) (code int, ok bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fs.Usage()
		return 0, false
	case err != nil:
		fmt.Fprintf(stderr, "betaalkit %s: %v\n", fs.Name(), err)
		fs.SetOutput(stderr)
		fs.Usage()
		return 2, false
	case fs.NArg() > 0:
		return usageError(fs, stderr, "unexpected argument %q (flags are --name value; the body is read from stdin)", fs.Arg(0)), false
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = f.Value.String() != "" })
	var missing []string
	for _, name := range required {
		if !set[name] {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		return usageError(fs, stderr, "missing required flag %s", strings.Join(missing, ", ")), false
	}
	fs.SetOutput(stderr)
	return 0, true
}

// checkURL refuses a value that is not an absolute http(s) URL.
func checkURL(flagName, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--%s %q is not an absolute http(s) URL", flagName, raw)
	}
	return nil
}

// checkMethod refuses a value that is not an HTTP method.
func checkMethod(flagName, method string) error {
	switch strings.ToUpper(method) {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return nil
	}
	return fmt.Errorf("--%s %q is not an HTTP method (GET, POST, PUT, PATCH, DELETE, …)", flagName, method)
}

// readStdin reads stdin exactly: signatures cover the exact bytes.
func readStdin(r io.Reader) ([]byte, error) {
	return io.ReadAll(r)
}

// usageError prints a usage problem of fs's command and returns exit code 2.
func usageError(fs *flag.FlagSet, stderr io.Writer, format string, a ...any) int {
	fmt.Fprintf(stderr, "betaalkit %s: %s\n", fs.Name(), fmt.Sprintf(format, a...))
	return 2
}

// flagOrEnv is a secret's flag value, else the environment variable env,
// which keeps the secret out of the shell history and ps. When both are
// empty it names both and returns exit code 2.
func flagOrEnv(fs *flag.FlagSet, stderr io.Writer, flagName, value, env string) (string, int) {
	if value == "" {
		value = os.Getenv(env)
	}
	if value == "" {
		return "", usageError(fs, stderr, "missing required flag --%s (or set %s)", flagName, env)
	}
	return value, 0
}

// fail prints an error line and returns exit code 1.
func fail(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintln(stderr, "betaalkit: "+strings.TrimSpace(fmt.Sprintf(format, a...)))
	return 1
}
