// Command betaalkit runs the offline demo and sandbox, and computes or checks
// provider signatures to debug mismatches.
//
//	betaalkit demo                      a full offline payment per provider
//	betaalkit sandbox                   serve every provider's simulator on loopback
//	betaalkit sign <scheme> [flags]     print the signature headers for a request (body on stdin)
//	betaalkit verify <scheme> [flags]   exit 0 only if a signature verifies (body on stdin)
package main

import (
	"fmt"
	"io"
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

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) >= 2 {
		if t, ok := commands[args[0]+" "+args[1]]; ok {
			return t(args[2:], stdin, stdout, stderr)
		}
	}
	if len(args) >= 1 {
		if t, ok := commands[args[0]]; ok {
			return t(args[1:], stdin, stdout, stderr)
		}
	}
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: betaalkit <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintln(w, "  "+n)
	}
	fmt.Fprintln(w, "\nRun a command with -h for its flags.")
}

// readStdin reads stdin exactly: signatures cover the exact bytes.
func readStdin(r io.Reader) ([]byte, error) {
	return io.ReadAll(r)
}

// fail prints an error line and returns exit code 1.
func fail(stderr io.Writer, format string, a ...any) int {
	fmt.Fprintln(stderr, "betaalkit: "+strings.TrimSpace(fmt.Sprintf(format, a...)))
	return 1
}
