# edgelog: one target per intent. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
export CLOUDFLARE_CF_FETCH_ENABLED := false
export WRANGLER_SEND_METRICS := false
# The project's Node (scripts/setup.sh installs it from the npm registry) comes before the system's.
export PATH := $(CURDIR)/toolchain/node_modules/.bin:$(PATH)

NATIVE := build/native
ASAN := build/asan
WASMB := build/wasm
WASM := wasm/edgelog.wasm

.PHONY: help setup setup-browser build dashboard native asan wasm test test-native test-asan test-wasm test-js test-e2e \
        dev bench soak fuzz check project deploy clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

setup: ## install what is missing (apt, Debian sources, npm); idempotent
	@scripts/setup.sh

setup-browser: ## setup, plus Debian's chromium for the dashboard's browser tests
	@scripts/setup.sh --browser

native: setup ## build the core and its tests natively
	@cmake -S . -B $(NATIVE) -DCMAKE_BUILD_TYPE=Release -DEDGELOG_TESTS=ON >/dev/null
	@cmake --build $(NATIVE) -j $(JOBS)

asan: setup ## build the core and its tests with ASan + UBSan
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DEDGELOG_SANITIZE=ON -DEDGELOG_TESTS=ON >/dev/null
	@cmake --build $(ASAN) -j $(JOBS)

wasm: setup ## build wasm/edgelog.wasm, the vocabulary modules generated from it, the wasm test suites, and the Worker's Parquet writer
	@emcmake cmake -S . -B $(WASMB) -DCMAKE_BUILD_TYPE=Release -DEDGELOG_TESTS=ON >/dev/null
	@cmake --build $(WASMB) -j $(JOBS)
	@node scripts/vocabulary.mjs
	@# hyparquet-writer (npm, pinned) bundled into one module the Worker imports, as wrangler would
	@node_modules/.bin/esbuild node_modules/hyparquet-writer/src/index.js --bundle --format=esm --platform=neutral \
	  --conditions=browser --log-level=warning --outfile=worker/vendor/hyparquet-writer.js

dashboard: setup ## the dashboard's third-party files, copied from node_modules (npm, pinned)
	@mkdir -p dashboard/vendor
	@cp -u node_modules/uplot/dist/uPlot.esm.js node_modules/uplot/dist/uPlot.min.css dashboard/vendor/

build: native wasm dashboard ## build everything

test-native: native
	@cd $(NATIVE) && ctest --output-on-failure

test-asan: asan
	@cd $(ASAN) && ctest --output-on-failure

test-wasm: wasm
	@cd $(WASMB) && ctest --output-on-failure

test-js: setup-browser wasm dashboard ## the code's structure, the shim's units (real wasm, fake D1), the Worker in Miniflare, the dashboard in Chromium, make dev, the clients
	@node --import ./tests/support/register-wasm.mjs --test --test-concurrency=1 --test-timeout=120000 \
	  tests/structure/ tests/worker/ tests/dashboard/ tests/dev/ clients/js/test/

test: test-native test-asan test-wasm test-js ## build and run every test

dev: wasm dashboard ## build, migrate, create a demo project and serve on http://127.0.0.1:8787
	@scripts/dev.sh

deploy: setup wasm dashboard ## deploy for a customer domain (needs a Cloudflare login): make deploy DOMAIN=logger.example.com [DRY_RUN=1] [team settings, docs/teams.md]
	@scripts/domain.sh "$(DOMAIN)" $(if $(DRY_RUN),--dry-run,)

project: ## create a project on the running dev server: make project NAME=myapp
	@scripts/project.sh "$(NAME)"

bench: setup wasm ## benchmarks: the core (native, wasm, per input format), ingest beside the floor Worker (and with source maps) and its profile in workerd, binding, reads over 1M events, the client
	@cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DEDGELOG_TESTS=OFF -DEDGELOG_BENCH=ON >/dev/null
	@cmake --build build/bench -j $(JOBS) --target bench_core bench_sourcemap
	@emcmake cmake -S . -B build/bench-wasm -DCMAKE_BUILD_TYPE=Release -DEDGELOG_TESTS=OFF -DEDGELOG_BENCH=ON >/dev/null
	@cmake --build build/bench-wasm -j $(JOBS) --target bench_core bench_sourcemap
	@node bench/run.mjs
	@node bench/formats.mjs
	@node bench/sourcemaps.mjs
	@node bench/e2e.mjs
	@node bench/e2e.mjs --batch bench/out/batch-random.json
	@node bench/minified-batch.mjs
	@node bench/e2e.mjs --batch bench/out/batch-minified.json --maps bench/out/sourcemaps --vs .
	@node bench/profile.mjs
	@node bench/binding.mjs
	@node --import ./tests/support/register-wasm.mjs bench/read.mjs --cold
	@node --expose-gc bench/client.mjs
	@node bench/plan.mjs
	@node bench/cron.mjs

soak: setup wasm dashboard ## ≥ 1M events over ≥ 10 min with 1 D1 write in 50 failing, then a 60 s crash run (not in make test)
	@node bench/soak.mjs
	@node bench/worker-heap.mjs
	@CRASH_LOAD_MS=30000 node --test tests/dev/crash.test.js

FUZZ_SECONDS ?= 60
fuzz: setup ## run each libFuzzer target for FUZZ_SECONDS (default 60); new inputs go to build/fuzz/new-*
	@CXX=clang++ cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=Debug -DEDGELOG_FUZZ=ON -DEDGELOG_TESTS=OFF -DEDGELOG_NATIVE_ARCH=OFF >/dev/null
	@cmake --build build/fuzz -j $(JOBS) --target fuzz_ingest fuzz_text fuzz_segment fuzz_query fuzz_columns fuzz_sourcemap
	@for t in ingest text segment query columns sourcemap; do mkdir -p build/fuzz/new-$$t; \
	  build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz/new-$$t fuzz/corpus/$$t 2>&1 | grep -E "DONE|^Done|ERROR|SUMMARY"; done
	@echo "interesting new inputs are in build/fuzz/new-*; copy the ones worth keeping to fuzz/corpus/"

clean: ## remove build output
	rm -rf build wasm/*.wasm
