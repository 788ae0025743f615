#!/usr/bin/env bash
# Installs Debian's Chromium for the browser suite when it is missing; failing to is an error, never a skip.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing and installing it needs root: run 'apt-get install -y chromium'" >&2
  exit 1
fi
echo "== installing chromium (apt-get)" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
