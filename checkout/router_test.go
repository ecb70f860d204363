package checkout_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/checkout"
)

// fake is a Provider whose Create answers with err (nil: success) and
// which can find payments it "created" by reference.
type fake struct {
	name    string
	caps    checkout.Capabilities
	err     error
	created bool // the failing create made the payment anyway (ambiguous cases)

	mu      sync.Mutex
	creates int
	stored  map[string]*checkout.Payment
}

func newFake(name string, err error) *fake {
	return &fake{name: name, err: err, stored: map[string]*checkout.Payment{}, caps: checkout.Capabilities{
		Methods: []checkout.Method{checkout.MethodIDEAL}, Currencies: []string{"EUR"}, FindByReference: true,
	}}
}

func (f *fake) Name() string                        { return f.name }
func (f *fake) Capabilities() checkout.Capabilities { return f.caps }
func (f *fake) Create(_ context.Context, req checkout.Request) (*checkout.Payment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	p := &checkout.Payment{Provider: f.name, ID: f.name + "-1", Reference: req.Reference, Amount: req.Amount}
	if f.err == nil || f.created {
		f.stored[req.Reference] = p
	}
	if f.err != nil {
		return nil, f.err
	}
	return p, nil
}
func (f *fake) Get(context.Context, string) (*checkout.Payment, error) {
	return nil, errors.New("unused")
}
func (f *fake) Refund(context.Context, checkout.RefundRequest) (*checkout.Refund, error) {
	return nil, errors.New("unused")
}
func (f *fake) FindByReference(_ context.Context, ref string) (*checkout.Payment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.stored[ref]; ok {
		return p, nil
	}
	return nil, checkout.ErrNotFound
}
func (f *fake) ReturnID(url.Values) string { return "" }
func (f *fake) WebhookHandler(func(context.Context, checkout.Event) error, ...betaalkit.WebhookOption) http.Handler {
	return nil
}

// apiErr is a provider's error answer with an HTTP status.
type apiErr struct{ status int }

func (e apiErr) Error() string             { return "api error" }
func (e apiErr) Is(target error) bool      { return target == betaalkit.ErrAPI }
func (e apiErr) Provider() string          { return "fake" }
func (e apiErr) HTTPStatus() int           { return e.status }
func (e apiErr) ProviderCode() string      { return "" }
func (e apiErr) ProviderMessage() string   { return "" }
func (e apiErr) ResponseBody() []byte      { return nil }
func (e apiErr) ProviderRequestID() string { return "" }

var order = checkout.Request{Amount: 1250, Reference: "order-1", Method: checkout.MethodIDEAL}

func TestFailoverOnlyWhenNothingWasCreated(t *testing.T) {
	notCreated := map[string]error{
		"dial failed":             &betaalkit.TransportError{Attempts: 1, Err: errors.New("connection refused"), NotSent: true},
		"refused before sending":  &betaalkit.FieldError{Field: "issuer_id", Reason: "is required"},
		"provider refused it 422": apiErr{http.StatusUnprocessableEntity},
		"rate limited 429":        apiErr{http.StatusTooManyRequests},
	}
	for name, err := range notCreated {
		t.Run(name, func(t *testing.T) {
			first, second := newFake("first", err), newFake("second", nil)
			r, e := checkout.New([]checkout.Provider{first, second})
			require.NoError(t, e)
			p, e := r.Create(context.Background(), order)
			require.NoError(t, e)
			assert.Equal(t, "second", p.Provider)
			assert.Equal(t, 1, first.creates)
			assert.Equal(t, 1, second.creates)
		})
	}

	ambiguous := map[string]error{
		"connection dropped after sending": &betaalkit.TransportError{Attempts: 1, Err: errors.New("EOF")},
		"timeout":                          &betaalkit.TransportError{Attempts: 1, Err: context.DeadlineExceeded},
		"provider 500":                     apiErr{http.StatusInternalServerError},
		"answer does not decode":           &betaalkit.DecodeError{StatusCode: 201, Err: errors.New("bad json")},
	}
	for name, err := range ambiguous {
		t.Run(name+": created, found by reference", func(t *testing.T) {
			first, second := newFake("first", err), newFake("second", nil)
			first.created = true
			r, _ := checkout.New([]checkout.Provider{first, second})
			p, e := r.Create(context.Background(), order)
			require.NoError(t, e)
			assert.Equal(t, "first", p.Provider, "the payment the first provider made is the one")
			assert.Zero(t, second.creates, "never a second payment")
		})
		t.Run(name+": not found", func(t *testing.T) {
			first, second := newFake("first", err), newFake("second", nil)
			r, _ := checkout.New([]checkout.Provider{first, second})
			_, e := r.Create(context.Background(), order)
			var amb *checkout.AmbiguousError
			require.ErrorAs(t, e, &amb)
			assert.ErrorIs(t, e, checkout.ErrAmbiguous)
			assert.ErrorIs(t, amb.Lookup, checkout.ErrNotFound)
			assert.Zero(t, second.creates, "a payment that may exist is not made again elsewhere")
		})
		t.Run(name+": provider cannot look up", func(t *testing.T) {
			first, second := newFake("first", err), newFake("second", nil)
			first.caps.FindByReference = false
			r, _ := checkout.New([]checkout.Provider{first, second})
			_, e := r.Create(context.Background(), order)
			assert.ErrorIs(t, e, checkout.ErrAmbiguous)
			assert.ErrorIs(t, e, err, "the create's own error stays reachable")
			assert.Zero(t, second.creates)
		})
	}
}

