#!/usr/bin/env bash
# Webhook ingest under load on loopback: nginx `return 200` and syncline's http::server (one
# thread) loaded by wrk with a ~1 KB signed POST, in the same run, with a minimal Beast loop for
# reference; then syncline's pooled http::client as the load generator against the same
# syncline server, compared with wrk against it.
#   benchmarks/load_ingest.sh <build-dir>        (needs <build-dir>/benchmarks/bench_ingest)
# Environment: SYNCLINE_LOAD_SECONDS (default 10), SYNCLINE_LOAD_CONNECTIONS (default 32).
# Prints a Markdown table. nginx-light is installed when missing and possible, else skipped.
set -euo pipefail
build=${1:-build-release}
secs=${SYNCLINE_LOAD_SECONDS:-10}
conns=${SYNCLINE_LOAD_CONNECTIONS:-32}
exe="$build/benchmarks/bench_ingest"
secret="bench-client-secret"  # the secret bench_ingest --serve --hmac verifies with

if [ ! -x "$exe" ]; then
  echo "load_ingest: $exe is not built (ninja -C $build bench_ingest)" >&2
  exit 1
fi
if ! command -v wrk >/dev/null; then
  echo "_load_ingest: wrk is not installed; skipped._"
  exit 0
fi
if ! command -v nginx >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || true
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() {  # wait_port <port>: until something accepts on it (at most ~5 s)
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "load_ingest: nothing listens on port $1" >&2
  return 1
}

# The request: a ~1 KB Shopify-like order, signed as Shopify signs webhooks.
body='{"id":820982911946154508,"email":"jon@example.com","currency":"USD","total_price":"199.65","line_items":['
for i in 0 1 2 3 4 5; do
  [ "$i" = 0 ] || body+=','
  body+="{\"id\":$((466157049 + i)),\"title\":\"IPod Nano - 8gb\",\"quantity\":1,\"price\":\"199.00\",\"sku\":\"IPOD2008GREEN\",\"variant_id\":39072856,\"product_id\":632910392}"
done
body+=']}'
hmac=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" -binary | base64)
cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Shopify-Topic"] = "orders/create"
wrk.headers["X-Shopify-Shop-Domain"] = "bench.myshopify.com"
wrk.headers["X-Shopify-API-Version"] = "2026-01"
wrk.headers["X-Shopify-Webhook-Id"] = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
wrk.headers["X-Shopify-Hmac-Sha256"] = "$hmac"
EOF

cpu_ticks() {  # cpu_ticks <pid>: user + system time of a process, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

# run_wrk <url> <server pid> -> "<req/s> <p99 in ms> <server CPU us per request>"
# CPU time per request is the steadier figure on a shared machine: it does not depend on how
# much of a core the server was given.
run_wrk() {
  local t0 t1 out
  t0=$(cpu_ticks "$2")
  out=$(wrk -t1 -c"$conns" -d"${secs}s" --latency -s "$tmp/post.lua" "$1")
  t1=$(cpu_ticks "$2")
  local rps p99 n cpu non2xx
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}' <<<"$out")
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  cpu=$(awk -v a="$t0" -v b="$t1" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  if [ -n "$non2xx" ]; then echo "load_ingest: $non2xx non-2xx answers from $1" >&2; fi
  echo "$rps $p99 $cpu"
}

start_syncline() {  # start_syncline [--hmac|--minimal] -> sets port
  "$exe" --serve --threads 1 "$@" >"$tmp/serve.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do
    port=$(awk '/^port / {print $2}' "$tmp/serve.out")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "load_ingest: bench_ingest --serve did not start" >&2
  exit 1
}

stop_last() {
  local p=${pids[-1]}
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  unset 'pids[-1]'
}

nginx_rps=""
rows=()
if command -v nginx >/dev/null; then
  nport=$(free_port)
  mkdir -p "$tmp/nginx/logs"
  cat >"$tmp/nginx/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
user root;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log error;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$nport;
    location / { return 200 "{}"; }
  }
}
EOF
  nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/logs/error.log" &
  pids+=($!)
  wait_port "$nport"
  read -r nginx_rps nginx_p99 nginx_cpu < <(run_wrk "http://127.0.0.1:$nport/webhooks/bench/orders/create" "${pids[-1]}")
  stop_last
  rows+=("| nginx \`return 200\` (1 worker) | $nginx_rps | $nginx_p99 ms | $nginx_cpu µs | 1.00 |")
else
  rows+=("| nginx \`return 200\` (not installed: skipped) | | | | |")
fi

ratio() {  # ratio <value> <reference>
  if [ -n "$2" ]; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; else echo "n/a"; fi
}

start_syncline
read -r s_rps s_p99 s_cpu < <(run_wrk "http://127.0.0.1:$port/webhooks/bench/orders/create" "${pids[-1]}")
rows+=("| syncline http::server (1 thread) | $s_rps | $s_p99 ms | $s_cpu µs | $(ratio "$s_rps" "$nginx_rps") |")
client_out=$("$exe" --load "http://127.0.0.1:$port/webhooks/bench/orders/create" --connections "$conns" --seconds "$secs")
c_rps=$(awk '{for (i = 1; i < NF; i++) if ($i == "rps") print $(i + 1)}' <<<"$client_out")
c_p99=$(awk '{for (i = 1; i < NF; i++) if ($i == "p99_ms") print $(i + 1)}' <<<"$client_out")
c_cpu=$(awk '{for (i = 1; i < NF; i++) if ($i == "cpu_us_per_request") print $(i + 1)}' <<<"$client_out")
stop_last

start_syncline --minimal
read -r m_rps m_p99 m_cpu < <(run_wrk "http://127.0.0.1:$port/webhooks/bench/orders/create" "${pids[-1]}")
stop_last
rows+=("| minimal Beast loop, no limits or timeouts (1 thread) | $m_rps | $m_p99 ms | $m_cpu µs | $(ratio "$m_rps" "$nginx_rps") |")

start_syncline --hmac
read -r h_rps h_p99 h_cpu < <(run_wrk "http://127.0.0.1:$port/webhooks/bench/orders/create" "${pids[-1]}")
stop_last
rows+=("| syncline http::server (1 thread), HMAC checked | $h_rps | $h_p99 ms | $h_cpu µs | $(ratio "$h_rps" "$nginx_rps") |")

echo "Loopback, ${secs} s per row, ~1 KB signed POST, $conns connections, $(nproc) CPUs."
echo
echo "Servers loaded by wrk -t1 -c$conns:"
echo
echo "| server | req/s | p99 | server CPU per request | ratio to nginx (req/s) |"
echo "|---|---:|---:|---:|---:|"
for r in "${rows[@]}"; do echo "$r"; done
echo
echo "Load generators against the same syncline http::server (1 thread), $conns connections:"
echo
echo "| load generator | req/s | p99 | client CPU per request | ratio to wrk (req/s) |"
echo "|---|---:|---:|---:|---:|"
echo "| wrk -t1 | $s_rps | $s_p99 ms | | 1.00 |"
echo "| syncline http::client (1 thread) | $c_rps | $c_p99 ms | $c_cpu µs | $(ratio "$c_rps" "$s_rps") |"
