#!/usr/bin/env bash
# Runs a LiveChat node on the embedded default (memory storage, one node) at http://localhost:5080, with the web
# pages. Installs Node.js and npm first when they are missing (the pages are built with npm during the build).
# Arguments are passed to the server, for example: ./run.sh --urls http://0.0.0.0:8080
set -euo pipefail
cd "$(dirname "$0")"
source scripts/install-missing.sh
missing=()
need_node missing
install_missing "building the web pages" "${missing[@]}"
exec dotnet run --project src/LiveChat.Server -- "$@"
