package clients_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/buckaroo"
	"github.com/betaalkit/betaalkit/clients/ideal2"
	"github.com/betaalkit/betaalkit/clients/kassacompleet"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/clients/opp"
	"github.com/betaalkit/betaalkit/internal/syncbuf"
	"github.com/betaalkit/betaalkit/money"
	sbbuckaroo "github.com/betaalkit/betaalkit/sandbox/buckaroo"
	sbideal2 "github.com/betaalkit/betaalkit/sandbox/ideal2"
	sbkassacompleet "github.com/betaalkit/betaalkit/sandbox/kassacompleet"
	sbmultisafepay "github.com/betaalkit/betaalkit/sandbox/multisafepay"
	sbopp "github.com/betaalkit/betaalkit/sandbox/opp"
	"github.com/betaalkit/betaalkit/signing"
	"github.com/betaalkit/betaalkit/transport"
)

// This file is the table every test in the package runs through: one
// adapter per provider that starts its sandbox, builds its client with the
// transport options under test, and makes the provider's "create" (a POST
// that makes a payment) and "get" (a GET of its status) calls.

// clientOptions are the transport options every client takes.
type clientOptions struct {
	HTTPClient     *http.Client
	Retry          transport.RetryPolicy
	Logger         *slog.Logger
	AttemptTimeout time.Duration
	// BadCredentials builds the client with a key the sandbox refuses.
	BadCredentials bool
}

// apiClient is one provider's client, reduced to the two calls under test.
type apiClient interface {
	// Create makes a payment (POST) and returns the id to Get it by.
	Create(ctx context.Context) (id string, err error)
	// Get fetches its status (GET).
	Get(ctx context.Context, id string) error
	// Invalid makes calls the client must refuse before sending anything,
	// with the field each error must name.
	Invalid(ctx context.Context) []invalidCall
	// Webhook is the client's WebhookHandler with a shop function that
	// accepts everything.
	Webhook(opts ...betaalkit.WebhookOption) http.Handler
}

type invalidCall struct {
	field string
	err   error
}

// sandboxEnv is one provider's sandbox, fresh per test.
type sandboxEnv struct {
	handler http.Handler
	// newClient builds a client against the sandbox at origin (scheme://host).
	newClient func(origin string, o clientOptions) (apiClient, error)
	// resign re-signs a response whose body the fault middleware replaced,
	// as the sandbox would (iDEAL signs its responses); nil elsewhere.
	resign func(h http.Header, body []byte)
}

type provider struct {
	name string
	// createPattern and getPattern are the sandbox's ServeMux patterns of
	// the two calls; the fault middleware counts and faults only these.
	createPattern, getPattern string
	// retryStatuses are the provider's own "try again" statuses, retried
	// for a GET on top of 429, 502, 503 and 504.
	retryStatuses []int
	// nonce says the signature scheme varies per request (nonce, time or
	// request id), so every attempt's credentials header must differ.
	nonce bool
	// credentials reads the header that carries the credentials of one
	// arrival, and a per-request value that must differ between attempts
	// (nonce schemes only).
	credentials func(h http.Header) (present bool, unique string)
	newSandbox  func() (*sandboxEnv, error)
	// asError is errors.As into the provider's own *Error.
	asError func(err error) (betaalkit.APIError, bool)
	// verifiesResponses: a response body changed in transit fails
	// verification (ErrVerification) instead of decoding.
	verifiesResponses bool
	// credentialsRefusal is the status a wrong key is refused with (0: the
	// provider has no static key to get wrong, iDEAL).
	credentialsRefusal int
}

