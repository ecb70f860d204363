package multisafepay

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/multisafepay"
	"github.com/betaalkit/betaalkit/internal/apiclient"
)

// defaultTokenLimit is MultiSafepay's page size for tokens.
const defaultTokenLimit = 10

// TokenListParams picks a page of a customer's tokens; the zero value is
// the first page of MultiSafepay's default size (10).
type TokenListParams struct {
	Limit  int // tokens per page; 0 for the default
	Offset int // tokens to skip
}

// ListTokens returns a page of the tokens MultiSafepay keeps for a customer
// reference (GET /recurring/{reference}). A token is a customer's stored
// payment details: MultiSafepay keeps one when a payment with a
// RecurringModel and a Customer.Reference completes, and a later order
// charges it with RecurringID set to the token (Type direct, the same
// RecurringModel and Customer.Reference). A reference without tokens
// answers error 1000 "Not found"; ListTokens returns an empty list for it.
func (c *Client) ListTokens(ctx context.Context, reference string, p TokenListParams) ([]Token, error) {
	call := apiclient.Call{Provider: provider, Op: "list tokens"}
	if err := apiclient.CheckPathID("reference", reference); err != nil {
		return nil, call.Wrap(err)
	}
	switch {
	case p.Limit < 0:
		return nil, call.Wrap(&betaalkit.FieldError{Field: "limit", Reason: fmt.Sprintf("%d is negative", p.Limit)})
	case p.Offset < 0:
		return nil, call.Wrap(&betaalkit.FieldError{Field: "offset", Reason: fmt.Sprintf("%d is negative", p.Offset)})
	}
	params := &gen.ListTokensParams{Limit: p.Limit, Offset: p.Offset}
	env, err := expect[gen.TokenListEnvelope](call.Read(c.api.ListTokens(ctx, reference, params)))
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.Code == CodeUnknown && (apiErr.StatusCode == http.StatusNotFound || apiErr.StatusCode == http.StatusGone) {
		return []Token{}, nil
	}
	if err != nil {
		return nil, err
	}
	return env.Data.Tokens, nil
}

// Tokens iterates over every token of a customer, page after page from
// p.Offset:
//
//	for token, err := range c.Tokens(ctx, "customer-1", multisafepay.TokenListParams{}) {
//		if err != nil { return err }
//		...
//	}
//
// A provider that answers a later page with the previous one again (it
// ignored the offset) ends the walk with ErrPageIgnored.
func (c *Client) Tokens(ctx context.Context, reference string, p TokenListParams) iter.Seq2[Token, error] {
	return func(yield func(Token, error) bool) {
		limit := p.Limit
		if limit == 0 {
			limit = defaultTokenLimit
		}
		var previous string // the first token of the previous page
		for offset := p.Offset; ; {
			page, err := c.ListTokens(ctx, reference, TokenListParams{Limit: limit, Offset: offset})
			if err != nil {
				yield(Token{}, err)
				return
			}
			if len(page) == 0 {
				return
			}
			if previous != "" && page[0].Token == previous {
				yield(Token{}, fmt.Errorf("%w: offset %d answered the previous page again", ErrPageIgnored, offset))
				return
			}
			previous = page[0].Token
			for _, t := range page {
				if !yield(t, nil) {
					return
				}
			}
			if len(page) < limit {
				return
			}
			offset += len(page)
		}
	}
}

// GetToken returns one token of a customer
// (GET /recurring/{reference}/token/{token}).
func (c *Client) GetToken(ctx context.Context, reference, token string) (*Token, error) {
	call := apiclient.Call{Provider: provider, Op: "get token"}
	if err := checkTokenPath(reference, token); err != nil {
		return nil, call.Wrap(err)
	}
	env, err := expect[gen.TokenEnvelope](call.Read(c.api.GetToken(ctx, reference, token)))
	if err != nil {
		return nil, err
	}
	return &env.Data, nil
}

// DeleteToken deletes a customer's token, so it can no longer be charged
// (DELETE /recurring/{reference}/remove/{token}).
func (c *Client) DeleteToken(ctx context.Context, reference, token string) error {
	call := apiclient.Call{Provider: provider, Op: "delete token"}
	if err := checkTokenPath(reference, token); err != nil {
		return call.Wrap(err)
	}
	_, err := expect[gen.TokenDeleteEnvelope](call.Read(c.api.DeleteToken(ctx, reference, token)))
	return err
}

func checkTokenPath(reference, token string) error {
	if err := apiclient.CheckPathID("reference", reference); err != nil {
		return err
	}
	return apiclient.CheckPathID("token", token)
}