func TestRouterChoosesByCapabilitiesAndRule(t *testing.T) {
	ideal, in3 := newFake("ideal-only", nil), newFake("in3", nil)
	in3.caps.Methods = []checkout.Method{checkout.MethodIn3}
	r, err := checkout.New([]checkout.Provider{ideal, in3})
	require.NoError(t, err)

	p, err := r.Create(context.Background(), checkout.Request{Amount: 100, Reference: "a", Method: checkout.MethodIn3})
	require.NoError(t, err)
	assert.Equal(t, "in3", p.Provider, "only a provider that takes the method is tried")

	_, err = r.Create(context.Background(), checkout.Request{Amount: 100, Reference: "b", Method: checkout.MethodPayPal})
	assert.ErrorIs(t, err, checkout.ErrNotSupported)
	_, err = r.Create(context.Background(), checkout.Request{Amount: 100, Reference: "c", Currency: "USD"})
	assert.ErrorIs(t, err, checkout.ErrNotSupported)

	reversed, _ := checkout.New([]checkout.Provider{ideal, in3}, checkout.WithRule(func(_ checkout.Request, ps []checkout.Provider) []checkout.Provider {
		return []checkout.Provider{ps[1], ps[0]}
	}))
	in3.caps.Methods = append(in3.caps.Methods, checkout.MethodIDEAL)
	p, err = reversed.Create(context.Background(), order)
	require.NoError(t, err)
	assert.Equal(t, "in3", p.Provider, "the shop's rule orders the providers")
}

func TestRouterRefusesBadRequestsBeforeAnyProvider(t *testing.T) {
	f := newFake("only", nil)
	r, _ := checkout.New([]checkout.Provider{f})
	for field, req := range map[string]checkout.Request{
		"Amount":    {Reference: "x"},
		"Reference": {Amount: 100},
		"Currency":  {Amount: 100, Reference: "x", Currency: "euro"},
	} {
		_, err := r.Create(context.Background(), req)
		var fe *betaalkit.FieldError
		require.ErrorAs(t, err, &fe, field)
		assert.Equal(t, field, fe.Field)
	}
	assert.Zero(t, f.creates)

	_, err := checkout.New(nil)
	assert.ErrorIs(t, err, betaalkit.ErrConfig)
	_, err = checkout.New([]checkout.Provider{f, f})
	assert.ErrorIs(t, err, betaalkit.ErrConfig)
	_, err = r.Get(context.Background(), "nobody", "x")
	assert.ErrorIs(t, err, betaalkit.ErrInvalidRequest)
}

// Every adapter runs Capabilities.Check first: an unsupported method or
// currency is refused by name before anything is sent.
func TestCapabilitiesCheck(t *testing.T) {
	caps := checkout.Capabilities{Methods: []checkout.Method{checkout.MethodIDEAL}, Currencies: []string{"EUR"}}
	assert.NoError(t, caps.Check("p", checkout.Request{Amount: 1, Reference: "r"}))
	assert.NoError(t, caps.Check("p", checkout.Request{Amount: 1, Reference: "r", Method: checkout.MethodIDEAL, Currency: "EUR"}))
	var fe *betaalkit.FieldError
	assert.ErrorAs(t, caps.Check("p", checkout.Request{Reference: "r"}), &fe, "the request is validated too")
	for what, req := range map[string]checkout.Request{
		"method in3":   {Amount: 1, Reference: "r", Method: checkout.MethodIn3},
		"currency USD": {Amount: 1, Reference: "r", Currency: "USD"},
	} {
		var u *checkout.UnsupportedError
		if assert.ErrorAs(t, caps.Check("p", req), &u) {
			assert.Equal(t, what, u.What)
			assert.Equal(t, "p", u.Provider)
		}
	}
}