var providers = []provider{
	{
		name:          "kassacompleet",
		createPattern: "POST /v1/orders/", getPattern: "GET /v1/orders/{id}/",
		credentials: basicAuth,
		newSandbox: func() (*sandboxEnv, error) {
			s, err := sbkassacompleet.New(sbkassacompleet.Config{})
			if err != nil {
				return nil, err
			}
			return &sandboxEnv{handler: s, newClient: func(origin string, o clientOptions) (apiClient, error) {
				key := sbkassacompleet.DefaultAPIKey
				if o.BadCredentials {
					key = "wrong-key"
				}
				opts := []kassacompleet.Option{kassacompleet.WithBaseURL(origin + "/v1"), kassacompleet.WithRetry(o.Retry),
					kassacompleet.WithLogger(o.Logger), kassacompleet.WithAttemptTimeout(o.AttemptTimeout)}
				if o.HTTPClient != nil {
					opts = append(opts, kassacompleet.WithHTTPClient(o.HTTPClient))
				}
				c, err := kassacompleet.New(key, opts...)
				return kcClient{c}, err
			}}, nil
		},
		asError:            asError[*kassacompleet.Error],
		credentialsRefusal: http.StatusUnauthorized,
	},
	{
		name:          "opp",
		createPattern: "POST /v1/transactions", getPattern: "GET /v1/transactions/{uid}",
		retryStatuses: []int{http.StatusConflict},
		credentials:   basicAuth,
		newSandbox: func() (*sandboxEnv, error) {
			s, err := sbopp.New(sbopp.Config{})
			if err != nil {
				return nil, err
			}
			return &sandboxEnv{handler: s, newClient: func(origin string, o clientOptions) (apiClient, error) {
				key := sbopp.DefaultAPIKey
				if o.BadCredentials {
					key = "wrong-key"
				}
				opts := []opp.Option{opp.WithBaseURL(origin + "/v1"), opp.WithRetry(o.Retry),
					opp.WithLogger(o.Logger), opp.WithAttemptTimeout(o.AttemptTimeout)}
				if o.HTTPClient != nil {
					opts = append(opts, opp.WithHTTPClient(o.HTTPClient))
				}
				c, err := opp.New(key, opts...)
				return oppClient{c}, err
			}}, nil
		},
		asError:            asError[*opp.Error],
		credentialsRefusal: http.StatusUnauthorized,
	},
	{
		name:          "multisafepay",
		createPattern: "POST /v1/json/orders", getPattern: "GET /v1/json/orders/{order_id}",
		credentials: func(h http.Header) (bool, string) {
			return h.Get("api_key") != "", ""
		},
		newSandbox: func() (*sandboxEnv, error) {
			s, err := sbmultisafepay.New(sbmultisafepay.Config{})
			if err != nil {
				return nil, err
			}
			return &sandboxEnv{handler: s, newClient: func(origin string, o clientOptions) (apiClient, error) {
				key := sbmultisafepay.DefaultAPIKey
				if o.BadCredentials {
					key = "wrong-key"
				}
				opts := []multisafepay.Option{multisafepay.WithBaseURL(origin + sbmultisafepay.BasePath), multisafepay.WithRetry(o.Retry),
					multisafepay.WithLogger(o.Logger), multisafepay.WithAttemptTimeout(o.AttemptTimeout)}
				if o.HTTPClient != nil {
					opts = append(opts, multisafepay.WithHTTPClient(o.HTTPClient))
				}
				c, err := multisafepay.New(key, opts...)
				return mspClient{c}, err
			}}, nil
		},
		asError:            asError[*multisafepay.Error],
		credentialsRefusal: http.StatusUnauthorized,
	},
	{
		name:          "buckaroo",
		createPattern: "POST /json/Transaction", getPattern: "GET /json/Transaction/Status/{key}",
		nonce: true,
		credentials: func(h http.Header) (bool, string) {
			p, err := signing.ParseBuckarooHeader(h.Get("Authorization"))
			if err != nil {
				return false, ""
			}
			return true, p.Nonce
		},
		newSandbox: func() (*sandboxEnv, error) {
			s, err := sbbuckaroo.New(sbbuckaroo.Config{})
			if err != nil {
				return nil, err
			}
			return &sandboxEnv{handler: s, newClient: func(origin string, o clientOptions) (apiClient, error) {
				secret := sbbuckaroo.DefaultSecretKey
				if o.BadCredentials {
					secret = "wrong-secret"
				}
				opts := []buckaroo.Option{buckaroo.WithBaseURL(origin), buckaroo.WithRetry(o.Retry),
					buckaroo.WithLogger(o.Logger), buckaroo.WithAttemptTimeout(o.AttemptTimeout)}
				if o.HTTPClient != nil {
					opts = append(opts, buckaroo.WithHTTPClient(o.HTTPClient))
				}
				c, err := buckaroo.New(sbbuckaroo.DefaultWebsiteKey, secret, opts...)
				return buckarooClient{c}, err
			}}, nil
		},
		asError:            asError[*buckaroo.Error],
		credentialsRefusal: http.StatusUnauthorized,
	},
	{
		name:          "ideal2",
		createPattern: "POST " + sbideal2.PISBasePath + "/payments", getPattern: "GET " + sbideal2.PISBasePath + "/payments/{id}/status",
		nonce: true,
		credentials: func(h http.Header) (bool, string) {
			ok := strings.HasPrefix(h.Get("Authorization"), "Bearer ") && h.Get("Signature") != "" && h.Get("X-Request-ID") != ""
			return ok, h.Get("X-Request-ID") + " " + h.Get("Signature")
		},
		newSandbox: func() (*sandboxEnv, error) {
			k, err := idealKeysOnce()
			if err != nil {
				return nil, err
			}
			s, err := sbideal2.New(sbideal2.Config{Merchant: k.merchant, SigningKey: k.server})
			if err != nil {
				return nil, err
			}
			cert := s.Certificate()
			return &sandboxEnv{
				handler: s,
				newClient: func(origin string, o clientOptions) (apiClient, error) {
					cfg := s.ClientConfig(origin)
					cfg.HTTPClient, cfg.Retry, cfg.Logger, cfg.AttemptTimeout = o.HTTPClient, o.Retry, o.Logger, o.AttemptTimeout
					c, err := ideal2.New(cfg)
					return idealClient{c}, err
				},
				resign: func(h http.Header, body []byte) { resignIDEAL(h, body, k.server, cert) },
			}, nil
		},
		asError:           asError[*ideal2.Error],
		verifiesResponses: true,
	},
}

