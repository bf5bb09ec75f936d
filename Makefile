# Ticket Home. `make run` starts the app with demo data; `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

HTMX_VERSION := 4.0.1
GO ?= go
TAILWIND := node_modules/.bin/tailwindcss

.PHONY: run test bench build generate css templ check-generated vet deps schema clean-data docker

run: ## Start the app on :8080 (private PostgreSQL under .data/ when DATABASE_URL is unset)
	$(GO) build -o bin/ticket-home ./cmd/ticket-home
	./bin/ticket-home serve

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/ticket-home ./cmd/ticket-home

test: deps check-generated vet ## Everything: vet, generated-code freshness, unit, store, handler and browser tests
	$(GO) test -race -count=1 -timeout 30m ./...

bench: ## Go benchmarks, then the pages under load on 10 000 and 1 000 000 tickets (scripts/bench)
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	$(GO) run ./scripts/bench

vet:
	$(GO) vet ./...
	@unformatted=$$(find . -name '*.go' -not -path './node_modules/*' -not -path './.data/*' -print0 | xargs -0 gofmt -l); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

deps: ## Install what a fresh machine lacks (Chromium, npm packages), when it can
	bash scripts/install-deps.sh

generate: templ css

templ:
	$(GO) tool templ generate

css: node_modules/.package-lock.json
	$(TAILWIND) -i static/css/input.css -o static/css/app.css --minify 2>/dev/null

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund

# Regenerates templ code, CSS and the vendored htmx with its SSE extension, and fails if any
# committed file changed.
check-generated: node_modules/.package-lock.json
	@before=$$(cat $$(find components -name '*_templ.go' | sort) static/css/app.css static/js/htmx.min.js static/js/hx-sse.min.js | sha256sum); \
	$(MAKE) --no-print-directory generate >/dev/null; \
	{ echo "/* htmx $(HTMX_VERSION) (htmx.org npm package, dist/htmx.min.js), BSD Zero Clause License */"; cat node_modules/htmx.org/dist/htmx.min.js; } > static/js/htmx.min.js; \
	{ echo "/* htmx $(HTMX_VERSION) SSE extension (htmx.org npm package, dist/ext/hx-sse.min.js), BSD Zero Clause License */"; cat node_modules/htmx.org/dist/ext/hx-sse.min.js; } > static/js/hx-sse.min.js; \
	after=$$(cat $$(find components -name '*_templ.go' | sort) static/css/app.css static/js/htmx.min.js static/js/hx-sse.min.js | sha256sum); \
	if [ "$$before" != "$$after" ]; then echo "Generated files were stale (templ, CSS or htmx): they are regenerated now; commit them."; exit 1; fi

schema: ## Regenerate db/schema.sql from a scratch database
	$(GO) run ./scripts/dumpschema > db/schema.sql

clean-data: ## Stop nothing, delete the private local cluster (demo data is reloaded by make run)
	rm -rf .data

docker:
	docker build -t ticket-home .
