# tracing-demo: `make demo` runs everything, `make test` tests everything (set-up included).
# `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

JOBS        ?= $(shell nproc)
BIN_DEBUG   := build/debug/bin/tracing-demo
BIN         := build/release/bin/tracing-demo
SETUP_STAMP := build/.setup-done

.PHONY: help setup install-dev dev-setup build build-debug build-release test test-unit \
        test-asan test-tsan bench format lint clean demo

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

$(SETUP_STAMP): scripts/setup.sh $(wildcard */package-lock.json */*/package-lock.json)
	@bash scripts/setup.sh
	@mkdir -p build && touch $@

setup: $(SETUP_STAMP) ## Install the Debian and npm packages the project needs (idempotent)
install-dev: setup ## Same as setup (the seed's name)
dev-setup: setup build-debug ## Set up and build the debug binary

define build_preset
	@cmake --preset $(1) >/dev/null
	@cmake --build --preset $(1) -j $(JOBS)
endef

build: build-release ## Build the release binary and print where it is
	@echo "built: $(BIN)"

build-release: $(SETUP_STAMP)
	$(call build_preset,release)

build-debug: $(SETUP_STAMP)
	$(call build_preset,debug)

test: $(SETUP_STAMP) ## Build and run every test under ASan+UBSan and TSan (set-up included)
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan

test-unit: build-debug ## Quick: debug build, all tests
	@ctest --preset debug -j $(JOBS)

test-asan: $(SETUP_STAMP)
	$(call build_preset,asan)
	@ctest --preset asan -j $(JOBS)

test-tsan: $(SETUP_STAMP)
	$(call build_preset,tsan)
	@ctest --preset tsan -j $(JOBS)

bench: build-release ## Run the benchmarks; results as JSON in bench/results/
	@bash bench/run.sh

format: ## clang-format every source file in place
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

lint: build-debug ## clang-tidy and cppcheck over src/
	@git ls-files 'src/*.cc' | xargs -P $(JOBS) -n 4 clang-tidy -p build/debug --quiet
	@cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --std=c++20 -I src --suppress=missingIncludeSystem src

clean: ## Remove build outputs
	@rm -rf build

demo: build-release ## Start everything, run the demo scenarios, print the URLs (DEMO_ONCE=1 to stop after)
	@bash scripts/demo.sh $(BIN)
