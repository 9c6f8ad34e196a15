# tracing-demo: `make demo` runs everything, `make test` tests everything (set-up included).
# `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

JOBS        ?= $(shell nproc)
BIN         := build/release/bin/tracing-demo
BIN_DEBUG   := build/debug/bin/tracing-demo
SETUP_STAMP := build/.setup-done
LOG_DIR     := build/logs
TARGET      ?= http://localhost:8000
HAVE_DOCKER := $(shell docker info >/dev/null 2>&1 && echo yes)
COMPOSE     := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
# ccache: share compiled objects between checkouts of the project (paths made relative).
export CCACHE_BASEDIR  := $(CURDIR)
export CCACHE_NOHASHDIR := true

define need_docker
	@if [ "$(HAVE_DOCKER)" != yes ]; then \
	  echo "Docker is missing here (no Docker engine answers 'docker info')."; \
	  echo "Without Docker: 'make run' starts every service and the embedded trace store."; \
	  exit 1; fi
endef

define build_preset
	@cmake --preset $(1) >/dev/null
	@cmake --build --preset $(1) -j $(JOBS)
endef

.PHONY: help setup install-dev dev-setup build build-release build-debug run run-dev \
        test test-unit test-asan test-tsan test-coverage bench soak fuzz format lint type-check \
        clean demo traffic traffic-demo traffic-stress load-test load-test-heavy health \
        run-jaeger logs-app docker-build docker-up docker-up-dev docker-logs docker-down docker-clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# --- set-up and build -------------------------------------------------------------------------
$(SETUP_STAMP): scripts/setup.sh $(shell git ls-files '*package-lock.json' 2>/dev/null)
	@bash scripts/setup.sh
	@mkdir -p build && touch $@

setup: $(SETUP_STAMP) ## Install the Debian and npm packages the project needs (idempotent)
install-dev: setup ## The seed's name for setup
dev-setup: setup build-debug ## Set up and build the debug binary

build: build-release ## Build the release binary and print where it is
	@echo "built: $(BIN)"

build-release: $(SETUP_STAMP)
	$(call build_preset,release)

build-debug: $(SETUP_STAMP)
	$(call build_preset,debug)

# --- run --------------------------------------------------------------------------------------
run: build-release ## Run the four services and the embedded trace store (Ctrl-C stops)
	@mkdir -p $(LOG_DIR)
	$(BIN) all 2> >(tee $(LOG_DIR)/app.log >&2)

run-dev: build-debug ## Run the debug build; rebuild and restart on every source change (entr)
	@mkdir -p $(LOG_DIR)
	@while true; do git ls-files src web CMakeLists.txt | entr -d -r bash -c \
	  'cmake --build --preset debug -j $(JOBS) && $(BIN_DEBUG) all 2> >(tee $(LOG_DIR)/app.log >&2)'; \
	  [ $$? -eq 2 ] || break; done

demo: build-release ## Start everything, run the demo scenarios and a load test, print the URLs (DEMO_ONCE=1 stops after)
	@bash scripts/demo.sh $(BIN)

health: ## Check every service (exit non-zero when one is down)
	@$(BIN) health --target $(TARGET)

logs-app: ## Follow the services' JSON log lines (from make run / make demo)
	@mkdir -p $(LOG_DIR) && touch $(LOG_DIR)/app.log && tail -F $(LOG_DIR)/app.log

run-jaeger: ## Start a trace backend: real Jaeger via Docker if it runs, else the embedded store
	@if [ "$(HAVE_DOCKER)" = yes ]; then \
	  echo "Starting Jaeger all-in-one in Docker (UI http://localhost:16686, OTLP 4317/4318)"; \
	  docker run -d --rm --name jaeger -p 16686:16686 -p 4317:4317 -p 4318:4318 jaegertracing/all-in-one:1.62.0; \
	else \
	  echo "Docker is missing here: starting the embedded trace store instead (UI http://localhost:16686, OTLP 4317/4318)"; \
	  $(MAKE) --no-print-directory build-release && $(BIN) traces; \
	fi

# --- traffic and load -------------------------------------------------------------------------
traffic: ## Realistic user activity against the gateway for 60 s
	@$(BIN) traffic --mode activity --target $(TARGET) --duration 60
