package ideal2

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	client "github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/flex"
	gen "github.com/betaalkit/betaalkit/gen/ideal2"
	"github.com/betaalkit/betaalkit/sandbox/sim"
	"github.com/betaalkit/betaalkit/signing"
)

// Error codes the sandbox answers with. The first four are the routing
// service's own; the material names no code for a request that breaks the
// spec or for an unknown payment, so the sandbox uses the HTTP status.
const (
	CodeInvalidSignature = client.CodeInvalidSignature // 003: signature missing, wrong, stale or by an unknown key
	CodeTokenExpired     = client.CodeTokenExpired     // 017: bearer token missing, unknown or expired
	CodeUnknownMerchant  = client.CodeUnknownMerchant  // 101: token request for an unknown Id or Client
	CodeInvalidDigest    = client.CodeInvalidDigest    // 154: Digest missing or not the body's
	CodeInvalidRequest   = "400"                       // the request breaks the spec (sandbox's own code)
	CodeNotFound         = "404"                       // no such payment (sandbox's own code)
)

var codeText = map[string]string{
	CodeInvalidSignature: "Invalid signature",
	CodeTokenExpired:     "Token expired",
	CodeUnknownMerchant:  "Unknown merchant",
	CodeInvalidDigest:    "Invalid digest",
	CodeInvalidRequest:   "Invalid request",
	CodeNotFound:         "Not found",
}

// signedRequestHeaders must all be covered by a PIS request's Signature, so
// a signature cannot be replayed on another path or body.
var signedRequestHeaders = []string{"x-request-id", "(request-target)", "digest", "messagecreatedatetime"}

// responseHeaders are the headers the routing service signs on its
// responses and notifications, in its order.
var responseHeaders = []string{"messagecreatedatetime", "x-request-id", "digest"}

// responseAlgorithm is what the routing service calls the scheme in responses.
const responseAlgorithm = "rsa-sha256"

// apiError is an answer in the routing service's error format.
type apiError struct {
	status  int
	code    string
	details string
}

func fail(status int, code, format string, a ...any) *apiError {
	return &apiError{status: status, code: code, details: fmt.Sprintf(format, a...)}
}

type tokenInfo struct{ expires time.Time }

// token answers the signed client-credentials request: spec first (the
// headers are what is signed), then the signature, the merchant and the Date.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if _, status, err := sim.ReadBody(w, r); err != nil {
		s.writeTokenError(w, r, fail(status, CodeInvalidRequest, "%v", err))
		return
	}
	if _, _, err := s.validator.Check(r); err != nil {
		s.writeTokenError(w, r, fail(http.StatusBadRequest, CodeInvalidRequest, "%s", err))
		return
	}
	h := r.Header
	if h.Get("App") != "IDEAL" {
		s.writeTokenError(w, r, fail(http.StatusBadRequest, CodeInvalidRequest, "App: %q is not IDEAL", h.Get("App")))
		return
	}
	if e := s.verifyTokenSignature(h); e != nil {
		s.writeTokenError(w, r, e)
		return
	}
	m := s.cfg.Merchant
	id := h.Get("Id")
	if id != m.ID && (m.SubID == "" || id != m.ID+":"+m.SubID) {
		s.writeTokenError(w, r, fail(http.StatusUnauthorized, CodeUnknownMerchant, "Id: %q is not a merchant of this sandbox", id))
		return
	}
	if c := h.Get("Client"); c != m.ClientName {
		s.writeTokenError(w, r, fail(http.StatusUnauthorized, CodeUnknownMerchant, "Client: %q is not the acquirer client of merchant %s", c, m.ID))
		return
	}
	date, err := time.Parse(time.RFC3339Nano, h.Get("Date"))
	if err != nil {
		s.writeTokenError(w, r, fail(http.StatusBadRequest, CodeInvalidRequest, "Date: %q is not an ISO 8601 time", h.Get("Date")))
		return
	}
	if e := s.checkFresh("Date", date); e != nil {
		s.writeTokenError(w, r, e)
		return
	}

	var raw [32]byte
	_, _ = rand.Read(raw[:])
	tok := hex.EncodeToString(raw[:])
	now := s.now()
	s.mu.Lock()
	for t, info := range s.tokens {
		if !now.Before(info.expires) {
			delete(s.tokens, t) // keeps the map from growing; an unknown token is refused like an expired one
		}
	}
	s.tokens[tok] = tokenInfo{expires: now.Add(s.cfg.TokenLifetime)}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, nil, gen.TokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: flex.Int(s.cfg.TokenLifetime / time.Second)})
}