func basicAuth(h http.Header) (bool, string) {
	return strings.HasPrefix(h.Get("Authorization"), "Basic "), ""
}

func asError[E betaalkit.APIError](err error) (betaalkit.APIError, bool) {
	var e E
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// seq makes merchant references unique across the test binary.
var seq atomic.Int64

func ref(prefix string) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e6, seq.Add(1))
}

func ptr[T any](v T) *T { return &v }

type kcClient struct{ c *kassacompleet.Client }

func (k kcClient) Create(ctx context.Context) (string, error) {
	o, err := k.c.CreatePayment(ctx, kassacompleet.OrderCreate{
		Currency: "EUR", Amount: 1250, Description: "betaalkit retry test", MerchantOrderID: ref("kc"),
	})
	if err != nil {
		return "", err
	}
	return o.ID, nil
}

func (k kcClient) Get(ctx context.Context, id string) error {
	_, err := k.c.GetPayment(ctx, id)
	return err
}

func (k kcClient) Invalid(ctx context.Context) []invalidCall {
	_, errCreate := k.c.CreatePayment(ctx, kassacompleet.OrderCreate{Currency: "eur", Amount: 1250})
	errGet := k.Get(ctx, "..")
	return []invalidCall{{"currency", errCreate}, {"order_id", errGet}}
}

type oppClient struct{ c *opp.Client }

func (o oppClient) Create(ctx context.Context) (string, error) {
	tx, err := o.c.CreatePayment(ctx, opp.TransactionCreate{
		BuyerNameFirst: "John", BuyerNameLast: "Tester", BuyerEmailaddress: "john@tester.dev",
		Products:      []opp.ProductCreate{{Name: "WakeUp Light", Price: 10779, Quantity: 1}},
		ShippingCosts: ptr(money.Cents(675)),
		TotalPrice:    11454,
		ReturnURL:     "https://shop.example/return/",
	})
	if err != nil {
		return "", err
	}
	return tx.UID, nil
}

func (o oppClient) Get(ctx context.Context, id string) error {
	_, err := o.c.GetPayment(ctx, id)
	return err
}

