# The README's two commands, and the benchmarks.
.PHONY: run test bench bundle

run:    ## build and start Guichet on SQLite with the demo data (http://127.0.0.1:3000)
	scripts/run.sh

test:   ## every test: lints, unit, integration (SQLite, PostgreSQL if TEST_DATABASE_URL), Playwright
	scripts/test.sh

bench:  ## print the performance figures (ratios against baselines measured in the same run)
	scripts/bench.sh

bundle: ## build only the browser bundle into target/site/pkg
	cargo xtask bundle
