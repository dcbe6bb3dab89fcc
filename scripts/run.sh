#!/usr/bin/env bash
# Builds and starts Guichet on SQLite with the demo data, on http://127.0.0.1:3000.
source "$(dirname "$0")/lib.sh"
build_bundle
say "building the server (release)"
cargo build --release -p server
mkdir -p "${GUICHET_DATA_DIR:-./data}"
say "starting"
exec ./target/release/guichet serve
