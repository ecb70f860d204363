package clients_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/internal/redact"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/transport"
)

// TestNoIBANLeaves is the randomized redaction test: 10,000 generated IBANs
// (valid mod-97, random letter case and spacing, with or without text
// around them) go into random request fields, random response fields,
// provider error messages, undecodable answers and payment ids of all five
// providers, through each client with a Debug logger. None may appear in a
// log line, an Error() string, ProviderMessage, or %v, %+v, %#v, %s, %q of
// the error. Each IBAN is also checked to have got where it was put (the
// request as the server read it, the raw body the error keeps), so that
// nothing passes by never being there.
func TestNoIBANLeaves(t *testing.T) {
	t.Parallel()
	total := 10_000
	if testing.Short() {
		total = 1_000
	}
	var mu sync.Mutex
	counts := map[string]int{}
	forEachProvider(t, func(t *testing.T, p provider) {
		rs := newRedactionServer(t, p)
		n := rs.run(t, total/len(providers))
		mu.Lock()
		for k, v := range n {
			counts[p.name+" "+k] += v
			counts[k] += v
		}
		mu.Unlock()
	})
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range counts {
			if !yield(k) {
				return
			}
		}
	})
	placed := 0
	for _, k := range keys {
		if strings.HasPrefix(k, "iban: in ") {
			placed += counts[k]
		}
		t.Logf("%-40s %d", k, counts[k])
	}
	t.Logf("%-40s %d", "IBANs placed", placed)
	assert.GreaterOrEqual(t, placed, total, "IBANs placed")
}

// redactionServer serves a provider's sandbox behind a middleware that
// plants IBANs in the answers as the current exchange's plan says.
type redactionServer struct {
	p        provider
	env      *sandboxEnv
	srv      *httptest.Server
	classify *http.ServeMux
	rng      *rand.Rand

	mu   sync.Mutex
	plan plan
	seen []byte // the last request's path and body, as the server read them
}

// plan is what the middleware does with the next create or get.
type plan struct {
	kind  string   // "pass", "edit", "error", "broken"
	texts []string // the IBAN-carrying texts to plant
}

func newRedactionServer(t *testing.T, p provider) *redactionServer {
	env, err := sandboxFor(p)
	require.NoError(t, err)
	rs := &redactionServer{p: p, env: env, classify: http.NewServeMux(), rng: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(len(p.name))))}
	rs.classify.Handle(p.createPattern, classified{create})
	rs.classify.Handle(p.getPattern, classified{get})
	rs.srv = httptest.NewServer(http.HandlerFunc(rs.serve))
	t.Cleanup(rs.srv.Close)
	return rs
}

