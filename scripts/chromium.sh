#!/usr/bin/env bash
# Headless Chromium for the recruiter page's browser tests (tests/service/test_web.py):
# Debian's `chromium` package, installed when missing (as root), driven by Playwright with
# /usr/bin/chromium (Playwright's own browser download cannot run without the network).
# Prints the browser's path.
set -euo pipefail
browser="${TALENTMATCH_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$browser" ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "Chromium is not installed: apt-get install chromium (as root)" >&2
        exit 1
    fi
    echo "Installing Chromium (Debian package)…" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
echo "$browser"
