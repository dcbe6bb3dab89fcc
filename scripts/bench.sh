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
cargo build -q --release -p server --bin guichet --example bench
server=
start_server() { # DATABASE_URL
  stop_server
  GUICHET_DEMO=true GUICHET_ADDR=127.0.0.1:$port GUICHET_DATA_DIR="$out/data" DATABASE_URL="$1" RUST_LOG=error \
    GUICHET_SIGNIN_MAX_FAILURES_PER_IP=1000000000 GUICHET_SIGNIN_MAX_FAILURES=1000000000 \
    ./target/release/guichet serve >"$out/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.2; done
  echo "server did not start" >&2; cat "$out/server.log" >&2; exit 1
}
stop_server() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi; }
trap stop_server EXIT
sign_in() { # prints the session cookie of the demo customer
  curl -s -o /dev/null -c - -X POST "http://127.0.0.1:$port/api/sign_in" \
    -d 'family=esignature&email=claire.martin%40example.com&password=guichet-demo' | awk '$6 == "guichet_session" {print $6 "=" $7}'
}
rm -rf "$out/data"; mkdir -p "$out/data"
start_server "sqlite://$out/data/home.db?mode=rwc"

manifest=target/site/pkg/manifest.json
first_load() { # page.html: the page, then what the browser fetches for it (the JS and
  # wasm only when the page has an island to hydrate: boot.js skips them otherwise)
  local keys=(css boot)
  grep -q '<leptos-island' "$1" && keys+=(js wasm)
  files=("$1")
  for key in "${keys[@]}"; do
    files+=("target/site$(python3 -c "import json;print(json.load(open('$manifest'))['$key'])")")
  done
  cargo xtask sizes "${files[@]}"
}

say "first load of the home page (HTML + CSS + boot script; no island, so no wasm)"
curl -s "http://127.0.0.1:$port/" -o "$out/home.html"
first_load "$out/home.html"

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

say "password hashing off the runtime: /api/ping p99 while 16 clients sign in with wrong passwords, vs ping alone (wrk, 4 connections, 10 s each)"
ping_p99() {
  wrk -t1 -c4 -d10s --latency "http://127.0.0.1:$port/api/ping" 2>/dev/null | awk '/^ +99%/ {print $2}'
}
to_us() { # wrk's 850.00us / 1.20ms / 1.01s
  python3 -c "import re,sys; m=re.match(r'([0-9.]+)(us|ms|s)$', sys.argv[1]); print(float(m[1]) * {'us': 1, 'ms': 1e3, 's': 1e6}[m[2]])" "$1"
}
idle=$(ping_p99)
wrk -t1 -c16 -d13s -s scripts/bench-signin.lua "http://127.0.0.1:$port/api/sign_in" >"$out/signin.txt" 2>/dev/null &
hashing=$!
sleep 1
loaded=$(ping_p99)
wait "$hashing"
printf 'ping p99 alone: %s   during %s wrong sign-ins/s: %s   ratio %s (target: at most 3)\n' \
  "$idle" "$(awk '/Requests\/sec/ {print $2}' "$out/signin.txt")" "$loaded" \
  "$(python3 -c "print(round($(to_us "$loaded") / $(to_us "$idle"), 2))")"

say "first load of the new-ticket page (HTML + CSS + JS + wasm), signed in"
cookie=$(sign_in)
curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/tickets/new" -o "$out/new-ticket.html"
grep -q '<leptos-island' "$out/new-ticket.html" || { echo "the new-ticket page has no island" >&2; exit 1; }
first_load "$out/new-ticket.html"

bench_creation() { # label DATABASE_URL
  start_server "$2"
  cookie=$(sign_in)
  local http raw
  http=$(BENCH_COOKIE="$cookie" wrk -t2 -c16 -d10s -s scripts/bench-create.lua "http://127.0.0.1:$port/tickets/new" 2>/dev/null | awk '/Requests\/sec/ {print $2}')
  stop_server
  raw=$(./target/release/examples/bench raw-inserts "$2" 2000 16)
  printf '%-10s HTTP endpoint %10s tickets/s   raw SeaORM inserts %10s tickets/s   ratio %s\n' "$1" "$http" "$raw" \
    "$(python3 -c "print(round($http/$raw, 3))")"
}
say "ticket creation throughput: POST /tickets/new (wrk, 16 connections, 10 s) vs the same rows inserted through SeaORM (16 tasks)"
rm -f "$out/data/create.db"*
bench_creation sqlite "sqlite://$out/data/create.db?mode=rwc"
pg="${BENCH_DATABASE_URL:-${TEST_DATABASE_URL:-}}"
if [ -n "$pg" ]; then
  psql "$pg" -qc "drop database if exists guichet_bench" && psql "$pg" -qc "create database guichet_bench"
  bench_creation postgres "${pg%/*}/guichet_bench"
