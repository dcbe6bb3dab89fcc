#!/usr/bin/env bash
# Runs every test: formatting and lints, the wasm build guard, unit and integration
# tests (SQLite, and PostgreSQL when TEST_DATABASE_URL is set), then Playwright
# end-to-end tests in Debian's Chromium against the real server. Exits non-zero on
# any failure.
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
ensure_chromium
ensure_e2e_packages
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  case "$TEST_DATABASE_URL" in
    *127.0.0.1*|*localhost*) ensure_postgres ;;
  esac
  # Databases left by interrupted earlier runs.
  psql "$TEST_DATABASE_URL" -Atc "select datname from pg_database where datname like 'guichet_test_%'" 2>/dev/null |
    while read -r db; do psql "$TEST_DATABASE_URL" -qc "drop database if exists $db" >/dev/null 2>&1 || true; done
fi

say "format"
cargo fmt --all -- --check

say "the app crate builds for the browser and pulls in no server-only crate"
scripts/check-wasm-deps.sh

# `frontend` turns on app's `hydrate` feature: built together with the server on the
# host, both features would be unified into one app. So it is linted for wasm32 only.
say "clippy"
cargo clippy --workspace --exclude frontend --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings


say "unit and integration tests"
cargo test --workspace --exclude frontend

build_bundle
say "building the server for the end-to-end tests"
cargo build -p server

say "end-to-end tests (Playwright, Chromium)"
(cd end2end && npx playwright test)