func (s *Server) verifyTokenSignature(h http.Header) *apiError {
	auth := h.Get("Authorization")
	if len(auth) < len("Signature ") || !strings.EqualFold(auth[:len("Signature ")], "Signature ") {
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "Authorization: want Signature keyId=…,algorithm=…,headers=\"app client id date\",signature=…")
	}
	p, err := signing.ParseIDEAL2Signature(auth)
	if err != nil {
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "Authorization: %v", err)
	}
	if missing := uncovered(p.Headers, signing.IDEAL2TokenHeaders); missing != "" {
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "Authorization: the signature does not cover %s", missing)
	}
	// The verifier reads the Signature header; the token request carries
	// the same parameters in Authorization.
	signed := h.Clone()
	signed.Set("Signature", strings.TrimSpace(auth[len("Signature "):]))
	if err := s.tokenVerifier.VerifyHeaders(signed); err != nil {
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "Authorization: %s", reason(err))
	}
	return nil
}

// authenticate checks a PIS request as the routing service does: a live
// bearer token, then the merchant's Signature over the named headers and the
// Digest of the exact body.
func (s *Server) authenticate(r *http.Request, body []byte) *apiError {
	auth := r.Header.Get("Authorization")
	if len(auth) < len("Bearer ") || !strings.EqualFold(auth[:len("Bearer ")], "Bearer ") {
		return fail(http.StatusUnauthorized, CodeTokenExpired, "Authorization: no Bearer access token")
	}
	s.mu.Lock()
	info, ok := s.tokens[strings.TrimSpace(auth[len("Bearer "):])]
	s.mu.Unlock()
	switch {
	case !ok:
		return fail(http.StatusUnauthorized, CodeTokenExpired, "Authorization: the access token is unknown or expired")
	case !s.now().Before(info.expires):
		return fail(http.StatusUnauthorized, CodeTokenExpired, "Authorization: the access token expired at %s", info.expires.UTC().Format(signing.IDEAL2TimeFormat))
	}
	if r.Header.Get("Digest") == "" {
		return fail(http.StatusBadRequest, CodeInvalidDigest, "Digest: missing")
	}
	sig := r.Header.Get("Signature")
	if sig == "" {
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "Signature: missing")
	}
	p, err := signing.ParseIDEAL2Signature(sig)
	if err != nil {
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "Signature: %v", err)
	}
	if missing := uncovered(p.Headers, signedRequestHeaders); missing != "" {
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "Signature: does not cover %s", missing)
	}
	err = s.pisVerifier.VerifyRequest(r, body)
	switch {
	case errors.Is(err, signing.ErrIDEAL2DigestMismatch):
		return fail(http.StatusBadRequest, CodeInvalidDigest, "Digest: %s is not the SHA-256 of the body", r.Header.Get("Digest"))
	case errors.Is(err, signing.ErrStale):
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "MessageCreateDateTime: %s is more than %s from the server's time", r.Header.Get("MessageCreateDateTime"), s.cfg.MaxClockSkew)
	case err != nil:
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "Signature: %s", reason(err))
	}
	return nil
}

func (s *Server) checkFresh(field string, t time.Time) *apiError {
	if d := s.now().Sub(t); d > s.cfg.MaxClockSkew || d < -s.cfg.MaxClockSkew {
		return fail(http.StatusUnauthorized, CodeInvalidSignature, "%s: %s is more than %s from the server's time", field, t.UTC().Format(signing.IDEAL2TimeFormat), s.cfg.MaxClockSkew)
	}
	return nil
}

