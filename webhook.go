package betaalkit

import (
	"net/http"
	"time"
)

// RejectReason is the class of reason a webhook handler refused a delivery
// for. The provider's request gets only this class in its answer; the
// shop's log line and OnReject hook get the details.
type RejectReason string

// The reasons a webhook handler refuses a delivery.
const (
	// RejectMethod: not a POST (HTTP 405).
	RejectMethod RejectReason = "method"
	// RejectBody: unreadable, too large, or not the provider's webhook (HTTP 400).
	RejectBody RejectReason = "body"
	// RejectSignature: the signature or digest is missing or does not
	// verify (HTTP 401). A wrong push URL or key looks like this too.
	RejectSignature RejectReason = "signature"
	// RejectStale: the signed timestamp is outside the tolerance (HTTP 401).
	RejectStale RejectReason = "stale"
	// RejectReplay: this delivery was accepted before (HTTP 401).
	//
	// Deprecated: no handler refuses with it any more. A delivery seen
	// before is acknowledged (200 "OK", so the provider stops sending it)
	// without calling the shop's function again, and logged at Info.
	RejectReplay RejectReason = "replay"
	// RejectReplayStore: the ReplayStore could not be asked whether the
	// delivery was seen before, or could not record it (HTTP 503; the
	// provider retries). The shop's function is never called unchecked.
	RejectReplayStore RejectReason = "replay-store"
	// RejectFetch: the payment could not be read back from the provider's
	// API to confirm the webhook (HTTP 502; the provider retries).
	RejectFetch RejectReason = "fetch"
	// RejectHandler: the shop's function returned an error (HTTP 500; the
	// provider retries).
	RejectHandler RejectReason = "handler"
)

// WebhookRejection describes one refused delivery, for the OnReject hook.
type WebhookRejection struct {
	// Provider is the client's package name, e.g. "buckaroo".
	Provider string
	Reason   RejectReason
	// HTTPStatus is what the handler answered.
	HTTPStatus int
	// Err is the cause, for the shop's logs. It never holds a secret or the
	// signature the handler expected.
	Err error
}

// WebhookOption tunes a client's WebhookHandler. The same options work
// with every client; an option a provider has no use for is ignored.
type WebhookOption func(*WebhookConfig)

// WebhookConfig is what the WebhookOptions set. Clients read it with
// NewWebhookConfig; shops use the options.
type WebhookConfig struct {
	// OnReject is called once for every refused delivery (nil: none).
	OnReject func(r *http.Request, rejection WebhookRejection)
	// URL is the webhook's URL exactly as the provider was given it (empty:
	// rebuilt from the request).
	URL string
	// Clock is the time signed timestamps are checked against (nil: time.Now).
	Clock func() time.Time
	// Tolerance is how far a signed timestamp may be from Clock (zero: the
	// provider's default).
	Tolerance time.Duration
	// ReplayStore remembers the signed deliveries the handler accepted (nil:
	// a MemoryReplayStore of the handler's own).
	ReplayStore ReplayStore
}

// NewWebhookConfig applies opts to a zero WebhookConfig.
func NewWebhookConfig(opts ...WebhookOption) WebhookConfig {
	var c WebhookConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// OnReject calls fn for every delivery the handler refuses, so a shop can
// count and alert. The handler also logs each refusal at Warn level
// through the client's logger.
func OnReject(fn func(r *http.Request, rejection WebhookRejection)) WebhookOption {
	return func(c *WebhookConfig) { c.OnReject = fn }
}

// WebhookURL is the URL the provider was told to deliver to, exactly as
// given. Buckaroo signs it (the push URL): set it when a proxy or a host
// name such as localhost versus 127.0.0.1 makes the request look different.
// Without it the URL is rebuilt from the request (Host, path and query;
// https when the connection was TLS or X-Forwarded-Proto says so).
func WebhookURL(u string) WebhookOption { return func(c *WebhookConfig) { c.URL = u } }

// WebhookClock sets the clock signed timestamps are checked against (tests
// use a fixed one).
func WebhookClock(now func() time.Time) WebhookOption {
	return func(c *WebhookConfig) { c.Clock = now }
}

// WebhookTolerance sets how far a signed timestamp may be from the clock
// before the delivery counts as stale.
func WebhookTolerance(d time.Duration) WebhookOption {
	return func(c *WebhookConfig) { c.Tolerance = d }
}

// WebhookReplayStore sets where a handler remembers the signed deliveries
// it accepted, so that one delivered again (a provider's duplicate, or a
// captured request sent again while its signed timestamp is still fresh) is
// acknowledged without calling the shop's function twice. The default is a
// MemoryReplayStore per handler, which protects one process only: a shop
// with several instances behind a load balancer passes one shared store to
// every instance's handlers (redisreplay.New in package
// github.com/betaalkit/betaalkit/redisreplay). Kassa Compleet's and OPP's
// webhooks are not signed (the handler re-fetches the payment), so they
// ignore it.
func WebhookReplayStore(s ReplayStore) WebhookOption {
	return func(c *WebhookConfig) { c.ReplayStore = s }
}
