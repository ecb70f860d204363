// Package betaalkit holds typed API clients for Dutch payment service providers.
// The clients live in clients/<provider>; this file regenerates their typed
// models and low-level clients in gen/<provider> from the specs in specs/.
package betaalkit

// One process writes everything (internal/cmd/generate): for each provider,
// gen/<provider>/ from specs/<provider>.yaml with oapi-codegen's library (the
// version go.mod pins; tools.go keeps it there) configured by
// gen/<provider>/config.yaml, whose client part is our own template
// gen/templates/client.tmpl; then clients/<provider>/models.gen.go, every
// model re-exported with its fields listed in its doc, so
// `go doc clients/<provider> X` shows what to fill. It is built once (go
// build is a no-op when it is up to date): five oapi-codegen processes and
// a modeldoc one each paid start-up and template parsing.
//go:generate go build -o .bin/generate ./internal/cmd/generate
//go:generate .bin/generate kassacompleet opp buckaroo ideal2 multisafepay
