# ocelli: thin wrapper over CMake. `make help` lists the targets.
BUILD_DIR ?= build
JOBS      ?= $(shell nproc)
GENERATOR ?= Ninja
CTEST_ARGS ?=

# isa_pkg.sv is generated from rtl/isa/isa.json (scripts/gen_isa.py); lint generates its own copy. The test
# wrappers in tb/ are linted with the design.
ISA_PKG     := $(BUILD_DIR)/generated/isa_pkg.sv
RTL_SOURCES := rtl/ocelli_pkg.sv $(ISA_PKG) $(shell find rtl -name '*_pkg.sv' ! -name ocelli_pkg.sv | sort) \
               $(shell find rtl -name '*.sv' ! -name '*_pkg.sv' | sort) $(shell find tb -name '*.sv' | sort)

.DEFAULT_GOAL := help
.PHONY: help deps cluster configure build test test-slow lint isa-docs regress alexnet eyeriss fashion wave bench mapper-sweep clean

help: ## List the targets
	@echo "ocelli make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 24
	@echo ""
	@echo "Variables: BUILD_DIR=$(BUILD_DIR) JOBS=$(JOBS) CTEST_ARGS='...' (e.g. CTEST_ARGS='-L golden')"
	@echo "           SCHEDULER=local|slurm for regress, alexnet, eyeriss (docs/cluster.md: SLURM_PARTITION, SLURM_ACCOUNT,"
	@echo "           SLURM_TIME, SLURM_MEM, SLURM_ARGS, SLURM_MAX_RUNNING, DRY_RUN=1)"

deps: ## Install missing Debian packages (idempotent; needs root or sudo)
	@scripts/install-deps.sh

cluster: ## Install and start a single-node Slurm cluster on this machine (idempotent; needs root; docs/cluster.md)
	@scripts/slurm-cluster.sh

