package redisreplay_test

import (
	"context"
	"net/http"
	"os"

	"github.com/redis/go-redis/v9"

	"github.com/betaalkit/betaalkit"
	"github.com/betaalkit/betaalkit/clients/multisafepay"
	"github.com/betaalkit/betaalkit/redisreplay"
)

// A shop with several instances shares one Redis between their webhook
// handlers: a notification that reaches two instances is passed on once.
func Example() {
	msp, err := multisafepay.New(os.Getenv("MULTISAFEPAY_API_KEY"))
	if err != nil {
		panic(err)
	}
	onOrder := func(ctx context.Context, o *multisafepay.Order) error { return nil }

	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	replay := betaalkit.WebhookReplayStore(redisreplay.New(rdb))
	http.Handle("/webhooks/multisafepay", msp.WebhookHandler(onOrder, replay))
}