else
  echo "postgres   (set BENCH_DATABASE_URL or TEST_DATABASE_URL to measure it)"
fi

say "queue page (server-rendered) with 100,000 tickets, 5,000 of them the user's (wrk, 16 connections, 10 s)"
rm -f "$out/data/queue.db"*
cursor=$(./target/release/examples/bench seed-queue "sqlite://$out/data/queue.db?mode=rwc" 100000 5000)
start_server "sqlite://$out/data/queue.db?mode=rwc"
cookie=$(sign_in)
queue_wrk() { # connections url
  wrk -t2 -c"$1" -d10s --latency -H "Cookie: $cookie" "$2" 2>/dev/null |
    awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /^ +50%/ {p50=$2} END {print rps, p50, p99}'
}
printf '%-26s %12s %10s %10s\n' "" "requests/s" "p50" "p99"
# 16 connections on 2 cores shared with wrk measure throughput (latency is then
# queueing: connections / throughput); 2 connections measure the page's own latency.
for c in 16 2; do
  for page in 1 200; do
    url="http://127.0.0.1:$port/tickets"
    [ "$page" = 200 ] && url="$url?before=$cursor"
    read -r rps p50 p99 < <(queue_wrk "$c" "$url")
    printf '%-26s %12s %10s %10s\n' "page $page, $c connections" "$rps" "$p50" "$p99"
  done
done
stop_server

say "suggestions: GET /api/help/suggest with 10,000 articles vs GET /api/ping, same server (wrk, 16 connections; 7 rounds of 5 s each, in turn)"
rm -f "$out/data/help.db"*
articles=$(./target/release/examples/bench seed-articles "sqlite://$out/data/help.db?mode=rwc" 10000)
echo "articles in the database: $articles"
# The relevance set's subject lines, as the browser sends them (both languages).
python3 - "$out/suggest-paths.txt" <<'PY'
import sys, tomllib, glob, urllib.parse
paths = []
for locale in ("fr", "en"):
    for f in sorted(glob.glob(f"content/relevance/{locale}/*.toml")):
        for case in tomllib.load(open(f, "rb")).get("case", []):
            q = urllib.parse.quote(case["query"])
            paths.append(f"/api/help/suggest?locale={locale}&family=esignature&q={q}")
open(sys.argv[1], "w").write("\n".join(paths) + "\n")
PY
start_server "sqlite://$out/data/help.db?mode=rwc"
# Prints requests/s, p50, p99, and where the CPU went, in µs a request: the
# server's user and system time (from /proc) and wrk's own (user + system). wrk
# shares the server's two cores, so the throughput ratio is about the ratio of these
# totals, and a machine whose system calls and wake-ups cost more moves it: the
# split says which part did.
json_wrk() { # seconds url [script]; $wrap runs wrk under another command
  local ticks before after
  ticks=$(getconf CLK_TCK)
  before=$(awk '{print $14, $15}' "/proc/$server/stat")
  { TIMEFORMAT='%U %S'; time BENCH_PATHS="$out/suggest-paths.txt" $wrap wrk -t2 -c16 -d"$1"s --latency ${3:+-s "$3"} "$2" \
    >"$out/wrk.txt" 2>/dev/null; } 2>"$out/wrk-time.txt"
  after=$(awk '{print $14, $15}' "/proc/$server/stat")
  awk -v ticks="$ticks" -v before="$before" -v after="$after" -v wrk="$(cat "$out/wrk-time.txt")" '
    /requests in/ {n=$1} /Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /^ +50%/ {p50=$2}
    END {split(before, b); split(after, a); split(wrk, w); us = 1e6 / (n > 0 ? n : 1)
      printf "%s %s %s %.1f %.1f %.1f\n", rps, p50, p99, (a[1] - b[1]) / ticks * us, (a[2] - b[2]) / ticks * us, (w[1] + w[2]) * us}' "$out/wrk.txt"
}
# The machine's speed drifts by more than the differences measured here, so the
# workloads take turns, round after round, and each round's ratios are taken
# between neighbours; the median round is the figure. The first seconds of a fresh
# server (thread-local buffers, page faults) are not counted.
#
# wrk shares the server's two cores. Each answer the server writes wakes a wrk
# thread, which the scheduler lets preempt the server there and then (perf: a
# quarter of the server's CPU samples were in those wake-ups and switches). The
# last two workloads of a round are ping and new queries again with wrk run as
# SCHED_BATCH (`chrt -b 0`), which the kernel does not let preempt on waking: the
# same server, less of the load generator in its time.
wrap=
batch="chrt -b 0"
command -v chrt >/dev/null 2>&1 || batch=
BENCH_UNIQUE=1 json_wrk 3 "http://127.0.0.1:$port/" scripts/bench-suggest.lua >/dev/null
rounds="$out/suggest-rounds.txt"
: >"$rounds"
for round in 1 2 3 4 5 6 7; do
  {
    echo -n "$round "
    echo -n "$(json_wrk 5 "http://127.0.0.1:$port/api/ping") "
    echo -n "$(json_wrk 5 "http://127.0.0.1:$port/" scripts/bench-suggest.lua) "
    echo -n "$(BENCH_UNIQUE=1 json_wrk 5 "http://127.0.0.1:$port/" scripts/bench-suggest.lua) "
    echo -n "$(wrap=$batch json_wrk 5 "http://127.0.0.1:$port/api/ping") "
    wrap=$batch BENCH_UNIQUE=1 json_wrk 5 "http://127.0.0.1:$port/" scripts/bench-suggest.lua
  } >>"$rounds"
