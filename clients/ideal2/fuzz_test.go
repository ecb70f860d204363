package ideal2

// Fuzz targets for what reaches this package from the network: status
// notifications (ParseNotification and the WebhookHandler end to end),
// signed responses as the client sees them (GetPayment through the
// signing transport) and error answers (toError). Run one with
//
//	go test -run='^$' -fuzz='^FuzzWebhookHandler$' -fuzztime=30s ./clients/ideal2
//
// The notification and response targets use Worldline's test material from
// the team's shared folder (and skip without it), so that their seeds are
// genuinely signed: the seed document's status answer, signed by the
// test-environment certificate's key, and messages signed here with the
// test merchant key. Two clients trust one certificate each; a third has
// verification off. The harness may also sign an input itself with the
// merchant key: only the client trusting the merchant certificate may then
// accept it.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/internal/apiclient/apiclienttest"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/specs/fixtures"
	"github.com/betaalkit/betaalkit/transport"
)

const (
	fzVectors   = "../../../shared/vectors/ideal2"
	fzPaymentID = "143374"
	fzNotifyURL = "/ideal2/notify"
)

// fzNow is the moment of the seed document's status exchange, inside both
// test certificates' validity.
var fzNow = time.Date(2024, 1, 8, 12, 55, 35, 0, time.UTC)

// fzTrust is one client of the harness and what its trusted key signed.
type fzTrust struct {
	name   string
	c      *Client
	signed bool            // the merchant key is the trusted key: a harness signature is genuine
	known  map[string]bool // fzSigned of every seed message the trusted key signed
}

// fzSigned identifies one signed message: the signing string, the body
// (bound by the signed Digest) and the signature (base64, canonical).
func fzSigned(signingString string, body []byte, signature string) string {
	sum := sha256.Sum256(body)
	return signingString + "\x00" + hex.EncodeToString(sum[:]) + "\x00" + signature
}

type fzSeed struct {
	header string
	body   []byte
	mode   uint8
}

type fzHarness struct {
	trusts      [3]*fzTrust // trusting the test-environment certificate, the merchant certificate, nothing
	merchantKey *rsa.PrivateKey
	merchantID  string // keyId of the merchant certificate
	seeds       []fzSeed
}

