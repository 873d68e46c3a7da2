#!/usr/bin/env bash
# The docs page test (tests/functions/platform/test_docs_page_in_a_browser.py) drives a real headless Chromium,
# Debian's, through playwright-core (npm): no browser download of its own. Install it once if it is missing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
echo "chromium not found; installing Debian's package" >&2
apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null
