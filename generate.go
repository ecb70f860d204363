// Package betaalkit holds typed API clients for Dutch payment service providers.
// The clients live in clients/<provider>; this file regenerates their typed
// models and low-level clients in gen/<provider> from the specs in specs/.
package betaalkit

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/kassacompleet/config.yaml specs/kassacompleet.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/opp/config.yaml specs/opp.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/buckaroo/config.yaml specs/buckaroo.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/ideal2/config.yaml specs/ideal2.yaml
//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config gen/multisafepay/config.yaml specs/multisafepay.yaml