traffic-demo: ## The scripted demo scenarios, each leaving one instructive trace
	@$(BIN) traffic --mode demo --target $(TARGET)
traffic-stress: ## Open-loop stress: 2000 req/s for 30 s
	@$(BIN) traffic --mode stress --target $(TARGET) --rps 2000 --duration 30
load-test: ## Load test: 10 users x 100 requests, 5 s ramp-up
	@$(BIN) load-test --target $(TARGET) --users 10 --requests 100 --ramp-up 5
load-test-heavy: ## Heavy load test: 100 users x 1000 requests, 10 s ramp-up, HTML report
	@mkdir -p build/reports
	@$(BIN) load-test --target $(TARGET) --users 100 --requests 1000 --ramp-up 10 \
	  --json build/reports/load-test.json --html build/reports/load-test.html

# --- tests and quality ------------------------------------------------------------------------
test: $(SETUP_STAMP) ## Build and run every test under ASan+UBSan, then under TSan
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan

test-unit: build-debug ## Quick: the debug build, every test
	@ctest --preset debug -j $(JOBS)

test-asan: $(SETUP_STAMP)
	$(call build_preset,asan)
	@ctest --preset asan -j $(JOBS)

test-tsan: $(SETUP_STAMP)
	$(call build_preset,tsan)
	@ctest --preset tsan -j $(JOBS)

test-coverage: $(SETUP_STAMP) ## Line coverage of src/ (gcovr): HTML in build/coverage-report/index.html
	$(call build_preset,coverage)
	@ctest --preset coverage -j $(JOBS) || true
	@mkdir -p build/coverage-report
	@gcovr -r . --filter 'src/' --exclude '.*_test\.cc' --exclude '.*_bench\.cc' --gcov-ignore-parse-errors \
	  --object-directory build/coverage --html-details build/coverage-report/index.html --print-summary \
	  build/coverage | tail -3
	@echo "report: build/coverage-report/index.html"

bench: build-release ## Run the benchmarks; JSON in bench/results/, summary printed
	@bash bench/run.sh

soak: build-release ## Long reliability runs (minutes): soak and memory-flatness checks
	@bash scripts/soak.sh $(BIN)

fuzz: ## libFuzzer targets under ASan+UBSan (FUZZ_RUNS=10000000 each by default)
	@bash scripts/fuzz.sh

format: ## clang-format every C++ file in place
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

lint: build-debug ## clang-tidy and cppcheck over src/
	@git ls-files 'src/*.cc' | xargs -P $(JOBS) -n 8 clang-tidy -p build/debug --quiet
	@git ls-files 'src/*.cc' | grep -v -E '_(test|bench)\.cc$$' | xargs cppcheck --quiet --error-exitcode=1 \
	  --enable=warning,performance,portability --library=googletest --inline-suppr --std=c++20 -I src \
	  --suppress=missingIncludeSystem

type-check: $(SETUP_STAMP) ## C++'s type check: the strictest compile (clang, extra warnings as errors) + clang-tidy
	@cmake --preset typecheck >/dev/null
	@cmake --build --preset typecheck -j $(JOBS)
	@$(MAKE) --no-print-directory lint

clean: ## Remove build outputs
	@rm -rf build

# --- Docker (needs a Docker engine) -----------------------------------------------------------
docker-build: ## Build the service image
	$(need_docker)
	docker build -f docker/Dockerfile -t tracing-demo:latest .
docker-up: ## Everything in containers: services, Jaeger, PostgreSQL, Redis, Prometheus
	$(need_docker)
	$(COMPOSE) -f docker-compose.yml up -d --build
docker-up-dev: ## Only the development backends: Jaeger, PostgreSQL, Redis
	$(need_docker)
	$(COMPOSE) -f docker-compose.dev.yml up -d
docker-logs: ## Follow the containers' logs
	$(need_docker)
	$(COMPOSE) -f docker-compose.yml logs -f
docker-down: ## Stop the containers
	$(need_docker)
	$(COMPOSE) -f docker-compose.yml down
docker-clean: ## Stop the containers and remove their volumes and the image
	$(need_docker)
	$(COMPOSE) -f docker-compose.yml down -v --rmi local
