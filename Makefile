# ocelli: thin wrapper over CMake. `make help` lists the targets.
BUILD_DIR ?= build
JOBS      ?= $(shell nproc)
GENERATOR ?= Ninja
CTEST_ARGS ?=

RTL_SOURCES := $(shell find rtl -name '*_pkg.sv' | sort) $(shell find rtl -name '*.sv' ! -name '*_pkg.sv' | sort)

.DEFAULT_GOAL := help
.PHONY: help deps configure build test test-slow lint regress alexnet wave bench clean

help: ## List the targets
	@echo "ocelli make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 24
	@echo ""
	@echo "Variables: BUILD_DIR=$(BUILD_DIR) JOBS=$(JOBS) CTEST_ARGS='...' (e.g. CTEST_ARGS='-L golden')"

deps: ## Install missing Debian packages (idempotent; needs root or sudo)
	@scripts/install-deps.sh

$(BUILD_DIR)/build.ninja $(BUILD_DIR)/Makefile:
	@cmake -S . -B $(BUILD_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD_DIR)/build.ninja ## Configure the CMake build (in BUILD_DIR, default build/)

build: configure ## Build the RTL models, golden, driver, tools and tests (parallel)
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build ## Install, build and run the tests (all but the slow ones; CTEST_ARGS='-L <area>' for one area)
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE slow $(CTEST_ARGS)

test-slow: build ## Run the slow tests (AlexNet CONV1-5 through the RTL top, minutes each)
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L slow $(CTEST_ARGS)

lint: ## Verilator --lint-only -Wall over all RTL (waivers only in rtl/ocelli.vlt)
	@command -v verilator >/dev/null || scripts/install-deps.sh
	@verilator --lint-only -Wall --assert --no-timing -Irtl $(shell find rtl -type d -printf '-I%p ') rtl/ocelli.vlt $(RTL_SOURCES)
	@echo "lint: clean ($(words $(RTL_SOURCES)) files)"

bench: build ## Run the benchmarks and print their figures
	@for b in $(BUILD_DIR)/bench/bench_*; do [ -x "$$b" ] && "$$b"; done; true

regress: ## Random + program regression through RTL (not built yet)
	@echo "make regress: not built yet (issue 8)"; exit 1

# make alexnet [BATCH=1] [SEED=1] [DRAM=inproc|tcp://host:port] [TIMING=default|eyeriss]
BATCH  ?= 1
SEED   ?= 1
DRAM   ?= inproc
TIMING ?= default
REPORTS_DIR ?= reports

alexnet: build ## Run all 8 AlexNet layers through the RTL, checked layer by layer; report in reports/alexnet.*
	@mkdir -p $(REPORTS_DIR)
	@$(BUILD_DIR)/sw/cli/ocelli run programs/alexnet.prog --batch $(BATCH) --seed $(SEED) --dram $(DRAM) \
	    --dram-timing $(TIMING) --report $(REPORTS_DIR)/alexnet-run.json
	@$(BUILD_DIR)/sw/cli/ocelli report $(REPORTS_DIR)/alexnet-run.json --out-dir $(REPORTS_DIR) --name alexnet

wave: ## Trace one layer to waves/<layer>.fst with a GTKWave save file (not built yet)
	@echo "make wave: not built yet (issue 8)"; exit 1

clean: ## Remove the build directory
	rm -rf $(BUILD_DIR)