func (o oppClient) Invalid(ctx context.Context) []invalidCall {
	_, errCreate := o.c.CreatePayment(ctx, opp.TransactionCreate{TotalPrice: 100, ReturnURL: "https://shop.example/"})
	errGet := o.Get(ctx, "../orders")
	return []invalidCall{{"products", errCreate}, {"uid", errGet}}
}

type mspClient struct{ c *multisafepay.Client }

func (m mspClient) Create(ctx context.Context) (string, error) {
	id := ref("msp")
	_, err := m.c.CreatePayment(ctx, multisafepay.OrderCreate{
		Type: multisafepay.OrderTypeRedirect, OrderID: id, Currency: "EUR", Amount: 1250, Description: "betaalkit retry test",
		PaymentOptions: multisafepay.PaymentOptions{
			RedirectURL: "https://shop.example/success",
			CancelURL:   "https://shop.example/cancel",
		},
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

func (m mspClient) Get(ctx context.Context, id string) error {
	_, err := m.c.GetPayment(ctx, id)
	return err
}

func (m mspClient) Invalid(ctx context.Context) []invalidCall {
	_, errCreate := m.c.CreatePayment(ctx, multisafepay.OrderCreate{Currency: "EUR", Amount: 1250, Description: "no id"})
	errGet := m.Get(ctx, "")
	return []invalidCall{{"order_id", errCreate}, {"order_id", errGet}}
}

type buckarooClient struct{ c *buckaroo.Client }

func (b buckarooClient) Create(ctx context.Context) (string, error) {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	tx, err := b.c.PayInInstallments(ctx, buckaroo.In3Payment{
		AmountDebit: 800,
		Invoice:     ref("bk"),
		Description: "Blue Toy Car, in three installments",
		ClientIP:    "192.0.2.10",
		InvoiceDate: time.Now(),
		Customer: buckaroo.In3Customer{
			LastName: "Smith", Initials: "J.S.", Gender: buckaroo.GenderMale, BirthDate: day("1990-01-01"),
			Address: buckaroo.In3Address{Street: "Hoofdstraat", HouseNumber: 90, HouseNumberSuffix: "a", ZipCode: "8441ER", City: "Heerenveen", Country: "NL"},
			Phone:   "0612345678", Email: "j.smith@example.com",
		},
		Products:  []buckaroo.In3ProductLine{{Code: "abc123", Name: "Blue Toy Car", Quantity: 1, Price: 1000}},
		Subtotals: []buckaroo.In3SubtotalLine{{Name: "Korting", Value: -200}},
		ReturnURL: "https://shop.example/return",
	})
	if err != nil {
		return "", err
	}
	return tx.Key, nil
}

func (b buckarooClient) Get(ctx context.Context, id string) error {
	_, err := b.c.GetPayment(ctx, id)
	return err
}

func (b buckarooClient) Invalid(ctx context.Context) []invalidCall {
	_, errCreate := b.c.CreatePayment(ctx, buckaroo.TransactionRequest{Currency: "euro"})
	errGet := b.Get(ctx, ".")
	return []invalidCall{{"Currency", errCreate}, {"transactionKey", errGet}}
}

type idealClient struct{ c *ideal2.Client }

func (i idealClient) Create(ctx context.Context) (string, error) {
	p, err := i.c.CreatePayment(ctx, ideal2.NewPayment(1250, "Order 1001", ref("ideal")),
		ideal2.WithReturnURL("https://shop.example/return?order=1001"))
	if err != nil {
		return "", err
	}
	return p.CommonPaymentData.PaymentID, nil
}

func (i idealClient) Get(ctx context.Context, id string) error {
	_, err := i.c.GetPayment(ctx, id)
	return err
}

func (i idealClient) Invalid(ctx context.Context) []invalidCall {
	_, errCreate := i.c.CreatePayment(ctx, ideal2.PaymentInitiationRequest{})
	errGet := i.Get(ctx, "")
	return []invalidCall{{"PaymentProduct", errCreate}, {"paymentId", errGet}}
}

// warm fetches what a client caches before its first call (iDEAL's access
// token), so that a test's faults and dials meet the call under test.
func (k kcClient) Webhook(opts ...betaalkit.WebhookOption) http.Handler {
	return k.c.WebhookHandler(func(context.Context, *kassacompleet.Order) error { return nil }, opts...)
}

func (o oppClient) Webhook(opts ...betaalkit.WebhookOption) http.Handler {
	return o.c.WebhookHandler(func(context.Context, *opp.Transaction) error { return nil }, opts...)
}

func (m mspClient) Webhook(opts ...betaalkit.WebhookOption) http.Handler {
	return m.c.WebhookHandler(func(context.Context, *multisafepay.Order) error { return nil }, opts...)
}

func (b buckarooClient) Webhook(opts ...betaalkit.WebhookOption) http.Handler {
	return b.c.WebhookHandler(func(context.Context, *buckaroo.Transaction) error { return nil }, opts...)
}

func (i idealClient) Webhook(opts ...betaalkit.WebhookOption) http.Handler {
	return i.c.WebhookHandler(func(context.Context, *ideal2.PaymentStatusResponse) error { return nil }, opts...)
}

func warm(t testing.TB, c apiClient) {
	t.Helper()
	if i, ok := c.(idealClient); ok {
		_, err := i.c.Tokens().Token()
		require.NoError(t, err)
	}
}

type idealKeyPair struct {
	merchant *sbideal2.Merchant
	server   *rsa.PrivateKey
}

// idealKeysOnce generates the iDEAL merchant and routing-service keys once
// per test binary; RSA key generation is most of a sandbox's start-up.
var idealKeysOnce = sync.OnceValues(func() (idealKeyPair, error) {
	var k idealKeyPair
	var errM, errS error
	var wg sync.WaitGroup
	wg.Go(func() { k.merchant, errM = sbideal2.NewMerchant() })
	k.server, errS = rsa.GenerateKey(rand.Reader, 2048)
	wg.Wait()
	return k, errors.Join(errM, errS)
})

// resignIDEAL signs a response as the routing service does, so a body the
// middleware replaced verifies and reaches the decoder.
func resignIDEAL(h http.Header, body []byte, key *rsa.PrivateKey, cert *x509.Certificate) {
	names := []string{"messagecreatedatetime", "x-request-id", "digest"}
	h.Set("X-Request-ID", signing.IDEAL2RequestID())
	h.Set("MessageCreateDateTime", time.Now().UTC().Format(signing.IDEAL2TimeFormat))
	h.Set("Digest", signing.IDEAL2Digest(body))
	ss, err := signing.IDEAL2SigningString(names, "", "", h)
	if err != nil {
		panic(err)
	}
	sig, err := signing.IDEAL2Sign(key, ss)
	if err != nil {
		panic(err)
	}
	h.Set("Signature", signing.IDEAL2SignatureParams{KeyID: strings.ToUpper(signing.IDEAL2KeyID(cert)), Algorithm: "rsa-sha256", Headers: names, Signature: sig}.String())
}

// fastRetry retries without waiting: no test sleeps for a backoff.
func fastRetry(attempts int) transport.RetryPolicy {
	return transport.RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Microsecond, MaxDelay: time.Millisecond}
}

// ---- the fault-injecting, counting server ----

type faultKind int

const (
	// answer: the middleware answers with status (and Retry-After) itself.
	answer faultKind = iota
	// closeAfterSandbox: the sandbox handles the request (the payment is
	// made), then the connection is closed without an answer.
	closeAfterSandbox
	// closeAfterHeaders: the connection is closed once the headers are
	// read, before the body is.
	closeAfterHeaders
	// reset: the connection is reset (RST, SO_LINGER 0).
	reset
	// hang: no answer until the client gives up.
	hang
	// brokenBody: the sandbox's success body is replaced by `{"broken`
	// (re-signed where the provider signs responses).
	brokenBody
	// tamperedBody: the sandbox's body is changed, its headers (signature)
	// kept.
	tamperedBody
	// cancelThenAnswer: calls fault.cancel, then answers status.
	cancelThenAnswer
	// cancelThenHang: calls fault.cancel, then hangs.
	cancelThenHang
)

type fault struct {
	kind       faultKind
	status     int
	retryAfter string
	cancel     context.CancelFunc
}

// call names the two calls the middleware watches.
type call string

const (
	create call = "create"
	get    call = "get"
)

// faultServer serves a sandbox behind a middleware that counts each
// arrival of the create and get calls, records its headers, and applies
// the next queued fault for that call (none: the sandbox answers).
type faultServer struct {
	*httptest.Server
	env      *sandboxEnv
	classify *http.ServeMux
	release  chan struct{}

	mu       sync.Mutex
	faults   map[call][]fault
	counts   map[call]int
	all      int // every arrival, watched or not
	headers  map[call][]http.Header
	sandbox  map[call][]int  // statuses the sandbox answered with
	lastBody map[call][]byte // the last body sent to the client
	lastHdr  map[call]http.Header
}

type classified struct{ c call }

func (classified) ServeHTTP(http.ResponseWriter, *http.Request) {}

// sandboxes holds one sandbox per provider for the whole test binary:
// loading a provider's API spec is most of a sandbox's start-up, and the
// sandboxes are safe for concurrent use (every test makes its own payments).
var sandboxes sync.Map // provider name → func() (*sandboxEnv, error)

func sandboxFor(p provider) (*sandboxEnv, error) {
	once, _ := sandboxes.LoadOrStore(p.name, sync.OnceValues(p.newSandbox))
	return once.(func() (*sandboxEnv, error))()
}

func newFaultServer(t testing.TB, p provider) *faultServer {
	t.Helper()
	env, err := sandboxFor(p)
	require.NoError(t, err)
	fs := &faultServer{
		env: env, classify: http.NewServeMux(), release: make(chan struct{}),
		faults: map[call][]fault{}, counts: map[call]int{}, headers: map[call][]http.Header{},
		sandbox: map[call][]int{}, lastBody: map[call][]byte{}, lastHdr: map[call]http.Header{},
	}
	fs.classify.Handle(p.createPattern, classified{create})
	fs.classify.Handle(p.getPattern, classified{get})
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	t.Cleanup(func() { close(fs.release) }) // runs first: hanging handlers end
	return fs
}

// client builds the provider's client against this server.
func (fs *faultServer) client(t testing.TB, o clientOptions) apiClient {
	t.Helper()
	c, err := fs.env.newClient(fs.URL, o)
	require.NoError(t, err)
	return c
}

// inject queues faults for the next arrivals of c, one per arrival.
func (fs *faultServer) inject(c call, f ...fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults[c] = append(fs.faults[c], f...)
}

func (fs *faultServer) count(c call) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.counts[c]
}

func (fs *faultServer) total() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.all
}

