// Package browser drives a real headless Chromium (Debian's chromium
// package) with chromedp, for the sandbox's browser tests and for the
// README's screenshots (make screenshots). A test that needs it and does
// not find chromium skips, saying how to install it, unless
// BETAALKIT_REQUIRE_REAL_COMPONENTS is set (CI sets it): then it fails.
package browser

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/betaalkit/betaalkit/internal/component"
	"github.com/chromedp/chromedp"
)

// Names under which Chromium is looked up on PATH, Debian's first.
var names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Path finds the Chromium binary, or skips (fails, when real components
// are required) the test.
func Path(t testing.TB) string {
	t.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	const msg = "chromium is not installed: apt-get install chromium (the browser tests drive a real one)"
	component.Missing(t, msg)
	return ""
}

// Width and Height are the window every page is seen in: a laptop screen.
const Width, Height = 1366, 900

// Start runs a headless Chromium for the test (stopped when it ends) and
// returns a context whose tab the chromedp actions drive.
func Start(t testing.TB) context.Context {
	t.Helper()
	path := Path(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // as root (CI), Chromium starts only without its sandbox
		chromedp.WindowSize(Width, Height),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first run starts the browser, and must be on ctx itself: a
	// browser started under a shorter-lived context ends with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// Run carries out actions in the tab within 20 seconds. When one fails it
// saves a screenshot of the page as it was, says where, and fails the
// test.
func Run(t testing.TB, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	step, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(step, actions...); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, Screenshot(t, ctx, what))
	}
}

// Screenshot saves the page as it is now to a PNG that outlives the test
// (under $BETAALKIT_SCREENSHOT_DIR, or the system's temporary directory)
// and says where.
func Screenshot(t testing.TB, ctx context.Context, what string) string {
	t.Helper()
	dir := os.Getenv("BETAALKIT_SCREENSHOT_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "betaalkit-browser-tests")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "no screenshot: " + err.Error()
	}
	name := filepath.Join(dir, safe.ReplaceAllString(t.Name()+"-"+what, "_")+".png")
	shot, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	url, _ := chromedp.Run(shot, chromedp.Location())
	png, err := chromedp.Run(shot, chromedp.FullScreenshot(100))
	if err != nil {
		return "no screenshot: " + err.Error()
	}
	if err := os.WriteFile(name, png, 0o644); err != nil {
		return "no screenshot: " + err.Error()
	}
	return "screenshot of " + url + " saved to " + name
}

var safe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// Capture saves a full-page PNG of the current page to path.
func Capture(ctx context.Context, path string) error {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return err
	}
	return os.WriteFile(path, png, 0o644)
}
