#!/usr/bin/env bash
# Builds and starts Guichet on SQLite with the demo data, on http://127.0.0.1:3000.
source "$(dirname "$0")/lib.sh"
build_bundle
# The dev profile (dependencies optimised, see Cargo.toml) builds in about half the
# time of a release build and serves the demo comfortably; `make bench` measures
# the release build.
say "building the server"
cargo build -p server
mkdir -p "${GUICHET_DATA_DIR:-./data}"
say "starting"
# Demo data is asked for here: the binary loads none by default.
export GUICHET_DEMO="${GUICHET_DEMO:-true}"
exec ./target/debug/guichet serve
