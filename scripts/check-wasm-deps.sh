#!/usr/bin/env bash
# The browser bundle must stay lean and free of server code: `app` with `hydrate`
# must build for wasm32 and must not depend on any of these crates.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo check -q -p app --target wasm32-unknown-unknown --features hydrate
forbidden='^(sea-orm|sea-query|sqlx|tokio|mio|axum|hyper|tantivy|lettre|object_store|argon2|tower-http|regex|leptos_axum)$'
# leptos_config (Leptos's own config loader, never called in the browser) brings
# regex; it is pruned so that the guard judges what we choose.
found=$(cargo tree -p app --target wasm32-unknown-unknown --features hydrate -e normal --prune leptos_config --prefix none --format '{p}' |
  awk '{print $1}' | sort -u | grep -E "$forbidden" || true)
if [ -n "$found" ]; then
  echo "server-only or heavy crates in the browser build of app:" >&2
  echo "$found" >&2
  exit 1
fi
echo "app (hydrate, wasm32): ok, none of the server-only crates"

# The bottom crate depends on serde, thiserror and uuid only (async-trait, for the
# port traits, only with its `ports` feature, which the server turns on): no web
# framework, database, runtime or search engine can reach the domain rules.
cargo check -q -p domain --target wasm32-unknown-unknown
direct=$(cargo tree -p domain -e normal --depth 1 --prefix none --format '{p}' | awk 'NR > 1 {print $1}' | sort -u | tr '\n' ' ')
if [ "$direct" != "serde thiserror uuid " ]; then
  echo "domain depends on more than serde, thiserror and uuid: $direct" >&2
  exit 1
fi
echo "domain: ok, serde, thiserror and uuid only"
