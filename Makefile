# Everything installs through `go` itself; nothing else is needed.
GO ?= go
PKGS := ./...
FUZZTIME ?= 30s
# Shrinking a new input may take the whole run otherwise (60 s by default).
FUZZMINTIME ?= 5s
FUZZPARALLEL ?= 1

.PHONY: all demo test generate verify fmt-check vet unit bench-check bench bench-all fuzz lint-specs screenshots

all: test

## demo: a full offline payment per provider against the built-in sandbox
demo:
	$(GO) run ./cmd/betaalkit demo

## generate: regenerate gen/<provider> from specs/<provider>.yaml
generate:
	$(GO) generate ./...

## verify: regenerate, then fail if anything under gen/ changed
verify: generate
	@if [ -n "$$(git status --porcelain -- gen)" ]; then \
		echo "generated code is stale; run 'make generate' and commit:"; \
		git status --porcelain -- gen; git --no-pager diff --stat -- gen; exit 1; \
	fi
	@echo "generated code is fresh"

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test -race -count=1 $(PKGS)

## bench-check: every benchmark once, so none can rot (part of make test)
bench-check:
	$(GO) test -race -run='^$$' -bench=. -benchtime=1x $(PKGS)

## lint-specs: Redocly's recommended ruleset over every spec (redocly.yaml); needs Node's npx
REDOCLY ?= npx -y @redocly/cli@2.77.0
lint-specs:
	@if ! command -v npx >/dev/null 2>&1; then \
		echo "lint-specs: skipped: npx (Node.js) is not installed; 'apt-get install npm' to lint the specs"; \
	else \
		$(REDOCLY) lint --format=stylish; \
	fi

## test: everything CI runs — gofmt, vet, fresh generated code, spec lint, all tests and benchmarks with -race
test: fmt-check vet verify lint-specs unit bench-check

## bench: the side-by-side benchmarks (ours vs the physical floor) as a table of ratios
bench:
	$(GO) run ./internal/cmd/benchtable

## bench-all: every benchmark of every package, raw
bench-all:
	$(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
		for target in $$($(GO) test -list='^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$target"; \
			$(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINTIME) -parallel=$(FUZZPARALLEL) $$pkg || exit 1; \
		done; \
	done

## screenshots: docs/dashboard.png, docs/payment-page.png and docs/payment-timeline.png, taken in a real Chromium (apt-get install chromium)
screenshots:
	$(GO) test -count=1 -run '^TestScreenshots$$' ./sandbox/internal/browser -args -screenshots=$(CURDIR)/docs
