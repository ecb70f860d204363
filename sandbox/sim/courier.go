package sim

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
)

// Courier delivers a simulator's webhooks, and can be told to misbehave
// the way real providers sometimes do, so a shop can test that events
// arriving twice, late or after the customer never move a payment back:
// Duplicate sends every delivery twice; Hold keeps deliveries until
// Release (a late webhook; a customer who is back before it). Each
// simulator's Webhooks method returns its Courier. Safe for concurrent use.
type Courier struct {
	client *http.Client

	mu        sync.Mutex
	duplicate bool
	hold      bool
	held      []delivery
}

type delivery struct {
	target string
	header http.Header
	body   []byte
}

// NewCourier delivers through client.
func NewCourier(client *http.Client) *Courier { return &Courier{client: client} }

// Deliver posts one webhook (twice when duplicating) and reports the last
// answer's status. While holding, it queues the delivery and answers 202
// at once, as if the provider had sent it into a slow queue.
func (c *Courier) Deliver(ctx context.Context, target string, header http.Header, body []byte) (int, error) {
	if target == "" {
		return 0, nil
	}
	c.mu.Lock()
	if c.hold {
		c.held = append(c.held, delivery{target, header.Clone(), append([]byte(nil), body...)})
		c.mu.Unlock()
		return http.StatusAccepted, nil
	}
	times := 1
	if c.duplicate {
		times = 2
	}
	c.mu.Unlock()
	var status int
	var err error
	for range times {
		if status, err = Webhook(ctx, c.client, target, header, body); err != nil {
			return status, err
		}
	}
	return status, nil
}

// Duplicate makes every delivery go out twice (on) or once (off).
func (c *Courier) Duplicate(on bool) {
	c.mu.Lock()
	c.duplicate = on
	c.mu.Unlock()
}

// Hold queues deliveries until Release.
func (c *Courier) Hold() {
	c.mu.Lock()
	c.hold = true
	c.mu.Unlock()
}

// Held is the number of deliveries waiting for Release.
func (c *Courier) Held() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.held)
}

// Release stops holding and delivers what was held, oldest first (newest
// first with reversed: the events out of order). A delivery the shop does
// not accept is reported in the error; the others still go.
func (c *Courier) Release(ctx context.Context, reversed bool) error {
	c.mu.Lock()
	held := c.held
	c.held, c.hold = nil, false
	c.mu.Unlock()
	var errs []error
	for i := range held {
		d := held[i]
		if reversed {
			d = held[len(held)-1-i]
		}
		status, err := c.Deliver(ctx, d.target, d.header, d.body)
		switch {
		case err != nil:
			errs = append(errs, err)
		case status/100 != 2:
			errs = append(errs, fmt.Errorf("%s answered %d", d.target, status))
		}
	}
	return errors.Join(errs...)
}