func (rs *redactionServer) serve(w http.ResponseWriter, r *http.Request) {
	h, _ := rs.classify.Handler(r)
	if _, watched := h.(classified); !watched {
		rs.env.handler.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	rs.mu.Lock()
	pl := rs.plan
	rs.seen = append([]byte(r.URL.Path+"\n"), body...)
	rs.mu.Unlock()

	switch pl.kind {
	case "error":
		status, b := errorAnswer(rs.p.name, rs.rng, pl.texts)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(b)
		return
	case "broken":
		msg := strings.Join(pl.texts, " / ")
		if rs.rng.IntN(2) == 0 {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = fmt.Fprintf(w, "<html><body><h1>502</h1><p>upstream said: %s</p></body></html>", msg)
			return
		}
		b := []byte(`{"note": "` + jsonText(msg) + `", "broken`)
		h := http.Header{"Content-Type": {"application/json"}}
		if rs.env.resign != nil {
			rs.env.resign(h, b)
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return
	}
	rec := httptest.NewRecorder()
	rs.env.handler.ServeHTTP(rec, r)
	out, hdr := rec.Body.Bytes(), rec.Header().Clone()
	if pl.kind == "edit" && rec.Code < 300 {
		out = plantInJSON(rs.rng, out, pl.texts)
		hdr.Del("Content-Length")
		if rs.env.resign != nil {
			rs.env.resign(hdr, out)
		}
	}
	for k, v := range hdr {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

func (rs *redactionServer) setPlan(pl plan) {
	rs.mu.Lock()
	rs.plan, rs.seen = pl, nil
	rs.mu.Unlock()
}

func (rs *redactionServer) lastSeen() []byte {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.seen
}

// run makes exchanges until n IBANs have been planted, and returns counts
// per class of place and outcome.
func (rs *redactionServer) run(t *testing.T, n int) map[string]int {
	var logs syncbuf.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := rs.env.newClient(rs.srv.URL, clientOptions{Logger: logger, Retry: transport.NoRetries})
	require.NoError(t, err)
	ctx := context.Background()
	counts := map[string]int{}
	logged := 0 // how much of logs the checks have read
	leaks := 0

	// A few clean payments to get.
	rs.setPlan(plan{kind: "pass"})
	var ids []string
	for range 3 {
		id, err := c.Create(ctx)
		require.NoError(t, err)
		ids = append(ids, id)
	}

	for placed := 0; placed < n; {
		var (
			ibans    []string // canonical form of every IBAN in this exchange
			inReq    []string // those sent in the request
			inAnswer []string // those in an error answer's raw body
			texts    []string
		)
		newText := func() string {
			iban, shown := randomIBAN(rs.rng)
			ibans = append(ibans, iban)
			return aroundIBAN(rs.rng, shown)
		}
		kinds := []string{"pass", "edit", "edit", "error", "error", "broken"}
		pl := plan{kind: kinds[rs.rng.IntN(len(kinds))]}
		if pl.kind != "pass" {
			for range 1 + rs.rng.IntN(3) {
				pl.texts = append(pl.texts, newText())
			}
			texts = pl.texts
			counts["iban: in "+pl.kind+" answer"] += len(pl.texts)
		}
		if pl.kind == "error" {
			inAnswer = ibans[:len(pl.texts)]
		}
		rs.setPlan(pl)

		var callErr error
		outcome := ""
		if rs.rng.IntN(2) == 0 {
			var reqTexts []string
			for range 1 + rs.rng.IntN(3) {
				reqTexts = append(reqTexts, newText())
			}
			inReq = ibans[len(ibans)-len(reqTexts):]
			counts["iban: in request fields"] += len(reqTexts)
			callErr = createWith(ctx, c, reqTexts)
			outcome = "create"
		} else {
			id := ids[rs.rng.IntN(len(ids))]
			if rs.rng.IntN(4) == 0 {
				// A payment id with an IBAN in it: the path, and whatever
				// the provider's answer says about it.
				text := newText()
				inReq = ibans[len(ibans)-1:]
				counts["iban: in the payment id"]++
				id = strings.NewReplacer(" ", "", "\t", "", "\u00a0", "", "-", "").Replace(text)
			}
			callErr = c.Get(ctx, id)
			outcome = "get"
		}
		placed += len(ibans)
		_ = texts

		// Where the IBANs went: the request as the server read it.
		if seen := rs.lastSeen(); seen != nil {
			for _, iban := range inReq {
				if !strings.Contains(squashIBANs(string(seen)), iban) {
					counts["iban: refused before sending"]++
				}
			}
		} else if len(inReq) > 0 {
			counts["iban: refused before sending"] += len(inReq)
		}

		all := logs.String()
		outputs := []labelled{{"log", all[logged:]}}
		logged = len(all)
		add := func(label, out string) { outputs = append(outputs, labelled{label, out}) }
		if callErr != nil {
			outcome += " " + kindOf(callErr)
			add("Error()", callErr.Error())
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
				add(verb, fmt.Sprintf(verb, callErr))
			}
			var apiErr betaalkit.APIError
			if errors.As(callErr, &apiErr) {
				add("ProviderMessage()", apiErr.ProviderMessage())
				add("ProviderCode()", apiErr.ProviderCode())
				add("%#v of the APIError", fmt.Sprintf("%#v", apiErr))
				add("%+v of the APIError's value", fmt.Sprintf("%+v", reflect.ValueOf(apiErr).Elem().Interface()))
				raw := squashIBANs(string(apiErr.ResponseBody()))
				for _, iban := range inAnswer {
					assert.Contains(t, raw, iban, "the raw answer keeps what the provider said")
				}
			}
			// Every betaalkit error in the chain, link by link. (The causes
			// they wrap, encoding/json's or net/url's errors, are the
			// standard library's: a caller reaches them only on purpose.)
			for e := callErr; e != nil; e = errors.Unwrap(e) {
				if t := reflect.TypeOf(e); t.Kind() == reflect.Pointer && strings.HasPrefix(t.Elem().PkgPath(), "github.com/betaalkit/") {
					add("Error() in the chain", e.Error())
					add("%#v in the chain", fmt.Sprintf("%#v", e))
					add("%+v of a value in the chain", fmt.Sprintf("%+v", reflect.ValueOf(e).Elem().Interface()))
				}
			}
		} else {
			outcome += " ok"
		}
		counts["exchange: "+pl.kind+", "+outcome]++
		for _, out := range outputs {
			flat := squashIBANs(out.text)
			for _, iban := range ibans {
				counts["checks"]++
				if strings.Contains(flat, iban) {
					counts["leaked in "+out.label]++
					if leaks++; leaks <= 3 {
						t.Errorf("%s: IBAN %s leaked in %s (%s):\n%s", rs.p.name, iban, out.label, outcome, clipText(out.text, 1000))
					}
				}
			}
		}
	}
	return counts
}

type labelled struct{ label, text string }

// createWith creates a payment with texts in the provider's free-text
// request fields, each text in a field chosen at random.
func createWith(ctx context.Context, c apiClient, texts []string) error {
	pick := func(n int) []string { // n fields, each the texts dealt to it
		out := make([]string, n)
		for _, s := range texts {
			i := rand.IntN(n)
			out[i] = strings.TrimSpace(out[i] + " " + s)
		}
		return out
	}
	switch c := c.(type) {
	case kcClient:
		f := pick(2)
		_, err := c.c.CreatePayment(ctx, kassacompleet.OrderCreate{
			Currency: "EUR", Amount: 1250, Description: "order " + f[0], MerchantOrderID: ref("kc") + f[1],
		})
		return err
	case oppClient:
		f := pick(3)
		_, err := c.c.CreatePayment(ctx, opp.TransactionCreate{
			BuyerNameFirst: "John", BuyerNameLast: "Tester" + f[0], BuyerEmailaddress: "john@tester.dev",
			Products:   []opp.ProductCreate{{Name: "Light " + f[1], Price: 1000, Quantity: 1}},
			TotalPrice: 1000, ReturnURL: "https://shop.example/return/",
			Metadata: map[string]string{"note": "x" + f[2]},
		})
		return err
	case mspClient:
		f := pick(3)
		_, err := c.c.CreatePayment(ctx, multisafepay.OrderCreate{
			Type: multisafepay.OrderTypeRedirect, OrderID: ref("msp"), Currency: "EUR", Amount: 1250,
			Description: "order " + f[0], Var1: f[1], Var2: f[2],
			PaymentOptions: multisafepay.PaymentOptions{RedirectURL: "https://shop.example/success", CancelURL: "https://shop.example/cancel"},
		})
		return err
	case buckarooClient:
		f := pick(3)
		day := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err := c.c.PayInInstallments(ctx, buckaroo.In3Payment{
			AmountDebit: 1000, Invoice: ref("bk"), Description: "order " + f[0], ClientIP: "192.0.2.10", InvoiceDate: time.Now(),
			Customer: buckaroo.In3Customer{
				LastName: "Smith" + f[1], Initials: "J.S.", BirthDate: day,
				Address: buckaroo.In3Address{Street: "Hoofdstraat", HouseNumber: 90, ZipCode: "8441ER", City: "Heerenveen", Country: "NL"},
				Phone:   "0612345678", Email: "j.smith@example.com",
			},
			Products:  []buckaroo.In3ProductLine{{Code: "abc123", Name: "Car " + f[2], Quantity: 1, Price: 1000}},
			ReturnURL: "https://shop.example/return",
		})
		return err
	case idealClient:
		f := pick(1)
		_, err := c.c.CreatePayment(ctx, ideal2.NewPayment(1250, "Order "+f[0], ref("ideal")),
			ideal2.WithReturnURL("https://shop.example/return"))
		return err
	}
	panic("unknown client")
}

// errorAnswer is the provider's own error answer, quoting texts.
func errorAnswer(provider string, rng *rand.Rand, texts []string) (int, []byte) {
	msg := strings.Join(texts, "; ")
	statuses := []int{400, 401, 404, 409, 422, 500, 503}
	status := statuses[rng.IntN(len(statuses))]
	var v any
	switch provider {
	case "kassacompleet":
		v = map[string]any{"error": map[string]any{"status": status, "type": "ValidationError", "value": msg}}
	case "opp":
		v = map[string]any{"error": map[string]any{"code": 1935, "message": msg}}
	case "multisafepay":
		if rng.IntN(3) == 0 {
			status = http.StatusOK // success: false, as MultiSafepay may send
		}
		v = map[string]any{"success": false, "data": map[string]any{}, "error_code": 1006, "error_info": msg}
	case "buckaroo":
		details := []map[string]any{}
		for _, s := range texts {
			details = append(details, map[string]any{"Name": "Description", "Error": "ParameterInvalid", "ErrorMessage": "invalid: " + s})
		}
		v = map[string]any{"Message": msg, "RequestErrors": map[string]any{"ParameterErrors": details}}
	case "ideal2":
		v = map[string]any{"Code": "154", "Message": msg, "Details": texts[0]}
	}
	b, _ := json.Marshal(v)
	return status, b
}

// plantInJSON appends the texts to string values of body chosen at random.
func plantInJSON(rng *rand.Rand, body []byte, texts []string) []byte {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return body
	}
	var leaves []func(string)
	var walk func(v any, set func(any))
	walk = func(v any, set func(any)) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, func(n any) { x[k] = n })
			}
		case []any:
			for i, e := range x {
				walk(e, func(n any) { x[i] = n })
			}
		case string:
			leaves = append(leaves, func(s string) { set(x + " " + s) })
		}
	}
	walk(v, func(any) {})
	if len(leaves) == 0 {
		return body
	}
	for _, s := range texts {
		leaves[rng.IntN(len(leaves))](s)
	}
	out, _ := json.Marshal(v)
	return out
}

