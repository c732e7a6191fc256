#!/usr/bin/env bash
# Runs every test in the solution (unit and functional; functional tests start real
# Kestrel servers on loopback with free ports). Installs what the tests need when missing.
# Ends with one summary line: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK (dotnet) is required" >&2
  exit 1
fi

# The etcd registry tests start a real etcd (Debian's etcd-server) on loopback.
if ! command -v etcd >/dev/null 2>&1 && [ ! -x /usr/bin/etcd ]; then
  echo "test.sh: installing etcd-server (needed by the etcd registry tests)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq etcd-server >/dev/null
  # Debian starts the packaged service; the tests run their own etcd on free ports.
  ($SUDO systemctl stop etcd 2>/dev/null || $SUDO service etcd stop 2>/dev/null || true) >/dev/null
fi

# The xDS interop tests run two xDS clients we did not write: Python grpcio (Debian's python3-grpcio, gRPC C-core)
# and grpc-js with @grpc/grpc-js-xds (npm, versions pinned by tests/interop/xds/package-lock.json).
if ! /usr/bin/python3 -c 'import grpc' >/dev/null 2>&1; then
  echo "test.sh: installing python3-grpcio (needed by the xDS interop tests)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-grpcio >/dev/null
fi
if ! command -v node >/dev/null 2>&1; then
  echo "test.sh: installing nodejs and npm (needed by the xDS interop tests)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
if [ ! -d tests/interop/xds/node_modules/@grpc/grpc-js-xds ]; then
  echo "test.sh: installing @grpc/grpc-js-xds (needed by the xDS interop tests)"
  npm ci --silent --no-audit --no-fund --prefix tests/interop/xds >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

status=0
dotnet test Proxyless.slnx 2>&1 | tee "$log" || status=$?

# dotnet test prints one "Passed!/Failed! - Failed: F, Passed: P, Skipped: S" line per test project.
awk '/(Passed|Failed)! +- +Failed:/ {
       gsub(",", ""); for (i = 1; i <= NF; i++) {
         if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
