package buckaroo

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/betaalkit/betaalkit"
	gen "github.com/betaalkit/betaalkit/gen/buckaroo"
	"github.com/betaalkit/betaalkit/internal/apiclient"
	"github.com/betaalkit/betaalkit/money"
)

// SpecificationParams are GetSpecification's optional parameters.
type SpecificationParams struct {
	// Version is the version of the service's interface to describe; 0
	// asks for the current one.
	Version int
}

// GetSpecification describes a service (payment method) as this website
// may use it: its actions, the parameters each takes and returns (with
// the values a list parameter such as iDEAL's issuer may take) and its
// currencies (GET /json/Transaction/Specification/{service}).
func (c *Client) GetSpecification(ctx context.Context, service string, params SpecificationParams) (*ServiceSpecification, error) {
	call := apiclient.Call{Provider: provider, Op: "get specification"}
	if err := apiclient.CheckPathID("service", service); err != nil {
		return nil, call.Wrap(err)
	}
	if params.Version < 0 {
		return nil, call.Wrap(&betaalkit.FieldError{Field: "serviceVersion", Reason: fmt.Sprintf("%d is negative", params.Version)})
	}
	// Version 0 is not sent: Buckaroo then answers the current version.
	query := &gen.GetTransactionSpecificationParams{ServiceVersion: params.Version}
	r, err := call.Read(c.api.GetTransactionSpecification(ctx, service, query))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[ServiceSpecification](r, toError, http.StatusOK)
}

// RequestParameterOf returns a request parameter of one of a service's
// actions, both named case-insensitively as Buckaroo matches them: e.g.
// RequestParameterOf(spec, "Pay", "issuer").ListItemDescriptions are the
// iDEAL banks.
func RequestParameterOf(spec *ServiceSpecification, action, name string) (ParameterSpecification, bool) {
	if spec == nil {
		return ParameterSpecification{}, false
	}
	for _, a := range spec.Actions {
		if !strings.EqualFold(a.Name, action) {
			continue
		}
		for _, p := range a.RequestParameters {
			if strings.EqualFold(p.Name, name) {
				return p, true
			}
		}
	}
	return ParameterSpecification{}, false
}

// GetRefundInfo tells whether a payment can be refunded now, how much is
// left (MaximumRefundAmount, in decimal euros; RefundableOf reads cents)
// and which fields a refund needs (GET /json/Transaction/RefundInfo/{key}).
func (c *Client) GetRefundInfo(ctx context.Context, transactionKey string) (*RefundInfo, error) {
	call := apiclient.Call{Provider: provider, Op: "get refund info"}
	if err := apiclient.CheckPathID("transactionKey", transactionKey); err != nil {
		return nil, call.Wrap(err)
	}
	r, err := call.Read(c.api.GetRefundInfo(ctx, transactionKey))
	if err != nil {
		return nil, err
	}
	return apiclient.Expect[RefundInfo](r, toError, http.StatusOK)
}

// RefundableOf returns what can still be refunded, in cents: 0 when the
// transaction is not refundable. It fails only when the amount is not a
// whole number of cents.
func RefundableOf(info *RefundInfo) (money.Cents, error) {
	if info == nil || !info.IsRefundable {
		return 0, nil
	}
	cents, err := info.MaximumRefundAmount.Cents()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", provider, err)
	}
	return cents, nil
}