// attempts returns the request headers of every arrival of c.
func (fs *faultServer) attempts(c call) []http.Header {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]http.Header(nil), fs.headers[c]...)
}

func (fs *faultServer) sandboxStatuses(c call) []int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]int(nil), fs.sandbox[c]...)
}

func (fs *faultServer) last(c call) (http.Header, []byte) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.lastHdr[c], fs.lastBody[c]
}

// watched reports whether a request is the create or the get call.
func (fs *faultServer) watched(method, path string) bool {
	h, _ := fs.classify.Handler(&http.Request{Method: method, URL: &url.URL{Path: path}, Host: "sandbox"})
	_, ok := h.(classified)
	return ok
}

// reset forgets counts and queued faults.
func (fs *faultServer) resetCounts() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults, fs.counts, fs.headers, fs.sandbox = map[call][]fault{}, map[call]int{}, map[call][]http.Header{}, map[call][]int{}
	fs.all = 0
}

func (fs *faultServer) serve(w http.ResponseWriter, r *http.Request) {
	h, _ := fs.classify.Handler(r)
	cl, watched := h.(classified)
	fs.mu.Lock()
	fs.all++
	if !watched {
		fs.mu.Unlock()
		fs.env.handler.ServeHTTP(w, r)
		return
	}
	c := cl.c
	fs.counts[c]++
	fs.headers[c] = append(fs.headers[c], r.Header.Clone())
	var f *fault
	if q := fs.faults[c]; len(q) > 0 {
		f, fs.faults[c] = &q[0], q[1:]
	}
	fs.mu.Unlock()

	if f == nil {
		fs.pass(w, r, c, nil)
		return
	}
	switch f.kind {
	case answer:
		fs.answer(w, c, f.status, f.retryAfter, fs.count(c))
	case cancelThenAnswer:
		f.cancel()
		fs.answer(w, c, f.status, f.retryAfter, fs.count(c))
	case closeAfterSandbox:
		rec := httptest.NewRecorder()
		fs.env.handler.ServeHTTP(rec, r)
		fs.mu.Lock()
		fs.sandbox[c] = append(fs.sandbox[c], rec.Code)
		fs.mu.Unlock()
		hijack(w, false)
	case closeAfterHeaders:
		hijack(w, false)
	case reset:
		hijack(w, true)
	case hang:
		fs.hang(r)
	case cancelThenHang:
		f.cancel()
		fs.hang(r)
	case brokenBody:
		fs.pass(w, r, c, func(h http.Header, _ []byte) []byte {
			body := []byte(`{"broken`)
			if fs.env.resign != nil {
				fs.env.resign(h, body)
			}
			return body
		})
	case tamperedBody:
		fs.pass(w, r, c, func(_ http.Header, body []byte) []byte {
			return append(bytes.TrimRight(body, "\n"), ' ') // still the same JSON; no longer the signed bytes
		})
	}
}

