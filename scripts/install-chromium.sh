#!/usr/bin/env bash
# Installs Debian's Chromium (/usr/bin/chromium) for the browser tests, which drive it with
# playwright-core: npm cannot download a browser build here. Does nothing when it is there.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium') already installed"
  exit 0
fi

if ((EUID != 0)); then
  echo "install-chromium: /usr/bin/chromium is missing; run this as root (apt-get install chromium)" >&2
  exit 1
fi

echo "install-chromium: installing Debian's chromium package"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
echo "install-chromium: $(/usr/bin/chromium --version)"
