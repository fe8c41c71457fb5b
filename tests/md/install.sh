#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/md/install.sh - what tests/md/render.sh needs, installed outside
# the source tree: Debian's chromium (and node and npm when missing),
# then the npm packages of tests/md/package.json at the exact versions of
# its package-lock.json into $TD_NODE_CACHE (default
# ~/.cache/tlsdiag-md/node_modules).  Idempotent: a second run with the
# same lock file does nothing.  The Debian part needs root; without it,
# missing packages are named and the npm part still runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${TD_NODE_CACHE:-$HOME/.cache/tlsdiag-md/node_modules}
case "$cache" in
*/node_modules) ;;
*) echo "install.sh: TD_NODE_CACHE must end in /node_modules (got $cache)" >&2; exit 2 ;;
esac
prefix=$(dirname "$cache")

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q 'ok installed' || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "install.sh: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq "${missing[@]}" >/dev/null
	else
		echo "install.sh: not root: install ${missing[*]} (apt-get install ${missing[*]})" >&2
	fi
fi
command -v npm >/dev/null 2>&1 || { echo "install.sh: no npm" >&2; exit 1; }

stamp="$prefix/.tlsdiag-lock"
if [ -d "$cache/mermaid" ] && cmp -s "$here/package-lock.json" "$stamp"; then
	echo "install.sh: node modules up to date in $cache"
	exit 0
fi
mkdir -p "$prefix"
cp "$here/package.json" "$here/package-lock.json" "$prefix/"
(cd "$prefix" && npm ci --no-audit --no-fund --loglevel=error)
cp "$here/package-lock.json" "$stamp"
echo "install.sh: node modules installed in $cache"
