package apiclient

import (
	"errors"
	"net/http"
	"strings"
)

// Call names one call of a client, so that every error it returns says
// which: "opp: create payment: HTTP 404: …".
//
//	call := apiclient.Call{Provider: provider, Op: "create payment"}
//	if err := validate(tx); err != nil {
//		return nil, call.Wrap(err)
//	}
//	r, err := call.Read(c.api.CreateTransaction(ctx, tx))
//	if err != nil {
//		return nil, err
//	}
//	return apiclient.Expect[Transaction](r, toError, http.StatusCreated)
type Call struct {
	// Provider is the client's package name.
	Provider string
	// Op names the step in the clients' common words: "create payment",
	// "get payment", "create refund", …
	Op string
}

// Read is Read for this call: a failure is wrapped with the call's name,
// and the Response remembers the call so that toError and Expect can name
// it too.
func (c Call) Read(resp *http.Response, err error) (*Response, error) {
	r, err := Read(resp, err)
	if err != nil {
		return nil, c.Wrap(err)
	}
	r.Call = c
	return r, nil
}

// Wrap prefixes err with "provider: op: " (nil stays nil). An error that
// names this call already, such as a provider's *Error built by toError,
// is returned as it is; one from a call made on the way (iDEAL 2.0's token
// request) reads "ideal2: create payment: get access token: …".
func (c Call) Wrap(err error) error {
	if err == nil {
		return nil
	}
	var named interface{ Operation() string }
	if errors.As(err, &named) && named.Operation() == c.Op {
		return err
	}
	return &callError{call: c, err: err}
}

// callError is an error wrapped with the name of its call.
type callError struct {
	call Call
	err  error
}

func (e *callError) Error() string {
	// An inner error of the same client names the provider once.
	return e.call.Prefix() + strings.TrimPrefix(e.err.Error(), e.call.Provider+": ")
}

func (e *callError) Unwrap() error     { return e.err }
func (e *callError) Operation() string { return e.call.Op }

// Prefix is "provider: op: " for an error message that names the call
// itself ("provider: " when Op is empty).
func (c Call) Prefix() string {
	if c.Op == "" {
		return c.Provider + ": "
	}
	return c.Provider + ": " + c.Op + ": "
}
