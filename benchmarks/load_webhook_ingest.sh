#!/usr/bin/env bash
# Webhook ingest under wrk, three servers in one run on loopback:
#   nginx `return 200`             what a minimal C server answers at (the ceiling)
#   bare syncline http::server     the same HTTP stack as the engine, answering 200 at once
#   syncline engine                /webhooks/benchshop/orders/create: HMAC check, tenant lookup,
#                                  dedupe, durable group-committed enqueue (fsync), then 200
# Each wrk request carries a unique webhook id (no dedupe hits) and the same signed ~1.3 KB body.
# Prints a Markdown table: requests/s, p50/p99 latency, and ratios to nginx; then how many runs the
# engine ended meanwhile and how many were still queued (a growing queue is not a sustainable rate).
#
# usage: benchmarks/load_webhook_ingest.sh <build-dir with bench_runtime> [seconds=10] [connections=32]
set -euo pipefail
build=${1:-build-release}
seconds=${2:-10}
conns=${3:-32}
bench="$build/benchmarks/bench_runtime"
for tool in wrk nginx openssl "$bench"; do
  command -v "$tool" >/dev/null || { echo "load_webhook_ingest: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d)
nginx_pid="" serve_pid=""
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null || true
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nginx_port=$(free_port) engine_port=$(free_port) bare_port=$(free_port)

cat >"$work/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_buffer_size 16k;
  server {
    listen 127.0.0.1:$nginx_port;
    location / { return 200 '{"status":"accepted"}'; }
  }
}
EOF
nginx -c "$work/nginx.conf" -p "$work" &
nginx_pid=$!

SYNCLINE_BENCH_DIR="$work" SYNCLINE_BENCH_SERVE_SECONDS=$((3 * seconds + 20)) \
  SYNCLINE_BENCH_ENGINE_PORT=$engine_port SYNCLINE_BENCH_BARE_PORT=$bare_port \
  "$bench" --benchmark_filter=serve_for_wrk >"$work/serve.out" 2>&1 &
serve_pid=$!

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "load_webhook_ingest: nothing listens on $1" >&2
  exit 1
}
wait_port "$nginx_port"; wait_port "$engine_port"; wait_port "$bare_port"

# An orders/create body that decodes as the benchmark's shop_order, signed with its secret.
note=$(printf 'x%.0s' $(seq 1 900))
body='{"id":820982911946154508,"email":"jon@example.com","currency":"USD","total_price":"398.00","line_items":[{"id":466157049,"title":"IPod Nano - 8gb","quantity":1,"price":"199.00"},{"id":518995019,"title":"IPod Nano - 8gb","quantity":1,"price":"199.00"}],"note":"'$note'"}'
printf '%s' "$body" >"$work/body.json"
hmac=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "whsec-bench-2f1c9a" -binary | base64)

cat >"$work/signed.lua" <<EOF
local threads = 0
function setup(thread) thread:set("tid", threads); threads = threads + 1 end
function init(args)
  counter = 0
  run = tostring(os.time()) .. "-" .. tostring(math.random(1000000))
  local f = io.open("$work/body.json", "rb"); wrk.body = f:read("*a"); f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["X-Shop-Domain"] = "bench.example.test"
  wrk.headers["X-Hmac-Sha256"] = "$hmac"
end
function request()
  counter = counter + 1
  wrk.headers["X-Webhook-Id"] = "wrk-" .. run .. "-" .. tid .. "-" .. counter
  return wrk.format()
end
EOF

run_wrk() {  # name port -> "rps p50 p99 non2xx"
  local out
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency -s "$work/signed.lua" \
    "http://127.0.0.1:$2/webhooks/benchshop/orders/create")
  echo "$out" >"$work/wrk-$1.txt"
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  echo "$rps $p50 $p99 ${bad:-0}"
}

read -r n_rps n_p50 n_p99 n_bad < <(run_wrk nginx "$nginx_port")
read -r b_rps b_p50 b_p99 b_bad < <(run_wrk bare "$bare_port")
read -r e_rps e_p50 e_p99 e_bad < <(run_wrk engine "$engine_port")
# The engine runs the queued runs while wrk loads it. Runs still queued when wrk stops mean the
# executor fell behind: that request rate is not sustainable (the queue fills up to
# store.max_unfinished_runs, then webhooks get 503). Read from GET /metrics, without curl.
metric() {  # port name -> value
  local reply
  exec 3<>/dev/tcp/127.0.0.1/"$1"
  printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  reply=$(cat <&3)
  exec 3<&-
  awk -v m="$2" '$1 == m {print $2}' <<<"$reply"
}
e_left=$(metric "$engine_port" syncline_queue_depth)
e_done=$(metric "$engine_port" syncline_completion_batch_runs_total)
e_claims=$(metric "$engine_port" syncline_claims_total)
e_claimed=$(metric "$engine_port" syncline_claimed_runs_total)
e_leased=$(metric "$engine_port" syncline_runs_leased_on_enqueue_total)
rss_kb=$(awk '/VmHWM/ {print $2}' /proc/"$serve_pid"/status)
nginx_rss_kb=$(ps -o rss= --ppid "$nginx_pid" | awk '{s+=$1} END {print s+0}')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "wrk -t2 -c$conns -d${seconds}s, unique X-Webhook-Id per request, ~1.3 KB signed body"
echo
echo "| server | requests/s | vs nginx | p50 | p99 | non-2xx | peak RSS |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "| nginx \`return 200\` | $n_rps | 1.00 | $n_p50 | $n_p99 | $n_bad | ${nginx_rss_kb} KiB (worker) |"
echo "| bare http::server | $b_rps | $(ratio "$b_rps" "$n_rps") | $b_p50 | $b_p99 | $b_bad | (shared below) |"
echo "| engine webhook (durable ack) | $e_rps | $(ratio "$e_rps" "$n_rps") | $e_p50 | $e_p99 | $e_bad | $((rss_kb / 1024)) MiB (engine + bare, process) |"
echo
echo "engine: ${e_done:-?} runs ended during the test, ${e_left:-?} runs still queued when it stopped"
echo "engine: ${e_claimed:-?} runs taken by ${e_claims:-?} claims, ${e_leased:-?} leased as they were queued"
