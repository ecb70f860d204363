// Command generate writes all generated code of the module, in one process:
// for each provider named, gen/<provider>/ from specs/<provider>.yaml with
// oapi-codegen's library (the version go.mod pins) configured by
// gen/<provider>/config.yaml, then clients/<provider>/models.gen.go (see
// modeldoc.go).
//
//	generate [-cpuprofile file] kassacompleet opp buckaroo ideal2 multisafepay
//
// It runs from the module root (go generate does that). One process
// instead of five oapi-codegen processes and a modeldoc one: the build
// check, start-up and template parsing are paid once. A file whose content
// is unchanged is not rewritten.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

func main() {
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: generate [-cpuprofile file] <provider>...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*cpuProfile, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "generate:", err)
		os.Exit(1)
	}
}

func run(cpuProfile string, providers []string) (err error) {
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			err = errors.Join(err, f.Close())
		}()
	}
	gen, err := newGenerator()
	if err != nil {
		return err
	}
	for _, p := range providers {
		if err := gen.client(p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	}
	// The models re-export what the step above wrote.
	for _, p := range providers {
		if err := writeModels(p); err != nil {
			return fmt.Errorf("%s: models: %w", p, err)
		}
	}
	return nil
}

// writeIfChanged writes data to name unless name already holds it.
func writeIfChanged(name string, data []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(name, data, 0o644)
}
