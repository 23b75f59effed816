#!/usr/bin/env bash
# Runs every test: installs what the tests need (idempotently), builds the solution, runs the
# unit and end-to-end suites, and ends with one line "tests: N passed, N failed, N skipped".
# Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
ensure_dotnet
ensure_node

log "installing the e2e suite's npm clients"
npm ci --prefix "$REPO_ROOT/tests/e2e/node" --no-audit --no-fund --loglevel=error >/dev/null

log "building (Release)"
dotnet build "$REPO_ROOT/CriO.sln" -c Release -v quiet -nologo

log "testing"
output="$(mktemp)"
trap 'rm -f "$output"' EXIT
status=0
dotnet test "$REPO_ROOT/CriO.sln" -c Release --no-build -nologo 2>&1 | tee "$output" || status=$?

# dotnet test prints one summary per test assembly; add them up into the closing line.
awk '/(Passed|Failed)! +- +Failed:/ {
       for (i = 1; i <= NF; i++) { v = $(i + 1); gsub(",", "", v)
         if ($i == "Failed:") f += v; if ($i == "Passed:") p += v; if ($i == "Skipped:") s += v } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$output"
grep -qE '(Passed|Failed)! +- +Failed:' "$output" || { echo "error: no test ran" >&2; exit 1; }
exit "$status"
