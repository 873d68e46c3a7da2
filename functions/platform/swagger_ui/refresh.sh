#!/usr/bin/env bash
# Copies the few files of the pinned swagger-ui-dist (package.json) that the docs page serves into the function app:
# Azure deploys no node_modules, so they are committed here. Run after changing the pin: `make swagger-ui`.
# tests/functions/platform/test_docs.py fails when these copies and the pinned package differ.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dist="$here/../../../node_modules/swagger-ui-dist"
for file in swagger-ui-bundle.js swagger-ui.css LICENSE NOTICE; do
  cp "$dist/$file" "$here/$file"
done
node -p "require('$dist/package.json').version" > "$here/VERSION"
echo "swagger-ui-dist $(cat "$here/VERSION") copied to $here"