$(BUILD_DIR)/build.ninja $(BUILD_DIR)/Makefile:
	@cmake -S . -B $(BUILD_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=Release

configure: deps $(BUILD_DIR)/build.ninja ## Configure the CMake build (in BUILD_DIR, default build/)

build: configure ## Build the RTL models, golden, driver, tools and tests (parallel)
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build cluster ## Install, build, start the single-node Slurm cluster (its test needs it) and run the tests (all but the slow ones; CTEST_ARGS='-L <area>' for one area)
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE slow $(CTEST_ARGS)

test-slow: build ## Run the slow tests (AlexNet CONV1-5 through the RTL top, minutes each)
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L slow $(CTEST_ARGS)

lint: ## Verilator --lint-only -Wall over all RTL (waivers only in rtl/ocelli.vlt)
	@command -v verilator >/dev/null && command -v python3 >/dev/null || scripts/install-deps.sh
	@python3 scripts/gen_isa.py --sv $(ISA_PKG)
	@verilator --lint-only -Wall --assert --no-timing -Irtl $(shell find rtl -type d -printf '-I%p ') rtl/ocelli.vlt $(RTL_SOURCES)
	@verilator --lint-only -Wall --assert --no-timing +define+OCELLI_CHECKS -Irtl $(shell find rtl -type d -printf '-I%p ') \
	    rtl/ocelli.vlt $(RTL_SOURCES)
	@echo "lint: clean ($(words $(RTL_SOURCES)) files, with and without the rule checks of OCELLI_CHECKS)"

isa-docs: ## Rewrite docs/isa.md's generated tables from rtl/isa/isa.json (the ISA's one description)
	@command -v python3 >/dev/null || scripts/install-deps.sh
	@python3 scripts/gen_isa.py --doc docs/isa.md && echo "isa-docs: docs/isa.md is current"

# make bench [BENCH_RUN_ARGS='--checked'] [BENCH_CONV5=1] [BENCH_CALLGRIND=0] [BENCH_REPEAT=3]
# First bench/sim_speed.sh: host instructions per simulated cycle (callgrind), cycles/s and wall time of a conv, an
# FC and a pool program (docs/architecture.md, "Measuring simulation speed"). Then the bench_* executables, always:
# they answer other questions (MACs per PE per cycle of the array, in-process vs remote DRAM) and take about half a
# minute beside the script's minute or two, so a switch to leave them out would save little.
BENCH_RUN_ARGS  ?=
BENCH_CONV5     ?= 0
BENCH_CALLGRIND ?= 1
BENCH_REPEAT    ?= 3

bench: build ## Simulation speed (host instructions per simulated cycle, cycles/s), then the bench_* figures
	@BENCH_RUN_ARGS='$(BENCH_RUN_ARGS)' BENCH_CONV5='$(BENCH_CONV5)' BENCH_CALLGRIND='$(BENCH_CALLGRIND)' \
	    BENCH_REPEAT='$(BENCH_REPEAT)' bench/sim_speed.sh $(BUILD_DIR)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target benches
	@for b in $(BUILD_DIR)/bench/bench_*; do [ -x "$$b" ] && { echo; "$$b"; }; done; true

# SCHEDULER=slurm: `make regress`, `make alexnet` and `make eyeriss` run their cases or layer groups as the tasks of a
# Slurm job array (docs/cluster.md); the SLURM_* variables are the sbatch options, DRY_RUN=1 prints the sbatch command
# and the script without submitting.
SCHEDULER         ?= local
SLURM_PARTITION   ?=
SLURM_ACCOUNT     ?=
SLURM_TIME        ?=
SLURM_MEM         ?=
SLURM_ARGS        ?=
SLURM_MAX_RUNNING ?=
DRY_RUN           ?=
SCHEDULER_ARGS = --scheduler $(SCHEDULER) $(if $(SLURM_PARTITION),--slurm-partition '$(SLURM_PARTITION)') \
    $(if $(SLURM_ACCOUNT),--slurm-account '$(SLURM_ACCOUNT)') $(if $(SLURM_TIME),--slurm-time '$(SLURM_TIME)') \
    $(if $(SLURM_MEM),--slurm-mem '$(SLURM_MEM)') $(if $(SLURM_ARGS),--slurm-args '$(SLURM_ARGS)') \
    $(if $(SLURM_MAX_RUNNING),--slurm-max-running $(SLURM_MAX_RUNNING)) $(if $(DRY_RUN),--dry-run)

# make mapper-sweep LAYER=conv2 [BATCH=1] [K=4] [TIMING=default] [SEED=1] [MAPPING="n2 e14 p16 q2 r2 t1 f2 fo"]
# The mapper's K best mappings of one AlexNet CONV layer, each in both PE issue orders (or only MAPPING), through the
# RTL (bit-exact checked): the estimate beside the measured cycles and DRAM traffic. Minutes per layer.
K ?= 4
mapper-sweep: build ## The mapper's estimate against the RTL's cycles for one AlexNet CONV layer (LAYER=conv2)
	@test -n "$(LAYER)" || { echo "make mapper-sweep: LAYER=<conv1..conv5> is required"; exit 2; }
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target mapper_sweep
	@$(BUILD_DIR)/bench/mapper_sweep --layer $(LAYER) --batch $(BATCH) -k $(K) --timing $(TIMING) --seed $(SEED) \
	    $(if $(MAPPING),--mapping "$(MAPPING)")

# make alexnet [BATCH=1] [SEED=1] [DRAM=inproc|tcp://host:port] [TIMING=default|eyeriss] [JOBS=nproc] [CHECKED=1]
#              [SCHEDULER=local|slurm]
# JOBS: layer groups simulated at once by as many processes, or Slurm tasks (in-process DRAM only; a remote DRAM runs
# one).
# CHECKED=1: the checked build of the top instead of the performance model (same cycles, slower).
BATCH  ?= 1
SEED   ?= 1
DRAM   ?= inproc
TIMING ?= default
REPORTS_DIR ?= reports
CHECKED ?=
ALEXNET_JOBS = $(if $(filter inproc,$(DRAM)),$(JOBS),1)

alexnet: build ## Run all 8 AlexNet layers through the RTL, checked layer by layer; report in reports/alexnet.*
	@mkdir -p $(REPORTS_DIR)
	@$(BUILD_DIR)/sw/cli/ocelli run programs/alexnet.prog --batch $(BATCH) --seed $(SEED) --dram $(DRAM) \
	    --dram-timing $(TIMING) --jobs $(ALEXNET_JOBS) $(if $(CHECKED),--checked) --report $(REPORTS_DIR)/alexnet-run.json \
	    $(SCHEDULER_ARGS)
	@$(if $(DRY_RUN),true,$(BUILD_DIR)/sw/cli/ocelli report) $(REPORTS_DIR)/alexnet-run.json --out-dir $(REPORTS_DIR) --name alexnet

# make eyeriss [SEED=1] [JOBS=nproc] [CHECKED=1]
# The comparison a reader of the Eyeriss paper would make: AlexNet through conv5 (with the LRN and pooling layers
# between) at batch 4 with the `eyeriss` DRAM timing (60 MHz link beside the 200 MHz core, the rate Eyeriss's figures
# were measured at); the report's last block puts ocelli's CONV1-5 beside Eyeriss's per layer.
eyeriss: build ## AlexNet CONV1-5 at batch 4 and Eyeriss's DRAM timing, compared with Eyeriss; report in reports/eyeriss.*
	@mkdir -p $(REPORTS_DIR)
	@$(BUILD_DIR)/sw/cli/ocelli run programs/alexnet.prog --batch 4 --seed $(SEED) --to conv5 --dram-timing eyeriss \
	    --jobs $(JOBS) $(if $(CHECKED),--checked) --report $(REPORTS_DIR)/eyeriss-run.json $(SCHEDULER_ARGS)
	@$(if $(DRY_RUN),true,$(BUILD_DIR)/sw/cli/ocelli report) $(REPORTS_DIR)/eyeriss-run.json --out-dir $(REPORTS_DIR) --name eyeriss

# make fashion [N=1000] [FASHION_BATCH=50] [CHECKED=1]
# The trained Fashion-MNIST CNN (models/fashion, scripts/train_fashion.py): imported with formats calibrated on 512
# training images, then the first N test images through the golden and the RTL in batches; prints top-1 accuracy of
# the float model (its predictions stored at training time), the golden and the RTL, cycles and energy per image.
FASHION_N     = $(if $(filter command line,$(origin N)),$(N),1000)
FASHION_BATCH ?= 50

fashion: build ## Fashion-MNIST CNN: N test images (1000) through golden and RTL; float/golden/RTL top-1, cycles, energy
	@$(BUILD_DIR)/sw/cli/ocelli fashion -n $(FASHION_N) --batch $(FASHION_BATCH) --out-dir $(BUILD_DIR)/fashion \
	    $(if $(CHECKED),--checked)

# make regress [N=200] [SEED=1] [JOBS=nproc] [CASE=<name>] [FILTER=<glob of program stems>] [REGRESS_ARGS=...]
#              [SCHEDULER=local|slurm] (with slurm, JOBS is not used: SLURM_MAX_RUNNING throttles the array; CASE runs
#              the one case here)
N      ?= 200
CASE   ?=
FILTER ?=
REGRESS_ARGS ?=

regress: build ## Every program + N seeded random layers through the RTL, in parallel; JUnit XML in reports/regress.xml
	@$(BUILD_DIR)/tb/regress/ocelli-regress --programs programs -n $(N) --seed $(SEED) -j $(JOBS) \
	    $(if $(CASE),--case $(CASE),$(SCHEDULER_ARGS)) $(if $(FILTER),--filter '$(FILTER)') \
	    --out-dir $(REPORTS_DIR)/regress --junit $(REPORTS_DIR)/regress.xml $(REGRESS_ARGS)

# make wave LAYER=<name> [PROGRAM=programs/alexnet.prog] [WINDOW=start:count] [UPSTREAM=golden|rtl]
#           [SCOPE=focus|full] [PE=row,col] [BATCH=n] [TIMING=default|eyeriss]
LAYER    ?=
PROGRAM  ?= programs/alexnet.prog
WINDOW   ?=
UPSTREAM ?= golden
SCOPE    ?= focus
PE       ?= 0,0

wave: build ## Trace one layer (LAYER=conv3) to waves/<layer>.fst with a GTKWave save file waves/<layer>.gtkw
	@test -n "$(LAYER)" || { echo "make wave: LAYER=<layer name> is required, e.g. make wave LAYER=conv3"; exit 2; }
	@$(BUILD_DIR)/sw/cli/ocelli wave $(PROGRAM) --layer $(LAYER) --out-dir waves $(if $(WINDOW),--window $(WINDOW)) \
	    --upstream $(UPSTREAM) --scope $(SCOPE) --pe $(PE) $(if $(filter-out 1,$(SEED)),--seed $(SEED)) \
	    $(if $(filter-out 1,$(BATCH)),--batch $(BATCH)) --dram-timing $(TIMING)

clean: ## Remove the build directory
	rm -rf $(BUILD_DIR)
