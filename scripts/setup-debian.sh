#!/usr/bin/env bash
# Installs the Debian packages hpo builds and tests with, if any is missing. Idempotent: when
# everything is present it changes nothing and touches no network. Run as root (or with sudo).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  # C++ libraries
  libeigen3-dev libtbb-dev libsqlite3-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev
  liblbfgspp-dev libssl-dev libpq-dev libpqxx-dev pybind11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # Python: bindings, tests, the reference implementation (Optuna 3.1) and the examples
  python3 python3-dev python3-pytest python3-numpy python3-optuna python3-sklearn python3-psycopg2
  python3-pandas python3-tqdm python3-nbclient python3-ipykernel python3-venv python3-plotly
  # test tools: the sqlite3 shell, a PostgreSQL server, ip netns for the simulated hosts,
  # a headless browser that renders the study report, chattr and mount for the read-only
  # database tests (present on most systems, but slim images may lack them)
  sqlite3 postgresql iproute2 chromium fonts-dejavu-core e2fsprogs mount
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
