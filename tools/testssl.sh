#!/usr/bin/env bash
# testssl.sh (Debian's package) against a TLS server of the engine with the defaults a user gets:
# the demo app's jar, one server with `listen: ["PORT ssl"]` and a certificate made here (RSA
# 2048). Prints testssl's findings and fails when one is marked VULNERABLE or "NOT ok".
#
#   tools/testssl.sh [demo-app.jar]        # a few minutes; output in bench/out/testssl/
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(realpath "${1:-demo-app/target/demo-app.jar}")
[ -f "$JAR" ] || { echo "no $JAR: ./mvnw -q -DskipTests package first" >&2; exit 2; }
PORT=${PORT:-18301}
out=bench/out/testssl
mkdir -p "$out"
command -v testssl >/dev/null || { apt-get update -qq && apt-get install -y -qq testssl.sh >/dev/null; }
[ -z "$(ss -ltnH "sport = :$PORT")" ] || { echo "port $PORT is in use" >&2; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$out/key.pem" -out "$out/cert.pem" -days 30 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
cat > "$out/engine.yml" <<YML
engine:
  servers:
    - listen: ["127.0.0.1:$PORT ssl"]
      ssl-certificate: $PWD/$out/cert.pem
      ssl-certificate-key: $PWD/$out/key.pem
      locations:
        - location: /
          return: 200 ok
YML
java -jar "$JAR" --spring.config.location="file:$PWD/$out/engine.yml" > "$out/engine.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -skf -o /dev/null "https://127.0.0.1:$PORT/" && break; sleep 0.1; done
testssl --quiet --color 0 --warnings off --fast --ip 127.0.0.1 "https://localhost:$PORT/" > "$out/report.txt" 2>&1 || true
grep -E "^ (SSLv|TLS|Secure Renegotiation|Secure Client|Heartbleed|CCS|Ticketbleed|ROBOT|CRIME|BREACH|POODLE|TLS_FALLBACK|SWEET32|FREAK|DROWN|LOGJAM|BEAST|LUCKY13|Winshock|RC4|Forward Secrecy|Has server cipher order|Negotiated protocol|Negotiated cipher)" \
  "$out/report.txt" | sed 's/  */ /g' || true
# the certificate is made here, self-signed: testssl's trust findings about it (chain of trust, no
# CRL or OCSP URI) say nothing about the server and are listed apart
expected=$(grep -E "NOT ok \(self signed\)|NOT ok -- neither CRL nor OCSP URI provided" "$out/report.txt" || true)
bad=$(grep -E "VULNERABLE|NOT ok" "$out/report.txt" | grep -v "not vulnerable" \
  | grep -vE "NOT ok \(self signed\)|NOT ok -- neither CRL nor OCSP URI provided" || true)
[ -z "$expected" ] || { echo; echo "expected for the self-signed test certificate:"; echo "$expected" | sed 's/  */ /g'; }
if [ -n "$bad" ]; then
  echo; echo "findings marked VULNERABLE or NOT ok:"; echo "$bad"; exit 1
fi
echo; echo "no finding marked VULNERABLE or NOT ok (full report: $out/report.txt)"
