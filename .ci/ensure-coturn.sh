#!/usr/bin/env bash
# The WebRTC relay tests start their own coturn on loopback (tests/support/turn.py): they need the `turnserver`
# binary, nothing else. Install Debian's coturn when it is missing; refresh the package lists only when apt does not
# know the package yet (a clean machine) or the install fails on stale lists.
set -euo pipefail
if command -v turnserver >/dev/null 2>&1; then exit 0; fi
echo "turnserver not found; installing coturn" >&2
export DEBIAN_FRONTEND=noninteractive
install_coturn() { apt-get install -y -qq --no-install-recommends coturn >/dev/null; }
knows_coturn() { apt-cache policy coturn 2>/dev/null | grep -q 'Candidate: [0-9]'; }
if ! { knows_coturn && install_coturn; }; then
  apt-get update -qq
  install_coturn
fi
if ! command -v turnserver >/dev/null 2>&1; then
  echo "coturn is installed but turnserver is not on PATH" >&2
  exit 1
fi
