#!/usr/bin/env bash
# What the test suite needs besides npm packages: a JDK for DynamoDB Local (javac compiles the
# launcher that binds it to 127.0.0.1), Python for one of the signing examples, Debian's Chromium
# for the chat page's browser test, and iproute2's ss for the loopback-listener test. Installed with apt
# when missing and possible (root on Debian, as on CI); otherwise says what to install.
set -euo pipefail
missing=()
command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
command -v ss >/dev/null 2>&1 || missing+=(iproute2)
command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${missing[*]} with apt (needed by the tests)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "The tests need: ${missing[*]}. Install them (Debian: sudo apt-get install ${missing[*]})." >&2
  exit 1
fi