done
python3 - "$rounds" "$(wc -l <"$out/suggest-paths.txt")" <<'PY'
import sys, statistics
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
subjects = sys.argv[2]
names = ["/api/ping (trivial JSON)", f"/api/help/suggest, {subjects} subjects in turn",
         "/api/help/suggest, every query new (no cache)",
         "/api/ping, wrk as SCHED_BATCH", "/api/help/suggest, every query new, wrk as SCHED_BATCH"]
short = ["ping", "suggest, subjects in turn", "suggest, every query new", "ping, wrk batch", "every query new, wrk batch"]
W = 6  # figures per workload: rps p50 p99 server-user server-sys wrk
K = len(names)
print(f"{'round':<8}" + "".join(f"{n[:34]:>36}" for n in short))
for r in rows:
    cells = [f"{float(r[1 + W*k]):>10.0f}/s p50 {r[2 + W*k]:>8} p99 {r[3 + W*k]:>7}" for k in range(K)]
    print(f"{r[0]:<8}" + "".join(f"{c:>36}" for c in cells))
print("CPU per request, median round (µs): server user + server system + wrk = total")
for k, n in enumerate(names):
    parts = [statistics.median(float(r[4 + W*k + j]) for r in rows) for j in range(3)]
    print(f"  {n:<58} {parts[0]:6.1f} + {parts[1]:6.1f} + {parts[2]:6.1f} = {sum(parts):6.1f}")
rps = lambda r, k: float(r[1 + W*k])
cached = [rps(r, 1) / rps(r, 0) for r in rows]
cold = [rps(r, 2) / rps(r, 0) for r in rows]
batch = [rps(r, 4) / rps(r, 3) for r in rows]
print("throughput ratio suggest/ping, per round: subjects in turn "
      + ", ".join(f"{x:.3f}" for x in cached) + "; every query new " + ", ".join(f"{x:.3f}" for x in cold)
      + "; every query new, wrk as SCHED_BATCH " + ", ".join(f"{x:.3f}" for x in batch))
print(f"throughput ratio suggest/ping, median round: {statistics.median(cached):.3f} (subjects in turn), "
      f"{statistics.median(cold):.3f} (every query new), "
      f"{statistics.median(batch):.3f} (every query new, wrk as SCHED_BATCH, against ping likewise)")
