#!/usr/bin/env bash
# sim_speed.sh: a machine-independent figure of the RTL simulation's speed (`make bench` runs it first).
#
# Usage: bench/sim_speed.sh [BUILD_DIR] [extra `ocelli run` arguments...]
#   BUILD_DIR          the CMake build to measure (default: build); its sw/cli/ocelli is run
#   BENCH_RUN_ARGS     extra `ocelli run` arguments for every run, e.g. BENCH_RUN_ARGS=--checked (default: none);
#                      arguments after BUILD_DIR are appended to them
#   BENCH_CALLGRIND=0  skip the callgrind runs (a quick look at wall time and cycles/s only)
#   BENCH_REPEAT=N     native runs per program, the fastest is shown (default 3)
#   BENCH_CONV5=1      also time programs/alexnet_conv5.prog natively, once (1.1 M cycles, ~10 s with the fast
#                      model; no callgrind)
#
# For a conv, an FC and a pool program (programs/small_conv.prog, small_fc_blocks.prog, small_pool.prog) it
#   1. runs `ocelli run <program> --report <tmp>.json` natively, BENCH_REPEAT times: wall time of the whole process,
#      and from the report the simulated cycles, the hardware configuration and the simulation's own wall time
#      (`wall_seconds`), of the fastest run;
#   2. runs the same command under `valgrind --tool=callgrind` (at nice 10): host instructions executed (Ir) by the
#      whole process, and inclusively inside ocelli::sim::TopSim::run, the loop that clocks the verilated top;
#   3. prints one table.
#
# How to read it:
#   - Ir/cycle (k) = Ir inside TopSim::run / simulated cycles, in thousands: host instructions per simulated clock
#     cycle. It is a count, not a time: the same binary on the same program gives the same number on every run,
#     under any load (the run is single-threaded and nothing in TopSim::run depends on the clock; the simulated
#     cycles are checked equal with and without callgrind), and on any machine with the same libraries and CPU
#     features (glibc picks e.g. its memcpy by CPU). So a change of a few tenths of a percent is real, where wall
#     times on a shared 2-core machine vary by 10-50%. Fewer is faster. It cannot see cache and branch misses
#     (the model is instruction-fetch bound: a change that shrinks code or data may gain more time than its Ir
#     says); confirm a large change with cycles/s over several runs.
#   - Ir/cyc all (k) = Ir of the whole process / simulated cycles: the same with setup included (the figure the
#     simulation-speed issue set its target on).
#   - Ir total (M) is the whole process (golden reference, DRAM image, checks, printing); the difference to
#     Ir sim is setup, which the simulation speed does not include. Ir total is normally identical between runs too,
#     but it includes printing wall times, so it may move by a few instructions; Ir sim cannot.
#   - wall s is the whole `ocelli run` process; sim s is the report's wall_seconds (simulation and per-layer checks,
#     no golden or setup); cycles/s = cycles / sim s, the figure `ocelli run` prints and docs/architecture.md quotes.
#     Both are noisy: compare Ir/cycle between commits; cycles/s says how long a run takes here and now.
#   - A different hardware configuration, program or BENCH_RUN_ARGS changes the simulated cycles and the work per
#     cycle: compare rows only with the same `config` and `run args` header lines.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_arg=${1:-build}
if [ $# -gt 0 ]; then shift; fi
read -r -a run_args <<<"${BENCH_RUN_ARGS:-}"
run_args+=("$@")
callgrind=${BENCH_CALLGRIND:-1}
for a in "${run_args[@]}"; do
  case $a in
    --jobs | --jobs=*)
      # Child processes: callgrind would count only the parent, and the wall times would mean something else.
      echo "sim_speed: --jobs is not allowed here: it splits the run over child processes" >&2
      exit 2
      ;;
  esac
done
repeat=${BENCH_REPEAT:-3}

cd "$root"
build=$(cd "$build_arg" 2>/dev/null && pwd) || { echo "sim_speed: no build directory '$build_arg'" >&2; exit 2; }
ocelli=$build/sw/cli/ocelli
if [ ! -x "$ocelli" ]; then
  echo "sim_speed: $ocelli not found: build first (make build BUILD_DIR=...)" >&2
  exit 2
