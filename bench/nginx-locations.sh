#!/usr/bin/env bash
# Checks the rows of LocationSelectionTests against a real nginx on loopback: every location
# answers with its own pattern, and each URI must select the location the table expects.
# Usage: bench/nginx-locations.sh   (installs nginx from Debian packages if missing)
set -euo pipefail
command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light; }
dir=$(mktemp -d)
port=${PORT:-18081}
trap 'nginx -p "$dir" -c nginx.conf -s stop 2>/dev/null || true; rm -rf "$dir"' EXIT
mkdir -p "$dir/logs"

# one server per table; "return 200 <pattern>" names the location that answered
cat > "$dir/nginx.conf" <<CONF
daemon on; pid $dir/nginx.pid; error_log $dir/logs/error.log;
events {}
http {
  access_log off;
  geo \$dollar { default "\$"; }
  server { listen 127.0.0.1:$port; server_name docs;
    location = / { return 200 "= /"; }
    location / { return 200 "/"; }
    location /documents/ { return 200 "/documents/"; }
    location ^~ /images/ { return 200 "^~ /images/"; }
    location ~* \.(gif|jpg|jpeg)$ { return 200 "~* \\\\.(gif|jpg|jpeg)\${dollar}"; }
  }
  server { listen 127.0.0.1:$port; server_name nested;
    location /a/ { return 200 "/a/";
      location /a/b/ { return 200 "/a/b/"; }
      location ^~ /a/nore/ { return 200 "^~ /a/nore/"; }
      location ~ \.php$ { return 200 "~ \\\\.php\${dollar}"; }
    }
    location ^~ /s/ { return 200 "^~ /s/";
      location /s/deep/ { return 200 "/s/deep/"; }
      location ~ \.css$ { return 200 "~ \\\\.css\${dollar}"; }
    }
    location ~ ^/a/.*\.(php|css|txt)$ { return 200 "~ ^/a/.*\\\\.(php|css|txt)\${dollar}"; }
    location ~ /outer { return 200 "~ /outer"; }
    location ~ ^/r/ { return 200 "~ ^/r/";
      location ~ \.inner$ { return 200 "~ \\\\.inner\${dollar}"; }
    }
    location = /exact { return 200 "= /exact"; }
    location /exact { return 200 "/exact"; }
    location /exactly { return 200 "/exactly"; }
    location /café/ { return 200 "/café/"; }
    location @named { return 200 "@named"; }
    location = /__none { return 200 "none"; }
  }
  server { listen 127.0.0.1:$port; server_name pcre;
    location / { return 200 "/"; }
    location ~ \.gif$ { return 200 "~ \\\\.gif\${dollar}"; }
    location ~ ^/p.q$ { return 200 "~ ^/p.q\${dollar}"; }
  }
  server { listen 127.0.0.1:$port; server_name quirks;
    location ~ /reports/ { return 200 "~ /reports/";
      location /reports/x { return 200 "/reports/x"; }
      location = /reports/de { return 200 "= /reports/de"; }
      location ^~ /reports/nore { return 200 "^~ /reports/nore"; }
      location ~ \.pdf$ { return 200 "~ \\\\.pdf\${dollar}"; }
    }
    location /p/ { return 200 "/p/";
      location = /p/exact { return 200 "= /p/exact"; }
      location ~ /p/.*\.js$ { return 200 "~ /p/.*\\\\.js\${dollar}"; }
      location ~ ^/p/ { return 200 "~ ^/p/";
        location ~ inner$ { return 200 "~ inner\${dollar}"; }
        location ^/p/q { return 200 "^/p/q"; }
      }
    }
    location ~ ^/rr/ { return 200 "~ ^/rr/";
      location ~ ^/rr/a { return 200 "~ ^/rr/a";
        location ~ z$ { return 200 "~ z\${dollar}"; }
      }
    }
    location = /__none { return 200 "none"; }
  }
  server { listen 127.0.0.1:$port; server_name case;
    location /Upper/ { return 200 "/Upper/"; }
    location ~* /été$ { return 200 "~* /été\${dollar}"; }
    location ~ /Exact$ { return 200 "~ /Exact\${dollar}"; }
    location ~ ^/x.y$ { return 200 "~ ^/x.y\${dollar}"; }
    location ~ ^/p..q$ { return 200 "~ ^/p..q\${dollar}"; }
  }
}
CONF
nginx -p "$dir" -c nginx.conf
sleep 0.3
fail=0
check() { # host uri expected
  local got
  got=$(curl -s --path-as-is -H "Host: $1" "http://127.0.0.1:$port$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1], safe="/@%"))' "$2")")
  if [ "$got" != "$3" ] && ! { [ "$3" = none ] && [[ "$got" == "<html>"* ]]; }; then
    echo "MISMATCH host=$1 uri=$2 nginx=[$got] table=[$3]"; fail=1
  fi
}
src=$(dirname "$0")/../engine-core/src/test/java/dev/modhttp/engine/config/LocationSelectionTests.java
# rows are "uri => expected" lines; the table a row belongs to follows its test method
tables=(none docs pcre nested case quirks); t=0; host=none
while IFS= read -r line; do
  if [[ "$line" == *"@CsvSource"* ]]; then t=$((t + 1)); host=${tables[$t]}; fi
  if [[ "$line" =~ ^[[:space:]]+(/[^[:space:]]*|@[^[:space:]]+)[[:space:]]+=\>[[:space:]](.*)$ ]]; then
    uri=${BASH_REMATCH[1]}; expected=$(printf '%s' "${BASH_REMATCH[2]}" | sed 's/\\\\/\\/g')
    [ "$uri" = "@named" ] && continue  # not a valid request target
    rows+=("$host|$uri|$expected")
  fi
done < "$src"
for row in "${rows[@]}"; do IFS='|' read -r h u e <<<"$row"; check "$h" "$u" "$e"; done
echo "checked ${#rows[@]} rows against $(nginx -v 2>&1)"
exit $fail
