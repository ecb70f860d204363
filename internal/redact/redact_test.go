package redact

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"NL91ABNA0417164300":                       IBANMarker,
		"nl91abna0417164300":                       IBANMarker,
		"from nl91 ABNA 0417 1643 00, thanks":      "from " + IBANMarker + ", thanks",
		"N L 9 1 abna0417164300":                   IBANMarker,
		"refNL91ABNA0417164300x":                   "ref" + IBANMarker + "x",
		`{"d":"line\nNL91\tABNA\u00a00417164300"}`: `{"d":"line\n` + IBANMarker + `"}`,
		"NL91ABNA0417164301":                       "NL91ABNA0417164301",     // checksum fails
		"NL91ABNA041716430":                        "NL91ABNA041716430",      // too short for NL
		"XX91ABNA0417164300":                       "XX91ABNA0417164300",     // no such country
		"NL91    ABNA0417164300":                   "NL91    ABNA0417164300", // more than 3 separators
		`{"iban":"anything","token":12}`:           `{"iban":"` + Marker + `","token":"` + Marker + `"}`,
		"grant_type=x&client_secret=s3cr3t":        "grant_type=x&client_secret=" + Marker,
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFewFalsePositives: ids that are not IBANs (UUIDs, hex keys, base64
// tokens) are rarely touched: an IBAN needs a country's two letters, two
// digits, that country's exact length and a valid checksum.
func TestFewFalsePositives(t *testing.T) {
	const n = 20000
	kinds := map[string]func() string{
		"uuid": func() string {
			b := random(16)
			h := hex.EncodeToString(b)
			return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		},
		"HEX32":  func() string { return strings.ToUpper(hex.EncodeToString(random(16))) },
		"base64": func() string { return base64.StdEncoding.EncodeToString(random(24)) },
		"tra_":   func() string { return "tra_" + hex.EncodeToString(random(6)) },
	}
	for name, gen := range kinds {
		touched := 0
		for range n {
			if s := gen(); IBANs(s) != s {
				touched++
			}
		}
		rate := float64(touched) / n
		t.Logf("%s: %d of %d touched (%.3f%%)", name, touched, n, 100*rate)
		if rate > 0.005 {
			t.Errorf("%s: %.3f%% of ids redacted as IBANs", name, 100*rate)
		}
	}
}

func random(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

type sample struct {
	Name    string
	RawBody []byte
	Err     error
	Inner   *sample
}

func TestGoString(t *testing.T) {
	s := &sample{Name: "paid from nl91 abna 0417 1643 00", RawBody: []byte("NL91ABNA0417164300"), Err: fmt.Errorf("x"), Inner: &sample{}}
	got := GoString(s)
	if strings.Contains(strings.ToUpper(strings.ReplaceAll(got, " ", "")), "NL91ABNA0417164300") {
		t.Errorf("GoString leaks: %s", got)
	}
	for _, want := range []string{`&redact.sample{Name:"paid from [redacted IBAN]"`, `RawBody:[]uint8{/* 18 bytes */}`, `Inner:(*redact.sample)(0x`} {
		if !strings.Contains(got, want) {
			t.Errorf("GoString = %s, want it to contain %s", got, want)
		}
	}
}