// randomIBAN returns a valid IBAN of a random country (canonical: upper
// case, no spaces) and the way it is written: random letter case, and
// spaces in groups of four, random spaces, no-break spaces, tabs or
// hyphens, or none.
func randomIBAN(rng *rand.Rand) (canonical, shown string) {
	countries := ibanCountries()
	cc := countries[rng.IntN(len(countries))]
	n := redact.Countries()[cc]
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	bban := make([]byte, n-4)
	for i := range bban {
		if rng.IntN(3) == 0 {
			bban[i] = alnum[10+rng.IntN(26)]
		} else {
			bban[i] = alnum[rng.IntN(10)]
		}
	}
	check := 98 - mod97(string(bban)+cc+"00")
	canonical = fmt.Sprintf("%s%02d%s", cc, check, bban)
	if !redact.IsIBAN(canonical) {
		panic("generated an invalid IBAN: " + canonical)
	}

	var b strings.Builder
	caseMode := rng.IntN(4) // 0 upper, 1 lower, 2 mixed, 3 title
	sepMode := rng.IntN(6)  // 0 none, 1 groups of 4, 2 random spaces, 3 NBSP groups, 4 tabs, 5 hyphens
	for i, r := range canonical {
		if i > 0 {
			switch {
			case sepMode == 1 && i%4 == 0:
				b.WriteByte(' ')
			case sepMode == 2 && rng.IntN(3) == 0:
				b.WriteString(strings.Repeat(" ", 1+rng.IntN(2)))
			case sepMode == 3 && i%4 == 0:
				b.WriteString("\u00a0")
			case sepMode == 4 && i%4 == 0:
				b.WriteByte('\t')
			case sepMode == 5 && i%4 == 0:
				b.WriteByte('-')
			}
		}
		switch {
		case caseMode == 1, caseMode == 2 && rng.IntN(2) == 0, caseMode == 3 && i > 0:
			r = toLowerASCII(r)
		}
		b.WriteRune(r)
	}
	return canonical, b.String()
}

