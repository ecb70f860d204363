// Package betaalkit holds typed API clients for Dutch payment service providers.
// The clients live in clients/<provider>; this file regenerates their typed
// models and low-level clients in gen/<provider> from the specs in specs/.
package betaalkit

// The generator is built once (go build is a no-op when it is up to date)
// and run five times: five `go run`s spent 0.3 s each resolving the build.
//go:generate go build -o .bin/oapi-codegen github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen
//go:generate .bin/oapi-codegen -config gen/kassacompleet/config.yaml specs/kassacompleet.yaml
//go:generate .bin/oapi-codegen -config gen/opp/config.yaml specs/opp.yaml
//go:generate .bin/oapi-codegen -config gen/buckaroo/config.yaml specs/buckaroo.yaml
//go:generate .bin/oapi-codegen -config gen/ideal2/config.yaml specs/ideal2.yaml
//go:generate .bin/oapi-codegen -config gen/multisafepay/config.yaml specs/multisafepay.yaml

// Every model, re-exported in its client package with its fields listed in
// its doc, so `go doc clients/<provider> X` shows what to fill.
//go:generate go build -o .bin/modeldoc ./internal/cmd/modeldoc
//go:generate .bin/modeldoc kassacompleet opp buckaroo ideal2 multisafepay
