// Package sim holds what every provider simulator in sandbox/ shares: spec
// validation of incoming requests, the hosted payment page a "customer"
// uses, webhook delivery, ids, and a customer that pays from Go.
package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/betaalkit/betaalkit/specs"
)

// Choice is what the customer does on the payment page.
type Choice string

// The customer's choices on every simulator's payment page.
const (
	Pay    Choice = "pay"
	Cancel Choice = "cancel"
	Fail   Choice = "fail"
	// Expire is the customer walking away: the payment ends the way the
	// provider ends an abandoned payment once its time runs out.
	Expire Choice = "expire"
)

// ParseChoice reads a choice from a form value.
func ParseChoice(s string) (Choice, error) {
	switch c := Choice(s); c {
	case Pay, Cancel, Fail, Expire:
		return c, nil
	}
	return "", fmt.Errorf("unknown choice %q (want pay, cancel, fail or expire)", s)
}

// NewID returns a random id of n bytes in hex.
func NewID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// NewUUID returns a random version-4 UUID.
func NewUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Validator checks incoming requests against a provider's embedded spec.
type Validator struct{ v *specs.Validator }

// NewValidator loads the provider's spec.
func NewValidator(provider string) (*Validator, error) {
	v, err := specs.NewValidator(provider)
	if err != nil {
		return nil, err
	}
	return &Validator{v: v}, nil
}

// Check validates req (its body stays readable) and returns the matched
// route and path parameters. The error message names the offending field.
func (v *Validator) Check(req *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := v.v.ValidateRequest(req.Context(), req)
	if err != nil {
		problem := Describe(err)
		if rec, ok := req.Context().Value(problemKey{}).(*ProblemRecorder); ok {
			rec.set(problem)
		}
		return route, params, errors.New(problem)
	}
	return route, params, nil
}

type problemKey struct{}

// ProblemRecorder holds why the spec validation refused a request, for a
// request log (betaalkit sandbox prints it next to the status).
type ProblemRecorder struct {
	mu      sync.Mutex
	problem string
}

// RecordProblems returns a context in which Check (and Refuse) record why
// the request was refused into the returned recorder. A context that has
// one already keeps it, so a request log and the dashboard's timeline
// around the same request read the same problem.
func RecordProblems(ctx context.Context) (context.Context, *ProblemRecorder) {
	if rec, ok := ctx.Value(problemKey{}).(*ProblemRecorder); ok {
		return ctx, rec
	}
	rec := &ProblemRecorder{}
	return context.WithValue(ctx, problemKey{}, rec), rec
}

func (p *ProblemRecorder) set(problem string) {
	p.mu.Lock()
	p.problem = problem
	p.mu.Unlock()
}

// Problem is the recorded validation problem ("" when none).
func (p *ProblemRecorder) Problem() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.problem
}

// Describe turns a kin-openapi validation error into one line that names
// each field ("amount: value must be an integer").
func Describe(err error) string { return specs.Describe(err) }

// Webhook posts a notification once and reports the receiver's answer.
// Delivery is synchronous so the receiver has it before the customer is
// redirected.
//
// Deprecated: the simulators deliver through a Courier, which retries on
// the provider's schedule and records every attempt; Webhook is the same
// request without either.
func Webhook(ctx context.Context, client *http.Client, target string, header http.Header, body []byte) (int, error) {
	if target == "" {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	status, _, err := send(ctx, client, http.MethodPost, target, header, body)
	return status, err
}