PY
# As a browser asks: with Accept-Encoding (the answer is sent uncompressed anyway).
read -r rps_br p50_br p99_br < <(BENCH_UNIQUE=1 BENCH_PATHS="$out/suggest-paths.txt" wrk -t2 -c16 -d5s --latency \
  -H "Accept-Encoding: gzip, deflate, br, zstd" -s scripts/bench-suggest.lua "http://127.0.0.1:$port/" 2>/dev/null |
  awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /^ +50%/ {p50=$2} END {print rps, p50, p99}')
printf '%-52s %12s %10s %10s\n' "/api/help/suggest, every query new, Accept-Encoding" "$rps_br" "$p50_br" "$p99_br"
# One connection: the endpoint's own latency, without queueing behind 15 others.
read -r rps1 p50_1 p99_1 < <(BENCH_UNIQUE=1 BENCH_PATHS="$out/suggest-paths.txt" wrk -t1 -c1 -d10s --latency -s scripts/bench-suggest.lua "http://127.0.0.1:$port/" 2>/dev/null |
  awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p99=$2} /^ +50%/ {p50=$2} END {print rps, p50, p99}')
printf '%-52s %12s %10s %10s\n' "/api/help/suggest, every query new, 1 connection" "$rps1" "$p50_1" "$p99_1"

say "in the browser: last keystroke to rendered suggestions (Chromium, performance marks; 150 ms of it is the debounce)"
(cd end2end && BENCH_URL="http://127.0.0.1:$port" node bench/suggest-latency.mjs)
stop_server

say "suggestions, counted: instructions per request (valgrind callgrind; the same count on any load, unlike the rounds above)"
# Throughput on these shared machines swings by a third between rounds; an
# instruction count does not. The same server and database run under callgrind, a
# client sends 1,000 requests one after the other on one connection, and the
# server's instructions (all its threads) are divided by them. Kernel and wrk time
# are not in it: it is the server's own share of the ratio above. glibc's
# `rep stos` (the memset that clears the sums) counts one instruction a byte, more
# than it costs.
command -v valgrind >/dev/null 2>&1 || apt_install valgrind
cat >"$out/client.py" <<'PY'
import sys, http.client
port, n, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
paths = open(sys.argv[4]).read().split()
c = http.client.HTTPConnection("127.0.0.1", port)
for i in range(n):
    path = "/api/ping" if mode == "ping" else paths[i % len(paths)] + f"%20zq{mode}x{i}"
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    assert r.status == 200, (path, r.status)
PY
rm -f "$out"/callgrind.out*
stop_server # the port must be this server's
GUICHET_DEMO=true GUICHET_ADDR=127.0.0.1:$port GUICHET_DATA_DIR="$out/data" DATABASE_URL="sqlite://$out/data/help.db?mode=rwc" RUST_LOG=error \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out" \
  ./target/release/guichet serve >"$out/callgrind.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 1; done
# Warm: thread-local buffers, the stem cache, page faults.
python3 "$out/client.py" "$port" 400 warm "$out/suggest-paths.txt"
python3 "$out/client.py" "$port" 200 ping "$out/suggest-paths.txt"
callgrind_control -i on "$server" >/dev/null 2>&1
for mode in ping new; do
  callgrind_control -z "$server" >/dev/null 2>&1
  python3 "$out/client.py" "$port" 1000 "$mode" "$out/suggest-paths.txt"
  callgrind_control -d "$mode" "$server" >/dev/null 2>&1
done
stop_server
ping_ir=$(awk '/^summary:/ {print $2}' "$out/callgrind.out.1")
new_ir=$(awk '/^summary:/ {print $2}' "$out/callgrind.out.2")
python3 -c "p, u = $ping_ir / 1000, $new_ir / 1000
print(f'/api/ping (trivial JSON)                      {p:10.0f} instructions a request')
print(f'/api/help/suggest, every query new (no cache) {u:10.0f} instructions a request')
print(f'instruction ratio ping/suggest: {p / u:.3f}')"

say "auto-close sweep: 1,000,000 tickets, 10,000 of them due (SQLite)"
rm -f "$out/data/sweep.db"*
./target/release/examples/bench sweep "sqlite://$out/data/sweep.db?mode=rwc" 1000000 10000

say "e-mail: outbox delivery to the loopback SMTP sink, against the sink's own ceiling (SQLite)"
rm -f "$out/data/outbox.db"*
./target/release/examples/bench outbox "sqlite://$out/data/outbox.db?mode=rwc" 5000
if [ -n "$pg" ]; then
  echo "the same on PostgreSQL:"
  psql "$pg" -qc "drop database if exists guichet_bench_outbox" && psql "$pg" -qc "create database guichet_bench_outbox"
  ./target/release/examples/bench outbox "${pg%/*}/guichet_bench_outbox" 5000
fi

say "search index build, in memory"
for n in 10000 100000; do ./target/release/examples/bench index-build content/help "$n"; done

say "relevance of the suggestions on the labelled subject lines (content/relevance)"
./target/release/guichet relevance content