var ibanCountries = sync.OnceValue(func() []string {
	return slices.Sorted(func(yield func(string) bool) {
		for cc := range redact.Countries() {
			if !yield(cc) {
				return
			}
		}
	})
})

// aroundIBAN puts text around an IBAN as a customer or provider might.
func aroundIBAN(rng *rand.Rand, iban string) string {
	forms := []string{"%s", "paid from %s", "IBAN: %s.", "ref%sx", "(%s)", "rekening %s t.n.v. J. Smith", "\"%s\""}
	return fmt.Sprintf(forms[rng.IntN(len(forms))], iban)
}

func mod97(s string) int {
	rem := 0
	for _, c := range s {
		if c >= '0' && c <= '9' {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A'+10)) % 97
		}
	}
	return rem
}

func toLowerASCII(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// squashIBANs undoes what may stand between an IBAN's characters in an
// output (JSON and Go escapes, twice over for a JSON body quoted in a JSON
// log line; spaces, tabs, no-break spaces, hyphens) and the letter case,
// so that an IBAN written any way shows as its canonical form.
func squashIBANs(s string) string {
	s = unescapeText(unescapeText(s))
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\r', '\u00a0', '\u202f', '\u2007', '-':
			continue
		}
		b.WriteRune(toUpperASCII(r))
	}
	return b.String()
}

func toUpperASCII(r rune) rune {
	if r >= 'a' && r <= 'z' {
		return r - 'a' + 'A'
	}
	return r
}

// unescapeText replaces the escapes JSON and Go quoting write (\t, \n,
// \r, \", \\, \uXXXX) by what they stand for; anything else is kept.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case '"', '\\', '/':
			b.WriteByte(s[i+1])
		case 'u':
			if i+6 <= len(s) {
				if n, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
					b.WriteRune(rune(n))
					i += 5
					continue
				}
			}
			b.WriteString(s[i : i+2])
		default:
			b.WriteString(s[i : i+2])
		}
		i++
	}
	return b.String()
}

func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func kindOf(err error) string {
	for _, k := range []struct {
		name string
		err  error
	}{{"ErrAPI", betaalkit.ErrAPI}, {"ErrDecode", betaalkit.ErrDecode}, {"ErrInvalidRequest", betaalkit.ErrInvalidRequest},
		{"ErrVerification", betaalkit.ErrVerification}, {"ErrTransport", betaalkit.ErrTransport}} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "other"
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