// fzSetup loads Worldline's test material (skipping without it), builds the
// three clients on the stand-in routing service and signs the seeds. mode
// bits of an input: (mode & 3) % 3 picks the client; bit 2 makes the harness
// sign the input with the merchant key under the client's keyId; bit 3
// adds the request-target to a signed notification.
func fzSetup(f *testing.F) *fzHarness {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(fzVectors, name))
		if errors.Is(err, fs.ErrNotExist) {
			f.Skipf("iDEAL 2.0 test material not found (%s/%s): Worldline's test key and certificates are kept outside the repository", fzVectors, name)
		}
		if err != nil {
			f.Fatal(err)
		}
		return data
	}
	key, cert, err := LoadKeyPair(read("TestCertificatesiDEAL.2.0.key"), read("TestCertificatesiDEAL.2.0.pem"))
	if err != nil {
		f.Fatal(err)
	}
	server, err := LoadCertificate(read("iDEAL_2.0_Public_Certificate_Test_Environment.crt"))
	if err != nil {
		f.Fatal(err)
	}
	newClient := func(trusted *x509.Certificate) *Client {
		c, err := New(Config{
			BaseURL: TestBaseURL, MerchantID: "002881000", SubID: "1", ClientName: "TestAcquirer",
			MerchantKey: fzRequestSigner{key.Public()}, MerchantCertificate: cert,
			ServerCertificate: trusted, SkipResponseVerification: trusted == nil,
			HTTPClient: &http.Client{Transport: fzRouting{}},
			Retry:      transport.NoRetries,
			Clock:      func() time.Time { return fzNow },
			RequestID:  func() string { return "fuzz-request" },
			Logger:     slog.New(slog.DiscardHandler), // refusals are the point here
		})
		if err != nil {
			f.Fatal(err)
		}
		return c
	}
	h := &fzHarness{
		trusts: [3]*fzTrust{
			{name: "client trusting the test-environment certificate", c: newClient(server), known: map[string]bool{}},
			{name: "client trusting the merchant certificate", c: newClient(cert), signed: true, known: map[string]bool{}},
			{name: "client without verification", c: newClient(nil)},
		},
		merchantKey: key,
		merchantID:  signing.IDEAL2KeyID(cert),
	}
	add := func(trust uint8, method, target string, hdr http.Header, body []byte) {
		p, err := signing.ParseIDEAL2Signature(hdr.Get("Signature"))
		if err != nil {
			f.Fatal(err)
		}
		ss, err := signing.IDEAL2SigningString(p.Headers, method, target, hdr)
		if err != nil {
			f.Fatal(err)
		}
		h.trusts[trust].known[fzSigned(ss, body, p.Signature)] = true
		h.seeds = append(h.seeds, fzSeed{apiclienttest.HeaderText(hdr), body, trust})
	}
	list, err := fixtures.Load("ideal2")
	if err != nil {
		f.Fatal(err)
	}
	for _, fx := range list {
		if fx.Base() == "payment-status-exact" {
			// The seed document's status answer, as a response and as a notification.
			add(0, "", "", fx.Response.Header(), fx.Response.BodyBytes())
			add(0, http.MethodPost, fzNotifyURL, fx.Response.Header(), fx.Response.BodyBytes())
			body := fx.Response.BodyBytes()
			for i, withTarget := range []bool{false, true} {
				hdr := http.Header{}
				hdr.Set("Content-Type", "application/json;charset=UTF-8")
				hdr.Set("X-Request-ID", "fuzz-seed-"+strconv.Itoa(i))
				hdr.Set("MessageCreateDateTime", "2024-01-08T12:55:35.000Z")
				method := ""
				if withTarget {
					method = http.MethodPost
				}
				fzSign(f, key, h.merchantID, method, fzNotifyURL, hdr, body)
				add(1, method, fzNotifyURL, hdr, body)
			}
		}
	}
	h.seeds = append(h.seeds,
		fzSeed{"Content-Type: application/json", []byte(`{"CommonPaymentData":{"PaymentId":"143374","PaymentStatus":"Open"}}`), 5},
		fzSeed{"Content-Type: application/json", []byte(`{"CommonPaymentData":{"PaymentId":"143374","PaymentStatus":"Open"}}`), 13},
		fzSeed{"Content-Type: application/json", []byte(`{"CommonPaymentData":{"PaymentId":"143374","PaymentStatus":"Open"}}`), 4},
		fzSeed{"Content-Type: application/json", []byte(`{"CommonPaymentData":{"PaymentId":"999","PaymentStatus":"Open"}}`), 2},
		fzSeed{"", []byte(`{"CommonPaymentData":{"PaymentId":"../x","PaymentStatus":"Open"}}`), 2},
		fzSeed{"", []byte(`{"CommonPaymentData":{"PaymentId":"","PaymentStatus":""}}`), 6},
		fzSeed{"MessageCreateDateTime: 2024-01-08T12:00:00.000Z", []byte(`{"CommonPaymentData":{"PaymentId":"1","PaymentStatus":"Open"}}`), 5},
		fzSeed{"", []byte(`{"Code":"017","Message":"Token expired"}`), 0},
		fzSeed{"", nil, 1},
	)
	return h
}

// fzRequestSigner stands in for the merchant key when the client signs its
// own requests: the stand-in routing service does not check them (request
// signing has its own tests), and a real RSA signature per request would
// make the targets a hundred times slower.
type fzRequestSigner struct{ pub crypto.PublicKey }

func (s fzRequestSigner) Public() crypto.PublicKey { return s.pub }

func (s fzRequestSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return make([]byte, 256), nil
}

