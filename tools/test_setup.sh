#!/usr/bin/env bash
# System packages the service tests use: PostgreSQL (a throw-away server per test run)
# and Chromium (browser tests driven by Playwright). Idempotent and quick when both are
# there. Installs with apt-get only as root on Debian; otherwise it says what is missing
# and the tests that need it skip with that reason.
set -uo pipefail

missing=()
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    missing+=(postgresql)
fi
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium)
fi
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "test_setup: missing ${missing[*]} (install them as root with apt-get); the tests needing them will skip" >&2
    exit 0
fi
echo "test_setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "test_setup: apt-get could not install ${missing[*]}; the tests needing them will skip" >&2
fi
# Debian's package starts a cluster of its own; the tests start their own servers.
if command -v service >/dev/null 2>&1; then
    service postgresql stop >/dev/null 2>&1 || true
fi
exit 0
