#!/usr/bin/env bash
# Runs every test: installs what the tests need (idempotently), builds the solution, publishes
# crio NativeAOT, runs the unit suites and the end-to-end suite against that published binary,
# and ends with one line "tests: N passed, N failed, N skipped".
# Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ensure_dotnet
ensure_node
# The storage suite checks our store against podman's and skopeo's (containers/storage), builds
# its test images from busybox-static, and holds POSIX locks from python3 in a second process.
# Pod tests run Debian's CNI plugins (bridge, host-local, portmap: iptables) in network
# namespaces made with iproute2 and entered with nsenter (util-linux). Container tests run
# Debian's runc and crun under Debian's conmon.
ensure_packages podman skopeo busybox-static python3 tar gzip docker-registry apache2-utils openssl \
  containernetworking-plugins iptables iproute2 util-linux runc crun conmon

# The e2e suite's Go SPDY client: Debian's kubernetes-client (kubectl 1.20, client-go inside),
# unpacked where the tests look for it rather than installed over a kubectl the machine has.
unpack_debian_package kubernetes-client "$REPO_ROOT/out/debian/kubernetes-client"

log "installing the e2e suite's npm clients"
npm ci --prefix "$REPO_ROOT/tests/e2e/node" --no-audit --no-fund --loglevel=error >/dev/null

log "building (Release)"
dotnet build "$REPO_ROOT/CriO.sln" -c Release -v quiet -nologo

# The e2e suite drives the binary users run: crio published NativeAOT, as run.sh does.
log "publishing crio (NativeAOT) for the e2e suite"
publish_crio "$REPO_ROOT/out"
export CRIO_BINARY="$REPO_ROOT/out/crio"
export CRIO_CONMON_BINARY="$REPO_ROOT/out/crio-conmon"

log "testing"
output="$(mktemp)"
# Each test removes its own pods, bridges and host-port rules; what is shared by every run of
# the CNI plugins (ip_forward, which the bridge plugin turns on, and portmap's empty base
# chains) is put back once all have finished.
ip_forward="$(cat /proc/sys/net/ipv4/ip_forward)"
trap 'rm -f "$output"; restore_host_network "$ip_forward"' EXIT
status=0
# A test stuck for 10 minutes is killed (and named) instead of holding CI until its own timeout.
dotnet test "$REPO_ROOT/CriO.sln" -c Release --no-build -nologo \
  --blame-hang --blame-hang-timeout 10m --blame-hang-dump-type none 2>&1 | tee "$output" || status=$?

# dotnet test prints one summary per test assembly; add them up into the closing line.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { v = $(i + 1); gsub(",", "", v)
         if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$output"
grep -qE '(Passed|Failed)! +- +Failed:' "$output" || { echo "error: no test ran" >&2; exit 1; }
exit "$status"