// fzSign signs hdr and body the way the routing service does (Digest, then
// a Signature over MessageCreateDateTime, X-Request-ID, the Digest and, with
// a method, the request-target) and returns the signing string and the
// signature.
func fzSign(t testing.TB, key *rsa.PrivateKey, keyID, method, target string, hdr http.Header, body []byte) (string, string) {
	hdr.Set("Digest", signing.IDEAL2Digest(body))
	if hdr.Get("X-Request-ID") == "" {
		hdr.Set("X-Request-ID", "fuzz")
	}
	if hdr.Get("MessageCreateDateTime") == "" {
		hdr.Set("MessageCreateDateTime", "2024-01-08T12:55:35.000Z")
	}
	names := []string{"messagecreatedatetime", "x-request-id", "digest"}
	if method != "" {
		names = append([]string{"(request-target)"}, names...)
	}
	ss, err := signing.IDEAL2SigningString(names, method, target, hdr)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signing.IDEAL2Sign(key, ss)
	if err != nil {
		t.Fatal(err)
	}
	hdr.Set("Signature", signing.IDEAL2SignatureParams{KeyID: keyID, Algorithm: "rsa-sha256", Headers: names, Signature: sig}.String())
	return ss, sig
}

// input applies mode to one input: the client it goes to and, when asked,
// the harness's own signature with the merchant key under that client's
// keyId. It returns the fzSigned of the harness's message ("" if none).
func (h *fzHarness) input(t *testing.T, mode uint8, method, target string, hdr http.Header, body []byte) (*fzTrust, string) {
	tr := h.trusts[int(mode&3)%3]
	if mode&4 == 0 {
		return tr, ""
	}
	keyID := h.merchantID
	if tr.c.notifications != nil {
		keyID = tr.c.notifications.KeyID()
	}
	if mode&8 == 0 {
		method = ""
	}
	ss, sig := fzSign(t, h.merchantKey, keyID, method, target, hdr, body)
	return tr, fzSigned(ss, body, sig)
}

