#!/usr/bin/env bash
# TLS and HTTP/2, the engine (the demo app's jar) against nginx with one worker, same
# certificate (RSA 2048, or ECDSA P-256 with KEY_TYPE=ec), TLS 1.3 with the cipher the clients prefer (TLS_AES_256_GCM_SHA384, printed
# for each server before the rounds), in one run with
# interleaved rounds:
#   tls-h1 /hello, tls-h1 /files/1k.bin   wrk -t1 -c64 over https, keep-alive
#   h2 /hello, h2 /files/1k.bin           h2load -c64 -m10 (64 connections x 10 streams)
#   handshakes                            wrk -c64 with Connection: close: one full TLS handshake per request
# Every JVM -Xms512m -Xmx512m -XX:+UseParallelGC; nginx with sendfile, tcp_nopush, tcp_nodelay,
# no access log; neither resumes sessions (no cache, tickets off: wrk and h2load make full
# handshakes anyway). Servers and clients unpinned unless PIN=1 (servers on CPU 0, clients on CPU 1). Ratios are medians of per-round ratios.
#
#   bench/tls.sh [demo-app.jar]                                  # 3 rounds x 8 s, 5 s warm-up
#   ROUNDS=1 SECONDS_PER_RUN=2 WARMUP_SECONDS=1 bench/tls.sh      # short variant
#   FILES_CONFIG='open-file-cache: "max=1000 inactive=20s"' bench/tls.sh   # tuned: keys for /files/
#   OPENSSL_ia32cap=":~0x200000" bench/tls.sh   # nginx's OpenSSL without AVX512-IFMA, which BoringSSL
#                                               # does not use: RSA handshakes on the same instructions
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(realpath "${1:-demo-app/target/demo-app.jar}")
[ -f "$JAR" ] || { echo "no $JAR: ./mvnw -q -DskipTests package first" >&2; exit 2; }
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-8}
WARMUP=${WARMUP_SECONDS:-5}
SCENARIOS=${SCENARIOS:-"tls-h1:/hello tls-h1:/files/1k.bin h2:/hello h2:/files/1k.bin handshake:/hello"}
if [ "${PIN:-0}" = 1 ]; then SERVER_CPU="taskset -c 0"; CLIENT_CPU="taskset -c 1"; else SERVER_CPU=""; CLIENT_CPU=""; fi
E_PORT=18201; N_PORT=18202
out=bench/out/tls
mkdir -p "$out/www" "$out/nginx"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v h2load >/dev/null || { apt-get update -qq && apt-get install -y -qq nghttp2-client >/dev/null; }
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
ulimit -n 65536 2>/dev/null || true
www="$PWD/$out/www"
head -c 1024 /dev/urandom > "$www/1k.bin"
KEY_TYPE=${KEY_TYPE:-rsa}   # rsa: RSA 2048; ec: ECDSA P-256 (what certbot issues by default)
case $KEY_TYPE in
  rsa) newkey=rsa:2048 ;;
  ec) newkey="ec -pkeyopt ec_paramgen_curve:prime256v1" ;;
  *) echo "KEY_TYPE is rsa or ec" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # newkey holds the option and its arguments
openssl req -x509 -newkey $newkey -nodes -keyout "$out/key.pem" -out "$out/cert.pem" -days 2 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost 2>/dev/null

cat > "$out/engine.yml" <<YML
engine:
  servers:
    - listen: ["127.0.0.1:$E_PORT ssl"]
      ssl-certificate: $PWD/$out/cert.pem
      ssl-certificate-key: $PWD/$out/key.pem
      ssl-protocols: [TLSv1.3]
      keepalive-requests: 1000000   # as nginx's below: neither ends a connection during a run
      ssl-session-tickets: off
      locations:
        - location: /hello
          return: 200 Hello, World!
        - location: /files/
          alias: $www/
          ${FILES_CONFIG:-}
YML
cat > "$out/nginx/nginx.conf" <<CONF
daemon off; worker_processes 1; pid $PWD/$out/nginx/nginx.pid; error_log $PWD/$out/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_requests 1000000;
  http2_max_requests 1000000;
  default_type application/octet-stream;
  server { listen 127.0.0.1:$N_PORT ssl http2;
    ssl_certificate $PWD/$out/cert.pem; ssl_certificate_key $PWD/$out/key.pem;
    ssl_protocols TLSv1.3; ssl_session_tickets off;
    location /hello { return 200 "Hello, World!"; }
    location /files/ { alias $www/; } }
}
CONF

