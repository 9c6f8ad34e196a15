#!/usr/bin/env bash
# Validates the Docker and Prometheus files (no Docker engine needed) and checks that what the
# README's Docker section names (services, ports, variables) is in the compose files.
set -uo pipefail
cd "$(dirname "$0")/../.."
passed=0; failed=0
check() {  # check "description" command...
  local what=$1; shift
  if "$@" >/tmp/deploy_test.$$ 2>&1; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $what"; sed 's/^/    /' /tmp/deploy_test.$$; fi
}

for f in docker-compose.yml docker-compose.dev.yml; do
  check "$f validates (docker-compose config -q)" docker-compose -f "$f" config -q
done
check "docker/prometheus.yml validates (promtool check config)" promtool check config docker/prometheus.yml
check "Dockerfile is multi-stage on bookworm-slim" bash -c \
  '[ "$(grep -c "^FROM debian:bookworm-slim" docker/Dockerfile)" -ge 2 ]'
check "Dockerfile runs as a non-root user" grep -qE '^USER [a-z]' docker/Dockerfile
check "Dockerfile has a HEALTHCHECK" grep -q '^HEALTHCHECK' docker/Dockerfile
check "Dockerfile's runtime stage installs libpq5 (loaded by dlopen, not linked)" bash -c \
  'awk "/^FROM/{n++} n==2" docker/Dockerfile | grep -q libpq5'

config=$(docker-compose -f docker-compose.yml config 2>/dev/null)
for svc in gateway users orders payments jaeger postgres redis prometheus; do
  check "compose has service $svc" grep -qE "^  $svc:" <<<"$config"
done
for port in 8000 8001 8002 8003 16686 4317 4318; do
  check "compose publishes port $port" grep -qE "published: \"?$port\"?|- $port:$port|$port:$port" <<<"$config"
done
for target in gateway:8000 users:8001 orders:8002 payments:8003; do
  check "prometheus scrapes $target" grep -q "$target" docker/prometheus.yml
done

# Every variable and port the README's Docker section names must be in the compose files.
section=$(awk '/^## Docker/{on=1; next} /^## /{on=0} on' README.md)
check "README has a Docker section" test -n "$section"
for var in $(grep -oE '\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b' <<<"$section" | sort -u); do
  check "README's $var is in docker-compose.yml" grep -q "$var" docker-compose.yml
done
for port in $(grep -oE ':[0-9]{4,5}\b' <<<"$section" | tr -d : | sort -u); do
  check "README's port $port is in docker-compose.yml" grep -q "$port" docker-compose.yml
done

rm -f /tmp/deploy_test.$$
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