// authentic is the harness's own judgement of a signed message, by the
// scheme's rules rather than the verifier's code: the Signature parses,
// names the trusted certificate (any case) and a supported algorithm, covers
// the Digest (and, for a notification, MessageCreateDateTime), the Digest
// is the body's, and content and signature are a message the trusted key
// signed: a seed's, or the harness's own when the merchant key is trusted.
func (tr *fzTrust) authentic(harness, method, target string, hdr http.Header, body []byte, notification bool) bool {
	if tr.c.notifications == nil {
		return true
	}
	// One Signature header, its parameters alone (no auth-scheme), the
	// keyId in lower or upper case, the algorithm spelled exactly.
	raw := hdr.Values("Signature")
	if len(raw) != 1 || len(raw[0]) >= 10 && strings.EqualFold(raw[0][:10], "Signature ") {
		return false
	}
	p, err := signing.ParseIDEAL2Signature(raw[0])
	if err != nil || p.KeyID != tr.c.notifications.KeyID() && p.KeyID != strings.ToUpper(tr.c.notifications.KeyID()) {
		return false
	}
	switch p.Algorithm {
	case "rsa-sha256", "SHA256withRSA":
	default:
		return false
	}
	for _, name := range p.Headers {
		if name != "(request-target)" && len(hdr.Values(name)) > 1 {
			return false
		}
	}
	if !fzContains(p.Headers, "digest") || notification && !fzContains(p.Headers, "messagecreatedatetime") {
		return false
	}
	if hdr.Get("Digest") != signing.IDEAL2Digest(body) {
		return false
	}
	ss, err := signing.IDEAL2SigningString(p.Headers, method, target, hdr)
	if err != nil {
		return false
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(p.Signature)
	if err != nil {
		return false
	}
	msg := fzSigned(ss, body, base64.StdEncoding.EncodeToString(sig))
	return tr.known[msg] || tr.signed && msg == harness
}

func fzContains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// fzFresh reports whether hdr's MessageCreateDateTime is within the default
// notification MaxAge of the clock.
func fzFresh(hdr http.Header) bool {
	ts, err := time.Parse(time.RFC3339Nano, hdr.Get("MessageCreateDateTime"))
	if err != nil {
		return false
	}
	d := fzNow.Sub(ts)
	return d <= DefaultNotificationMaxAge && d >= -DefaultNotificationMaxAge
}

// fzAnswerFresh reports whether an answer is bound to the request the
// client sent at fzNow: a success signs its MessageCreateDateTime, and a
// signed time lies within the response tolerance of the request's.
func fzAnswerFresh(hdr http.Header, status int) bool {
	p, err := signing.ParseIDEAL2Signature(hdr.Get("Signature"))
	if err != nil || !fzContains(p.Headers, "messagecreatedatetime") {
		return status < 200 || status >= 300
	}
	ts, err := time.Parse(time.RFC3339Nano, hdr.Get("MessageCreateDateTime"))
	if err != nil {
		return false
	}
	d := fzNow.Sub(ts)
	return d <= signing.DefaultIDEAL2ResponseTolerance && d >= -signing.DefaultIDEAL2ResponseTolerance
}

// fzStatusOf decodes body as a status; ok when it names a payment and status.
func fzStatusOf(body []byte) (PaymentStatusResponse, bool) {
	var st PaymentStatusResponse
	err := json.Unmarshal(body, &st)
	return st, err == nil && st.CommonPaymentData.PaymentID != "" && st.CommonPaymentData.PaymentStatus != ""
}

// ---------------------------------------------------------------- stand-in

type fzExchangeKey struct{}

// fzExchange is one input's conversation with the stand-in routing
// service: serve answers every PIS request; requests records them.
type fzExchange struct {
	serve    func(r *http.Request, n int) (int, http.Header, []byte)
	mu       sync.Mutex
	requests []*http.Request
}

// fzRouting answers token requests with a token and PIS requests from the
// fzExchange in the request's context. It never touches the network.
type fzRouting struct{}

func (fzRouting) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	status, hdr, body := http.StatusOK, http.Header{"Content-Type": {"application/json"}}, []byte(`{"access_token":"fuzz-token","token_type":"Bearer","expires_in":3600}`)
	if r.URL.Path != authorizePath {
		ex, _ := r.Context().Value(fzExchangeKey{}).(*fzExchange)
		if ex == nil {
			return nil, errors.New("fuzz: no exchange in the request context")
		}
		ex.mu.Lock()
		ex.requests = append(ex.requests, r)
		n := len(ex.requests)
		ex.mu.Unlock()
		status, hdr, body = ex.serve(r, n)
	}
	return &http.Response{
		StatusCode: status, Header: hdr.Clone(), Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: r,
	}, nil
}

// ---------------------------------------------------------------- targets

