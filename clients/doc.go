// Package clients holds betaalkit's typed API clients, one package per
// payment provider:
//
//   - kassacompleet: Kassa Compleet (Ginger Payments) orders and issuers
//   - opp: Online Betaalplatform transactions, orders, refunds and discounts
//   - multisafepay: MultiSafepay orders, refunds and signed notifications
//   - buckaroo: Buckaroo's JSON Transaction API, iDEAL In3 and signed pushes
//   - ideal2: iDEAL 2.0 payment initiation through the Worldline routing service
//
// Every client sends through the same HTTP stack, package transport:
// retries that never send a payment twice (a POST is retried only when the
// connection failed before a byte was written), a per-attempt timeout, each
// attempt signed afresh, and a request log with secrets redacted. Configure
// it with each client's WithHTTPClient, WithRetry, WithLogger and
// WithAttemptTimeout options (ideal2: the Config fields of the same names).
//
// Every client reports failures the same way (see the root package
// betaalkit): errors.Is with ErrInvalidRequest, ErrTransport, ErrAPI,
// ErrDecode or ErrVerification, and errors.As with betaalkit.APIError or
// the provider's own *Error for the details.
package clients
