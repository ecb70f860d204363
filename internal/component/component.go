// Package component decides what a test does when a real component it
// drives (redis-server, chromium: Debian packages) is not installed.
package component

import (
	"os"
	"testing"
)

// RequireEnv, when set (CI sets it), makes a missing component fail the
// test instead of skipping it, so CI never passes by skipping.
const RequireEnv = "BETAALKIT_REQUIRE_REAL_COMPONENTS"

// Missing skips the test with msg (which says how to install the
// component), or fails it when RequireEnv is set.
func Missing(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(RequireEnv) != "" {
		t.Fatal(msg + "; " + RequireEnv + " is set, so this test may not skip")
	}
	t.Skip(msg)
}