// GetPayment through the client's signing transport, on any answer. A
// status is returned only for a 200 whose content the trusted key signed
// (any answer, with verification off) and that is about the payment asked
// for; a verification failure is only reported when verifying; an unsigned
// or authentic error answer becomes an *Error with its status and exact
// body; a harness-signed answer to the client trusting the merchant key,
// and any well-formed answer with verification off, is accepted.
func FuzzGetPayment(f *testing.F) {
	h := fzSetup(f)
	for _, s := range h.seeds {
		f.Add(200, s.header, s.body, s.mode)
	}
	f.Add(401, "", []byte(`{"Code":"017","Message":"Token expired"}`), uint8(0))
	f.Add(404, "Content-Type: text/html", []byte("<html>not found</html>"), uint8(1))
	f.Add(500, "", []byte(`{"Code":"154","Message":"Invalid digest"}`), uint8(5))
	f.Add(302, "Location: https://evil.example/x", []byte(nil), uint8(2))
	f.Add(302, "Location: /xs2a/routingservice/services/ob/pis/v3/payments/143374/status", []byte(nil), uint8(2))
	f.Fuzz(func(t *testing.T, status int, headerText string, body []byte, mode uint8) {
		if status < 100 || status > 599 {
			status = 100 + (status%500+500)%500
		}
		hdr := apiclienttest.HeaderFromText(headerText)
		tr, harness := h.input(t, mode&^8, "", "", hdr, body)
		verifying := tr.c.notifications != nil
		ex := &fzExchange{serve: func(*http.Request, int) (int, http.Header, []byte) { return status, hdr, body }}
		ctx := context.WithValue(context.Background(), fzExchangeKey{}, ex)
		st, err := tr.c.GetPayment(ctx, fzPaymentID)

		checked := verifying && (status >= 200 && status < 300 || hdr.Get("Signature") != "")
		authentic := !checked || tr.authentic(harness, "", "", hdr, body, false)
		want, wellFormed := fzStatusOf(body)
		if err == nil {
			if status != http.StatusOK || !authentic || !wellFormed || st.CommonPaymentData.PaymentID != fzPaymentID {
				t.Fatalf("%s accepted HTTP %d %q (authentic %v)", tr.name, status, body, authentic)
			}
			if st.CommonPaymentData.PaymentID != want.CommonPaymentData.PaymentID || st.CommonPaymentData.PaymentStatus != want.CommonPaymentData.PaymentStatus {
				t.Fatalf("status %+v is not the body's %+v", st.CommonPaymentData, want.CommonPaymentData)
			}
			return
		}
		var ve *VerifyError
		if errors.As(err, &ve) || errors.Is(err, betaalkit.ErrVerification) {
			if !checked {
				t.Fatalf("%s reported a verification failure for HTTP %d: %v", tr.name, status, err)
			}
			if authentic && tr.signed && harness != "" && fzAnswerFresh(hdr, status) {
				t.Fatalf("%s refused an answer its trusted key signed: %v", tr.name, err)
			}
			return
		}
		if checked && !authentic {
			t.Fatalf("%s let an answer that is not authentic through as %v", tr.name, err)
		}
		if status >= 300 && status < 400 {
			return // followed (or refused) as a redirect
		}
		if status != http.StatusOK {
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != status || !bytes.Equal(e.RawBody, body) {
				t.Fatalf("HTTP %d %q became %v", status, body, err)
			}
			return
		}
		if wellFormed && want.CommonPaymentData.PaymentID == fzPaymentID {
			t.Fatalf("%s refused a good answer %q: %v", tr.name, body, err)
		}
		if !errors.Is(err, betaalkit.ErrDecode) {
			t.Fatalf("a 200 that is not this payment's status is not a decode error: %v", err)
		}
	})
}

// ParseNotification on any headers and body, with each client's
// notification verifier (or none): a status comes back only when it names a
// payment and a status and, when verifying, when the trusted key signed its
// content with a fresh MessageCreateDateTime; without a verifier it is
// never a verification failure; a fresh harness-signed notification to the
// client trusting the merchant key is accepted.
func FuzzParseNotification(f *testing.F) {
	h := fzSetup(f)
	for _, s := range h.seeds {
		f.Add(s.header, s.body, s.mode)
	}
	f.Fuzz(func(t *testing.T, headerText string, body []byte, mode uint8) {
		hdr := apiclienttest.HeaderFromText(headerText)
		tr, harness := h.input(t, mode, http.MethodPost, fzNotifyURL, hdr, body)
		req := httptest.NewRequest(http.MethodPost, fzNotifyURL, bytes.NewReader(body))
		req.Header = hdr
		st, err := ParseNotification(req, tr.c.notifications)
		verifying := tr.c.notifications != nil
		genuine := !verifying || tr.authentic(harness, http.MethodPost, fzNotifyURL, hdr, body, true) && fzFresh(hdr)
		want, wellFormed := fzStatusOf(body)
		var ve *VerifyError
		switch {
		case err == nil:
			if !genuine || !wellFormed || st.CommonPaymentData.PaymentID != want.CommonPaymentData.PaymentID || st.CommonPaymentData.PaymentStatus != want.CommonPaymentData.PaymentStatus {
				t.Fatalf("%s accepted %q (genuine %v) as %+v", tr.name, body, genuine, st)
			}
		case errors.As(err, &ve):
			if !verifying || !errors.Is(err, betaalkit.ErrVerification) {
				t.Fatalf("%s: verification failure %v", tr.name, err)
			}
			if genuine {
				t.Fatalf("%s refused a genuine, fresh notification: %v", tr.name, err)
			}
		default:
			if !genuine {
				t.Fatalf("%s judged the body of a notification that does not verify: %v", tr.name, err)
			}
			if wellFormed {
				t.Fatalf("%s refused a well-formed notification %q: %v", tr.name, body, err)
			}
		}
	})
}