// uncovered names the first of want that signed does not list.
func uncovered(signed, want []string) string {
	for _, w := range want {
		found := false
		for _, s := range signed {
			if strings.EqualFold(s, w) {
				found = true
				break
			}
		}
		if !found {
			return w
		}
	}
	return ""
}

// sign sets X-Request-ID, MessageCreateDateTime, Digest and Signature on a
// response or notification, as the routing service signs its messages.
func (s *Server) sign(h http.Header, body []byte) error {
	h.Set("X-Request-ID", signing.IDEAL2RequestID())
	h.Set("MessageCreateDateTime", s.now().UTC().Format(signing.IDEAL2TimeFormat))
	h.Set("Digest", signing.IDEAL2Digest(body))
	ss, err := signing.IDEAL2SigningString(responseHeaders, "", "", h)
	if err != nil {
		return err
	}
	sig, err := signing.IDEAL2Sign(s.key, ss)
	if err != nil {
		return err
	}
	// The routing service writes its keyId in upper case.
	h.Set("Signature", signing.IDEAL2SignatureParams{KeyID: strings.ToUpper(signing.IDEAL2KeyID(s.cert)), Algorithm: responseAlgorithm, Headers: responseHeaders, Signature: sig}.String())
	return nil
}

// writeSigned answers with a signed JSON body.
func (s *Server) writeSigned(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := http.Header{}
	if err := s.sign(h, body); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, status, h, json.RawMessage(body))
}

// errorBody is the PIS error format, fields in the routing service's order.
type errorBody struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
	Details string `json:"Details"`
	Link    struct {
		Href string `json:"Href"`
	} `json:"Link"`
}

// tokenErrorBody is the token endpoint's: the same fields, lower-case keys.
type tokenErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Details string `json:"details"`
	Link    struct {
		Href string `json:"href"`
	} `json:"link"`
}

// writeError answers in the PIS error format, signed like every response.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	b := errorBody{Code: e.code, Message: codeText[e.code], Details: e.details}
	b.Link.Href = sim.Origin(r) + "/sandbox/errors/" + e.code
	s.writeSigned(w, e.status, b)
}

// writeTokenError answers in the token endpoint's format, unsigned.
func (s *Server) writeTokenError(w http.ResponseWriter, r *http.Request, e *apiError) {
	b := tokenErrorBody{Code: e.code, Message: codeText[e.code], Details: e.details}
	b.Link.Href = sim.Origin(r) + "/sandbox/errors/" + e.code
	writeJSON(w, e.status, nil, b)
}

// reason drops the verifier's wrapping ("ideal2: message failed
// verification: …"); the error code already says that much.
func reason(err error) string {
	var ve *signing.IDEAL2VerifyError
	if errors.As(err, &ve) {
		return ve.Err.Error()
	}
	return err.Error()
}

func writeJSON(w http.ResponseWriter, status int, h http.Header, v any) {
	for k, vs := range h {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	if raw, ok := v.(json.RawMessage); ok {
		_, _ = w.Write(raw)
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// errorHelp serves the page an error's Link points to.
func errorHelp(w http.ResponseWriter, r *http.Request) {
	text, ok := map[string]string{
		CodeInvalidSignature: "003 Invalid signature: the Signature (or the token request's Authorization) is missing, does not verify with the merchant certificate, does not cover the required headers, or was made more than the allowed clock skew ago.",
		CodeTokenExpired:     "017 Token expired: send a Bearer access token from the token endpoint; tokens live 60 minutes.",
		CodeUnknownMerchant:  "101 Unknown merchant: the token request's Id or Client is not the sandbox's merchant.",
		CodeInvalidDigest:    "154 Invalid digest: Digest must be SHA-256= and the base64 SHA-256 of the exact body bytes (the empty body for a GET).",
		CodeInvalidRequest:   "400 Invalid request: the request does not match the API specification; Details names the field.",
		CodeNotFound:         "404 Not found: no payment with that PaymentId.",
	}[r.PathValue("code")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintln(w, text)
}
