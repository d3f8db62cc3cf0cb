#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (tests/browser) when /usr/bin/chromium is missing.
# Idempotent: does nothing when it is already there. Playwright drives this system browser; no browser build is
# downloaded. Needs root (CI and developer machines run as root) or sudo.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    echo "install-browser: $CHROMIUM already installed ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "install-browser: $CHROMIUM is missing and this user cannot install packages; browser tests will be skipped" >&2
        exit 0
    fi
fi
echo "install-browser: $CHROMIUM missing; installing Debian's chromium with apt-get"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium
echo "install-browser: installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