// The webhook handler end to end, on any headers, body and method.
// Each input is served twice; the shop's callback fails the first time
// (500, then 200: the failed delivery does not count as seen). Verifying clients call back only for genuine, fresh
// notifications (401 otherwise, 400 for a genuine body that is no status).
// With verification off the body is only a hint: the callback gets the
// status the API returns for the payment the body names, fetched with one
// GET of …/payments/{id}/status on the configured host (502 when the id
// cannot be fetched). Not a POST: 405.
func FuzzWebhookHandler(f *testing.F) {
	h := fzSetup(f)
	for _, s := range h.seeds {
		f.Add(s.header, s.body, s.mode, uint8(0))
	}
	f.Add("", []byte(`{"CommonPaymentData":{"PaymentId":"1","PaymentStatus":"Open"}}`), uint8(5), uint8(1))
	methods := []string{http.MethodPost, http.MethodGet, http.MethodPut, "post"}
	base, err := url.Parse(TestBaseURL)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, headerText string, body []byte, mode, m uint8) {
		method := methods[int(m)%len(methods)]
		hdr := apiclienttest.HeaderFromText(headerText)
		tr, harness := h.input(t, mode, http.MethodPost, fzNotifyURL, hdr, body)
		verifying := tr.c.notifications != nil
		ex := &fzExchange{serve: func(r *http.Request, n int) (int, http.Header, []byte) {
			id, _ := url.PathUnescape(strings.TrimSuffix(strings.TrimPrefix(r.URL.EscapedPath(), base.Path+"/payments/"), "/status"))
			b, _ := json.Marshal(map[string]any{"CommonPaymentData": map[string]any{"PaymentId": id, "PaymentStatus": "Open", "AspspPaymentId": fmt.Sprintf("from-the-api-%d", n)}})
			return http.StatusOK, http.Header{"Content-Type": {"application/json"}}, b
		}}
		var got []*PaymentStatusResponse
		handler := tr.c.WebhookHandler(func(ctx context.Context, st *PaymentStatusResponse) error {
			got = append(got, st)
			if len(got) == 1 {
				return errors.New("shop database down")
			}
			return nil
		})
		var codes []int
		for range 2 {
			req := httptest.NewRequest(method, fzNotifyURL, bytes.NewReader(body))
			req.Header = hdr.Clone()
			req = req.WithContext(context.WithValue(req.Context(), fzExchangeKey{}, ex))
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, req)
			codes = append(codes, w.Code)
		}
		want, wellFormed := fzStatusOf(body)
		genuine := !verifying || tr.authentic(harness, http.MethodPost, fzNotifyURL, hdr, body, true) && fzFresh(hdr)
		id := want.CommonPaymentData.PaymentID
		fetchable := apiclient.CheckPathID("paymentId", id) == nil

		for _, r := range ex.requests {
			if verifying || method != http.MethodPost || !wellFormed {
				t.Fatalf("%s: %s %q caused an API request %s", tr.name, method, body, r.URL)
			}
			seg, ok := strings.CutPrefix(r.URL.EscapedPath(), base.Path+"/payments/")
			seg, ok2 := strings.CutSuffix(seg, "/status")
			got, err := url.PathUnescape(seg)
			if r.Method != http.MethodGet || r.URL.Scheme != base.Scheme || r.URL.Host != base.Host || r.URL.RawQuery != "" ||
				!ok || !ok2 || strings.Contains(seg, "/") || err != nil || got != id {
				t.Fatalf("PaymentId %q was fetched as %s %s", id, r.Method, r.URL)
			}
		}
		var wantCodes []int
		switch {
		case method != http.MethodPost:
			wantCodes = []int{405, 405}
		case !genuine:
			wantCodes = []int{401, 401}
		case !wellFormed:
			wantCodes = []int{400, 400}
		case !verifying && !fetchable:
			wantCodes = []int{502, 502}
		default:
			wantCodes = []int{500, 200}
		}
		if codes[0] != wantCodes[0] || codes[1] != wantCodes[1] {
			t.Fatalf("%s: %s %q (genuine %v): answers %v, want %v", tr.name, method, body, genuine, codes, wantCodes)
		}
		if wantCodes[0] != 500 {
			if len(got) != 0 {
				t.Fatalf("callback ran for answers %v", codes)
			}
			return
		}
		if len(got) != 2 {
			t.Fatalf("%d callbacks", len(got))
		}
		for i, st := range got {
			if st.CommonPaymentData.PaymentID != id {
				t.Fatalf("callback got payment %q for a notification about %q", st.CommonPaymentData.PaymentID, id)
			}
			if verifying {
				if st.CommonPaymentData.PaymentStatus != want.CommonPaymentData.PaymentStatus {
					t.Fatalf("callback got status %q, the signed body says %q", st.CommonPaymentData.PaymentStatus, want.CommonPaymentData.PaymentStatus)
				}
			} else if st.CommonPaymentData.AspspPaymentID != fmt.Sprintf("from-the-api-%d", i+1) || st.CommonPaymentData.PaymentStatus != "Open" {
				t.Fatalf("unverified: callback got %+v, not the API's answer", st.CommonPaymentData)
			}
		}
	})
}