func (fs *faultServer) hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-fs.release:
	}
}

// pass lets the sandbox answer, through edit when given.
func (fs *faultServer) pass(w http.ResponseWriter, r *http.Request, c call, edit func(http.Header, []byte) []byte) {
	rec := httptest.NewRecorder()
	fs.env.handler.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	h := rec.Header().Clone()
	if edit != nil {
		body = edit(h, body)
		h.Del("Content-Length")
	}
	fs.mu.Lock()
	fs.sandbox[c] = append(fs.sandbox[c], rec.Code)
	fs.lastBody[c], fs.lastHdr[c] = bytes.Clone(body), h
	fs.mu.Unlock()
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// answer is a fault's own answer; its body names the arrival, so a test
// can tell which answer a client returned.
func (fs *faultServer) answer(w http.ResponseWriter, c call, status int, retryAfter string, arrival int) {
	body := fmt.Sprintf(`{"injected": %d, "arrival": %d}`, status, arrival)
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", "application/json")
	fs.mu.Lock()
	fs.lastBody[c], fs.lastHdr[c] = []byte(body), w.Header().Clone()
	fs.mu.Unlock()
	w.WriteHeader(status)
	_, _ = fmt.Fprint(w, body)
}

// hijack takes the connection and closes it without an answer; with rst,
// the close is a reset.
func hijack(w http.ResponseWriter, rst bool) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// flakyDialer fails the next dial once armed, before a byte is written,
// as a refused connection does; other dials connect.
type flakyDialer struct {
	armed         atomic.Bool
	dials, failed atomic.Int32
}

func (d *flakyDialer) transport() *http.Transport {
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		d.dials.Add(1)
		if d.armed.CompareAndSwap(true, false) {
			d.failed.Add(1)
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		var nd net.Dialer
		return nd.DialContext(ctx, network, addr)
	}}
}

func debugLogger(w *syncbuf.Buffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// forEachProvider runs fn for every provider at once, a subtest each. The
// providers run side by side in goroutines rather than as parallel
// subtests, so a test waiting out an attempt timeout does not queue behind
// -parallel (GOMAXPROCS, 2 here).
func forEachProvider(t *testing.T, fn func(t *testing.T, p provider)) {
	var wg sync.WaitGroup
	for _, p := range providers {
		wg.Go(func() { t.Run(p.name, func(t *testing.T) { fn(t, p) }) })
	}
	wg.Wait()
}
