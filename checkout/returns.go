package checkout

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/betaalkit/betaalkit"
)

// ErrReturnMismatch: the payment a return URL names belongs to another
// order than the one the customer's session holds.
var ErrReturnMismatch = errors.New("checkout: the return names another order's payment")

// Return is what the shop knows about the payment a customer is coming
// back from (from its session or database): the payment id, the order's
// reference, or both.
type Return struct {
	PaymentID string
	Reference string
}

// Returned reads the payment a customer comes back from on the return
// page and returns its current state from the provider, normalized like
// a webhook event. It never trusts the return URL's status fields (anyone
// can type ?status=paid): it takes the payment id the shop knows, or else
// the one the provider puts in the return (Kassa Compleet's order_id,
// MultiSafepay's transactionid, Buckaroo's brq_transactions), and asks the
// provider. OPP and iDEAL 2.0 put no id in the return: pass the id stored
// at Create. When the shop knows the reference, a payment of another
// order is refused with ErrReturnMismatch.
func Returned(ctx context.Context, p Provider, r *http.Request, known Return) (*Payment, error) {
	id := known.PaymentID
	if id == "" {
		if err := r.ParseForm(); err != nil { // Buckaroo may POST its brq_* fields
			return nil, &betaalkit.FieldError{Field: "return", Reason: err.Error()}
		}
		id = p.ReturnID(r.Form)
	}
	if id == "" {
		return nil, &betaalkit.FieldError{Field: "PaymentID", Reason: fmt.Sprintf("%s puts no payment id in its return URL; pass the id stored when the payment was created", p.Name())}
	}
	payment, err := p.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if known.Reference != "" && payment.Reference != "" && payment.Reference != known.Reference {
		return nil, fmt.Errorf("%w: payment %s is for %q, not %q", ErrReturnMismatch, id, payment.Reference, known.Reference)
	}
	return payment, nil
}

// Returned is the package's Returned at the named provider.
func (r *Router) Returned(ctx context.Context, provider string, req *http.Request, known Return) (*Payment, error) {
	p, err := r.named(provider)
	if err != nil {
		return nil, err
	}
	return Returned(ctx, p, req, known)
}