fi
for tool in jq valgrind callgrind_annotate; do
  if ! command -v "$tool" >/dev/null; then
    echo "sim_speed: '$tool' is missing: run 'make deps' (scripts/install-deps.sh)" >&2
    exit 2
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocelli-sim-speed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The commit of the sources the build was made from (its CMake source directory, which may be another worktree).
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt" 2>/dev/null || true)
src=${src:-$root}
commit=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ "$commit" != unknown ] && [ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit="$commit + uncommitted changes"
fi

# name | program
programs=(
  "conv|programs/small_conv.prog"
  "fc|programs/small_fc_blocks.prog"
  "pool|programs/small_pool.prog"
)

# Runs `ocelli run` on $2 (+ run_args) with report $3, output to $4; on failure prints the log's tail and exits.
run_ocelli() {
  local prefix=$1 prog=$2 report=$3 log=$4
  # shellcheck disable=SC2086  # $prefix is a command prefix (empty or `nice valgrind ...`)
  if ! $prefix "$ocelli" run "$prog" --report "$report" "${run_args[@]}" >"$log" 2>&1; then
    echo "sim_speed: '$ocelli run $prog ${run_args[*]}' failed${prefix:+ under ${prefix%% --*}}:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
  if [ "$(jq -r .passed "$report")" != true ]; then
    echo "sim_speed: $prog did not pass: $(jq -r .failure "$report")" >&2
    exit 1
  fi
}

now() { date +%s.%N; }

# Native runs of program $2 as row $1, the fastest of $repeat (by the report's wall_seconds): sets wall, sim_s,
# cps, cycles, kinds, config.
native() {
  local name=$1 prog=$2 i start end w s best=
  for ((i = 0; i < repeat; i++)); do
    start=$(now)
    run_ocelli "" "$prog" "$tmp/$name.json" "$tmp/$name.log"
    end=$(now)
    w=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    s=$(jq -r .wall_seconds "$tmp/$name.json")
    if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then
      best=$s wall=$w
    fi
  done
  sim_s=$(awk -v s="$best" 'BEGIN { printf "%.3f", s }')
  cycles=$(jq -r .total.cycles "$tmp/$name.json")
  cps=$(awk -v c="$cycles" -v s="$best" 'BEGIN { printf "%.0f", (s > 0) ? c / s : 0 }')
  kinds=$(jq -r '[.layers[].kind] | unique | join(",")' "$tmp/$name.json")
  config=$(jq -r '"\(.hw_config), model \(.model // "-"), DRAM \(.dram), timing \(.timing)"' "$tmp/$name.json")
}

header() {
  echo "sim_speed: commit $commit (sources $src), build $build"
  echo "sim_speed: binary sha256 $(sha256sum "$ocelli" | cut -c1-16) ($(date -r "$ocelli" '+%F %T'))," \
    "run args: ${run_args[*]:-(none)}, $(valgrind --version)"
}

header
row() { printf '%-5s %-22s %-12s %10s %7s %7s %10s %10s %10s %10s %11s\n' "$@"; }
rows=()
configs=()
for entry in "${programs[@]}"; do
  name=${entry%%|*}
  prog=${entry#*|}
  echo "sim_speed: $name: $prog natively..." >&2
  native "$name" "$prog"
  configs+=("$name"$'\t'"$config")
  ir_total=- ir_sim=- ir_cycle=- ir_cycle_all=-
  if [ "$callgrind" != 0 ]; then
    echo "sim_speed: $name: $prog under callgrind (~50x slower)..." >&2
    out=$tmp/$name.callgrind
    run_ocelli "nice -n 10 valgrind --tool=callgrind --callgrind-out-file=$out" "$prog" "$tmp/$name.cg.json" \
      "$tmp/$name.cg.log"
    cg_cycles=$(jq -r .total.cycles "$tmp/$name.cg.json")
    if [ "$cg_cycles" != "$cycles" ]; then
      echo "sim_speed: $prog: $cg_cycles simulated cycles under callgrind, $cycles natively: not deterministic" >&2
      exit 1
    fi
    total=$(awk '$1 == "totals:" { t = $2 } $1 == "summary:" { s = $2 } END { print (t != "" ? t : s) }' "$out")
    # Inclusive Ir of TopSim::run (the function and everything it calls), commas removed. awk reads to the end:
    # an early exit would kill callgrind_annotate with SIGPIPE and, under pipefail, this script.
    sim=$(callgrind_annotate --inclusive=yes --threshold=100 "$out" 2>/dev/null |
      awk '/ocelli::sim::TopSim::run\(/ && !done { gsub(",", "", $1); print $1; done = 1 }')
    if [ -z "$total" ] || [ -z "$sim" ]; then
      echo "sim_speed: $out: no totals line or no ocelli::sim::TopSim::run (stripped binary?)" >&2
      exit 1
    fi
    ir_total=$(awk -v v="$total" 'BEGIN { printf "%.1f", v / 1e6 }')
    ir_sim=$(awk -v v="$sim" 'BEGIN { printf "%.1f", v / 1e6 }')
    ir_cycle=$(awk -v v="$sim" -v c="$cycles" 'BEGIN { printf "%.3f", v / c / 1e3 }')
    ir_cycle_all=$(awk -v v="$total" -v c="$cycles" 'BEGIN { printf "%.3f", v / c / 1e3 }')
  fi
  rows+=("$(row "$name" "$(basename "$prog")" "$kinds" "$cycles" "$wall" "$sim_s" "$cps" "$ir_total" \
    "$ir_sim" "$ir_cycle" "$ir_cycle_all")")
done

if [ "${BENCH_CONV5:-0}" = 1 ]; then
  echo "sim_speed: conv5: programs/alexnet_conv5.prog natively, once..." >&2
  repeat=1
  native conv5 programs/alexnet_conv5.prog
  configs+=("conv5"$'\t'"$config")
  rows+=("$(row conv5 alexnet_conv5.prog "$kinds" "$cycles" "$wall" "$sim_s" "$cps" - - - -)")
fi

echo
# One line per distinct configuration, naming its rows (normally one line for all).
printf '%s\n' "${configs[@]}" |
  awk -F'\t' '!($2 in c) { order[n++] = $2 } { c[$2] = c[$2] (c[$2] != "" ? ", " : "") $1 }
    END { for (i = 0; i < n; i++) print "config (" c[order[i]] "): " order[i] }'
row program file kinds cycles "wall s" "sim s" cycles/s "Ir total M" "Ir sim M" "Ir/cycle k" "Ir/cyc all k"
printf '%s\n' "${rows[@]}"
