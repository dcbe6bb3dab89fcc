#!/usr/bin/env bash
# Prints Guichet's performance figures. Nothing here fails on a number: figures are
# printed, with ratios against a baseline measured in the same run (these machines
# are noisy, so absolute times mean little).
#   BENCH_CLEAN=0   skip the clean builds (they take several minutes)
source "$(dirname "$0")/lib.sh"
ensure_wasm_target
command -v wrk >/dev/null 2>&1 || apt_install wrk

port=3290
out=target/bench
mkdir -p "$out"

if [ "${BENCH_CLEAN:-1}" = 1 ]; then
  say "clean builds (separate target folder)"
  rm -rf target/bench-clean
  s=$(date +%s)
  CARGO_TARGET_DIR=target/bench-clean cargo build -q -p server
  e=$(date +%s); echo "clean build, server (debug):        $((e - s)) s"
  s=$(date +%s)
  CARGO_TARGET_DIR=target/bench-clean cargo build -q -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release
  e=$(date +%s); echo "clean build, browser bundle (wasm): $((e - s)) s"
  rm -rf target/bench-clean
fi

say "incremental rebuild after touching one component"
cargo build -q -p server
build_bundle >/dev/null
touch app/src/components/header.rs
s=$(date +%s.%N); cargo build -q -p server; e=$(date +%s.%N)
echo "server rebuild:  $(echo "$e - $s" | bc) s"
touch app/src/components/header.rs
s=$(date +%s.%N); cargo build -q -p frontend --lib --target wasm32-unknown-unknown --profile wasm-release; e=$(date +%s.%N)
echo "wasm rebuild:    $(echo "$e - $s" | bc) s"

say "release server"
build_bundle >/dev/null
cargo build -q --release -p server
rm -rf "$out/data"
GUICHET_ADDR=127.0.0.1:$port GUICHET_DATA_DIR="$out/data" RUST_LOG=error ./target/release/guichet serve >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

say "first load of the home page (HTML + CSS + JS + wasm)"
curl -s "http://127.0.0.1:$port/" -o "$out/home.html"
manifest=target/site/pkg/manifest.json
files=("$out/home.html")
for key in css boot js wasm; do
  files+=("target/site$(python3 -c "import json,sys;print(json.load(open('$manifest'))['$key'])")")
done
cargo xtask sizes "${files[@]}"

say "server-rendered home page vs a static file of the same size, same server (wrk, 2 threads, 16 connections, 10 s)"
size=$(stat -c %s "$out/home.html")
head -c "$size" /dev/zero | tr '\0' 'x' >target/site/pkg/bench-static.html
run_wrk() {
  wrk -t2 -c16 -d10s --latency "$1" 2>/dev/null | awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /^ +50%/ {p50=$2} END {print rps, p50, p99}'
}
read -r rps_static p50_static p99_static < <(run_wrk "http://127.0.0.1:$port/pkg/bench-static.html")
read -r rps_home p50_home p99_home < <(run_wrk "http://127.0.0.1:$port/")
rm -f target/site/pkg/bench-static.html
printf '%-28s %12s %10s %10s\n' "" "requests/s" "p50" "p99"
printf '%-28s %12s %10s %10s\n' "static file ($size bytes)" "$rps_static" "$p50_static" "$p99_static"
printf '%-28s %12s %10s %10s\n' "home page (SSR)" "$rps_home" "$p50_home" "$p99_home"
echo "throughput ratio SSR/static: $(python3 -c "print(round($rps_home/$rps_static, 3))")"
