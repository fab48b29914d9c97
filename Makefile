# Shortcuts for the commands in README.md. CGO must be on (DuckDB), and every
# build and test uses the duckdb_arrow tag (DuckDB's Arrow interface).
GO   ?= go
TAGS := -tags duckdb_arrow

.PHONY: demo test build bench ci ui

demo: ## load the embedded sample logs and print an investigation overview
	$(GO) run $(TAGS) ./cmd/s3logs demo

test: ## run every test
	$(GO) test $(TAGS) ./...

build: ## build bin/s3logs
	$(GO) build $(TAGS) -o bin/s3logs ./cmd/s3logs

bench: ## load 1,000,000 generated lines with s3logs and with DuckDB's read_csv + regexp_extract
	$(GO) run $(TAGS) ./cmd/s3logs-bench -scale

ci: ## what CI runs
	.ci/run

ui: ## rebuild ui/assets/app.js from ui/web (npm ci + esbuild, versions pinned by package-lock.json)
	cd ui/web && npm ci --no-audit --no-fund && npm run build
