#!/usr/bin/env bash
# Installs every Debian package ocelli needs. Idempotent: exits at once when all are present.
# Works as root, through sudo otherwise; says what to do when neither is possible.
set -euo pipefail

# Each package and why it is here (keep README.md's dependency table in step).
PACKAGES=(
  build-essential      # g++ and make
  cmake                # build system
  ninja-build          # fast parallel generator
  ccache               # rebuilds of unchanged verilated C++ cost nothing
  verilator            # RTL -> C++ model (Debian 12: 5.006)
  libgtest-dev         # GoogleTest, discovered by CTest
  libgmock-dev         # GoogleMock (ships with GoogleTest's CMake package)
  libfmt-dev           # formatted output
  zlib1g-dev           # tensor files and FST traces
  libboost-dev         # Boost.Asio (header-only) for the remote DRAM server
  libboost-system-dev  # Boost.System, used by Asio's error codes
  libcli11-dev         # command-line parsing of the ocelli tools
  nlohmann-json3-dev   # JSON reports
  libonnx-dev          # ONNX protobuf classes to read node tests
  libonnx-testdata     # ONNX backend node tests (golden cross-check)
  libprotobuf-dev      # protobuf runtime behind libonnx
  gtkwave              # fst2vcd and the waveform viewer
  gnuplot-nox          # PNG charts of the AlexNet report
  valgrind             # callgrind: host instructions per simulated cycle in `make bench` (bench/sim_speed.sh)
  jq                   # reads the run reports' JSON in bench/sim_speed.sh
  dataset-fashion-mnist  # Fashion-MNIST images for `make fashion` (the trained CNN in models/fashion)
  python3              # scripts/gen_isa.py: the ISA package, C++ header and doc tables from rtl/isa/isa.json
)

# Only to retrain models/fashion (scripts/train_fashion.py), not installed here: python3-torch, python3-onnx.

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "install-deps: need root to install: ${missing[*]}" >&2
  echo "install-deps: run 'sudo scripts/install-deps.sh' once, or ask your administrator to install them." >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# The package lists on a fresh machine may be empty or stale: refresh them once per install.
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
