package checkout

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// Router sends each payment to a provider chosen per payment, and fails
// over to the next one only when the first provably created nothing (see
// NotCreated). It is safe for concurrent use.
type Router struct {
	providers []Provider
	byName    map[string]Provider
	rule      Rule
}

// Rule orders the providers to try for a request; the Router drops those
// whose Capabilities do not support the request's method and currency.
// The default rule keeps the order given to New.
type Rule func(req Request, providers []Provider) []Provider

// Option configures a Router.
type Option func(*Router)

// WithRule sets the shop's own choice of providers per payment (by method,
// currency, amount, or anything in the request).
func WithRule(rule Rule) Option { return func(r *Router) { r.rule = rule } }

// New returns a Router over providers, tried in this order by default.
func New(providers []Provider, opts ...Option) (*Router, error) {
	r := &Router{byName: map[string]Provider{}}
	for _, p := range providers {
		if p == nil {
			return nil, &betaalkit.ConfigError{Provider: "checkout", Setting: "providers", Reason: "contains nil"}
		}
		if _, dup := r.byName[p.Name()]; dup {
			return nil, &betaalkit.ConfigError{Provider: "checkout", Setting: "providers", Reason: fmt.Sprintf("has %s twice", p.Name())}
		}
		r.byName[p.Name()] = p
		r.providers = append(r.providers, p)
	}
	if len(r.providers) == 0 {
		return nil, &betaalkit.ConfigError{Provider: "checkout", Setting: "providers", Reason: "is empty"}
	}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// Provider returns the provider of that name (nil when the Router has none).
func (r *Router) Provider(name string) Provider { return r.byName[name] }

// Providers lists the Router's providers in the order given to New.
func (r *Router) Providers() []Provider { return append([]Provider(nil), r.providers...) }

// Candidates lists the providers Create would try for req, in order.
func (r *Router) Candidates(req Request) []Provider {
	order := r.providers
	if r.rule != nil {
		order = r.rule(req, append([]Provider(nil), r.providers...))
	}
	var out []Provider
	for _, p := range order {
		if p != nil && p.Capabilities().Supports(req.Method, req.Currency) {
			out = append(out, p)
		}
	}
	return out
}

// Create starts the payment at the first candidate provider that takes it.
// It moves on to the next candidate only when the previous one provably
// created nothing. After an ambiguous failure it looks the payment up by
// req.Reference at that provider (returning it when found) and otherwise
// returns an *AmbiguousError without trying anyone else.
func (r *Router) Create(ctx context.Context, req Request) (*Payment, error) {
	if err := ValidateRequest(req); err != nil {
		return nil, err
	}
	candidates := r.Candidates(req)
	if len(candidates) == 0 {
		return nil, &UnsupportedError{Provider: "checkout", What: fmt.Sprintf("method %q in %s at any provider", req.Method, req.CurrencyCode())}
	}
	var refused []error
	for _, p := range candidates {
		payment, err := p.Create(ctx, req)
		if err == nil {
			return payment, nil
		}
		if NotCreated(err) && ctx.Err() == nil {
			refused = append(refused, fmt.Errorf("%s: %w", p.Name(), err))
			continue
		}
		return resolve(ctx, p, req.Reference, err)
	}
	return nil, fmt.Errorf("checkout: no provider created the payment: %w", errors.Join(refused...))
}

// resolve settles an ambiguous create by looking the payment up.
func resolve(ctx context.Context, p Provider, reference string, createErr error) (*Payment, error) {
	var lookupErr error
	if !p.Capabilities().FindByReference {
		lookupErr = &UnsupportedError{Provider: p.Name(), What: "finding a payment by reference"}
	} else {
		found, err := p.FindByReference(context.WithoutCancel(ctx), reference)
		if err == nil {
			return found, nil
		}
		lookupErr = err
	}
	return nil, &AmbiguousError{Provider: p.Name(), Reference: reference, Err: createErr, Lookup: lookupErr}
}

// Get reads a payment's current state at the named provider.
func (r *Router) Get(ctx context.Context, provider, id string) (*Payment, error) {
	p, err := r.named(provider)
	if err != nil {
		return nil, err
	}
	return p.Get(ctx, id)
}

// Refund refunds (part of) a payment at the named provider.
func (r *Router) Refund(ctx context.Context, provider string, req RefundRequest) (*Refund, error) {
	p, err := r.named(provider)
	if err != nil {
		return nil, err
	}
	return p.Refund(ctx, req)
}

// FindByReference looks for a payment by the shop's reference at the
// named provider.
func (r *Router) FindByReference(ctx context.Context, provider, reference string) (*Payment, error) {
	p, err := r.named(provider)
	if err != nil {
		return nil, err
	}
	return p.FindByReference(ctx, reference)
}

// WebhookHandler is the named provider's webhook handler; mount one per
// provider at the WebhookURL the payments were created with.
func (r *Router) WebhookHandler(provider string, fn func(ctx context.Context, ev Event) error, opts ...betaalkit.WebhookOption) (http.Handler, error) {
	p, err := r.named(provider)
	if err != nil {
		return nil, err
	}
	return p.WebhookHandler(fn, opts...), nil
}

func (r *Router) named(name string) (Provider, error) {
	if p, ok := r.byName[name]; ok {
		return p, nil
	}
	return nil, &betaalkit.FieldError{Field: "provider", Reason: fmt.Sprintf("%q is not one of this router's providers", name)}
}

// ValidateRequest checks what every provider needs; each provider checks
// the rest before sending.
func ValidateRequest(req Request) error {
	if err := apiclient.CheckAmount("Amount", req.Amount); err != nil {
		return err
	}
	if strings.TrimSpace(req.Reference) == "" {
		return &betaalkit.FieldError{Field: "Reference", Reason: "is empty; use the shop's own unique order reference"}
	}
	if req.Currency != "" {
		if err := apiclient.CheckCurrency("Currency", req.Currency); err != nil {
			return err
		}
	}
	switch {
	case len(req.Lines) > 0 && req.LinesTotal() != req.Amount:
		return &betaalkit.FieldError{Field: "Lines", Reason: fmt.Sprintf("add up to %s, not the amount %s", req.LinesTotal(), req.Amount)}
	}
	for i, l := range req.Lines {
		if l.Quantity < 1 {
			return &betaalkit.FieldError{Field: fmt.Sprintf("Lines[%d].Quantity", i), Reason: fmt.Sprintf("%d is not a positive quantity", l.Quantity)}
		}
		if strings.TrimSpace(l.Name) == "" {
			return &betaalkit.FieldError{Field: fmt.Sprintf("Lines[%d].Name", i), Reason: "is empty"}
		}
	}
	return nil
}
