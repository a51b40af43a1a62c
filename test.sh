#!/usr/bin/env bash
# Runs the whole test suite. Installs what the build and the tests need when it is missing (Node.js and npm for the
# web pages, redis-server, nginx for the cluster's front proxy, Debian's chromium for the browser tests, PostgreSQL for the
# history's tests, with apt), then prints one summary line:
# "N passed, N failed, N skipped". Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

source scripts/install-missing.sh
missing=()
need_node missing
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -n "${CHROMIUM_PATH:-}" ] || [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || missing+=(chromium)
# Debian keeps PostgreSQL's server programs off the PATH, in /usr/lib/postgresql/<version>/bin.
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || command -v postgres >/dev/null 2>&1 || missing+=(postgresql)
install_missing "the build and the tests" "${missing[@]}"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# The whole solution first: the load suite's smoke tests run the suite as built, and no test project references it.
{ dotnet build LiveChat.sln && dotnet test LiveChat.sln --no-build --blame-hang-timeout 5m; } 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test ends each test assembly with "Passed!  - Failed: 0, Passed: 26, Skipped: 0, Total: 26, ..."
total() { grep -E '^\s*(Passed|Failed)!' "$log" | grep -oE "$1: +[0-9]+" | awk '{ s += $2 } END { print s + 0 }'; }
passed=$(total Passed)
failed=$(total Failed)
skipped=$(total Skipped)
echo
echo "$passed passed, $failed failed, $skipped skipped"

if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