// toError on any status and body returns an *Error (a betaalkit.APIError
// matching ErrAPI) with that status and the exact raw body; Code, Message,
// Details and Link survive the trip in either key spelling.
func FuzzToError(f *testing.F) {
	for _, seed := range apiclienttest.ErrorSeeds(f, provider) {
		f.Add(seed.StatusCode, seed.Body, 0, "")
	}
	f.Add(401, []byte(`{"Code":"003","Message":"Invalid signature","Details":"keyId","Link":{"Href":"https://x"}}`), 0, "")
	f.Add(401, []byte(`{"code":"017","message":"Token expired"}`), 0, "")
	f.Add(400, []byte(`{"Code":154}`), 0, "")
	f.Add(400, []byte(`{"Code":" 101 ","Link":null}`), 0, "")
	f.Add(400, []byte(`{"Link":"x"}`), 0, "")
	f.Add(502, []byte("<html><body>Bad Gateway</body></html>"), 0, "")
	f.Add(500, []byte(nil), 17, "Token expired")
	f.Fuzz(func(t *testing.T, status int, body []byte, code int, message string) {
		_ = fzCheckError(t, status, body).Error()

		if !utf8.ValidString(message) {
			return
		}
		keys := []string{"Code", "Message", "Details", "Link", "Href"}
		if code%2 != 0 {
			keys = []string{"code", "message", "details", "link", "href"} // the token endpoint's spelling
		}
		codeText := fmt.Sprintf("%03d", code)
		env, err := json.Marshal(map[string]any{keys[0]: codeText, keys[1]: message, keys[2]: message, keys[3]: map[string]string{keys[4]: message}})
		if err != nil {
			t.Fatal(err)
		}
		e := fzCheckError(t, status, env)
		if e.Code != strings.TrimSpace(codeText) || e.Message != message || e.Details != message || e.Link != message {
			t.Fatalf("envelope %s read as %+v", env, e)
		}
	})
}

func fzCheckError(t *testing.T, status int, body []byte) *Error {
	return apiclienttest.CheckError[*Error](t, provider, toError, status, body)
}