for port in $E_PORT $N_PORT; do # a server left over from an earlier run would be measured instead
  [ -z "$(ss -ltnH "sport = :$port")" ] || { echo "port $port is in use: stop what listens there" >&2; exit 1; }
done
JAVA_OPTS="-Xms512m -Xmx512m -XX:+UseParallelGC"
$SERVER_CPU java $JAVA_OPTS -jar "$JAR" --spring.config.location="file:$PWD/$out/engine.yml" > "$out/engine.log" 2>&1 &
e_pid=$!
$SERVER_CPU nginx -p "$PWD/$out/nginx" -c "$PWD/$out/nginx/nginx.conf" > "$out/nginx/stdout.log" 2>&1 &
n_pid=$!
trap 'kill $e_pid $n_pid 2>/dev/null || true' EXIT
for port in $E_PORT $N_PORT; do
  for _ in $(seq 1 300); do curl -skf -o /dev/null "https://127.0.0.1:$port/hello" && break; sleep 0.1; done
  [ "$(curl -sk --http2 -w ' %{http_version}' "https://127.0.0.1:$port/hello")" = "Hello, World! 2" ] \
    || { echo "port $port: no hello over h2" >&2; exit 1; }
  cmp -s <(curl -sk "https://127.0.0.1:$port/files/1k.bin") "$www/1k.bin" || { echo "port $port sends other bytes" >&2; exit 1; }
  echo "port $port: $(openssl s_client -connect 127.0.0.1:$port -alpn h2 </dev/null 2>/dev/null \
    | grep -E -m2 'Cipher is|ALPN protocol' | tr '\n' ' ')"
done

run() { # kind url seconds -> requests/s
  local kind=$1 url=$2 secs=$3
  case $kind in
    tls-h1) $CLIENT_CPU wrk -t1 -c64 -d"$secs"s "$url" > "$out/client.txt" 2>&1
            awk '/Requests\/sec/ {print $2}' "$out/client.txt" ;;
    handshake) $CLIENT_CPU wrk -t1 -c64 -d"$secs"s -H 'Connection: close' "$url" > "$out/client.txt" 2>&1
            awk '/Requests\/sec/ {print $2}' "$out/client.txt" ;;
    h2) $CLIENT_CPU h2load -t1 -c64 -m10 -D"$secs" "$url" > "$out/client.txt" 2>&1
        awk '/^finished in/ {gsub(",", "", $4); print $4}' "$out/client.txt" ;;
  esac
  if grep -qE "Non-2xx|Socket errors|[1-9][0-9]* failed|[1-9][0-9]* errored" "$out/client.txt"; then
    grep -E "Non-2xx|Socket errors|failed|errored" "$out/client.txt" >&2
  fi
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

scenario() { # kind path
  local kind=$1 path=$2 rows=()
  run "$kind" "https://127.0.0.1:$E_PORT$path" "$WARMUP" > /dev/null
  run "$kind" "https://127.0.0.1:$N_PORT$path" "$WARMUP" > /dev/null
  printf '\n%-10s %-14s %-5s %10s %10s %10s\n' "$kind" "$path" round engine nginx engine/ngx
  for round in $(seq 1 "$ROUNDS"); do
    local e n
    if [ $((round % 2)) = 1 ]; then
      e=$(run "$kind" "https://127.0.0.1:$E_PORT$path" "$SECS"); n=$(run "$kind" "https://127.0.0.1:$N_PORT$path" "$SECS")
    else
      n=$(run "$kind" "https://127.0.0.1:$N_PORT$path" "$SECS"); e=$(run "$kind" "https://127.0.0.1:$E_PORT$path" "$SECS")
    fi
    printf '%-10s %-14s %-5s %10.0f %10.0f %10.3f\n' "$kind" "$path" "$round" "$e" "$n" "$(echo "$e / $n" | bc -l)"
    rows+=("$e $n")
  done
  printf '%-10s %-14s %-5s %21s %10.3f   (requests/s; median of per-round ratios)\n' "$kind" "$path" median "" \
    "$(for row in "${rows[@]}"; do echo "$row" | awk '{print $1 / $2}'; done | median)"
}
echo "engine: $JAR"
for s in $SCENARIOS; do
  scenario "${s%%:*}" "${s#*:}"
done
echo
echo "$([ -n "$SERVER_CPU" ] && echo "servers pinned to CPU 0, clients to CPU 1" || echo "servers and clients unpinned"), JVM $JAVA_OPTS, nginx 1 worker; $ROUNDS rounds of ${SECS}s after ${WARMUP}s warm-up"
