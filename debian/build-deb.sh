#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bash debian/build-deb.sh OUTDIR: build the Debian binary package from a
# copy of this source tree (dpkg-buildpackage writes its results in the
# parent of the tree it builds, so it must not be the checkout), leave
# OUTDIR/tlsdiag_VERSION_ARCH.deb, and print lintian's verdict on it.
# The copy holds the files git tracks, or would (not ignored), as they
# are in the working tree (uncommitted edits included), or, outside git,
# the tree without build directories.  Exits non-zero when the build fails or lintian reports
# an error.  Needs the Build-Depends of debian/control, dpkg-dev and
# debhelper; lintian when installed.
set -euo pipefail
if [ $# -ne 1 ]; then
	echo "usage: bash debian/build-deb.sh OUTDIR" >&2
	exit 2
fi
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
upstream=${version%-*}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=tlsdiag_${version}_${arch}.deb

work=$(mktemp -d "${TMPDIR:-/tmp}/tlsdiag-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/tlsdiag-$upstream
mkdir "$tree"
if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf -) | tar -xf - -C "$tree"
else
	# Objects of an in-tree build would be found through VPATH by the
	# package's build in _build/: a configured tree is refused.
	if [ -f "$src/config.status" ]; then
		echo "build-deb: $src is configured in place: run make distclean first" >&2
		exit 1
	fi
	tar -C "$src" --exclude='./build*' --exclude=./_build --exclude=./autom4te.cache \
		--exclude=./debian/tlsdiag --exclude=./debian/.debhelper --exclude='./debian/*.log' \
		--exclude='./debian/*.substvars' --exclude=./debian/files --exclude=./debian/debhelper-build-stamp \
		-cf - . | tar -xf - -C "$tree"
fi

echo "== dpkg-buildpackage -us -uc -b in $tree"
jobs=$(nproc 2>/dev/null || echo 1)
(cd "$tree" && dpkg-buildpackage -us -uc -b -J"$jobs")

if [ ! -f "$work/$deb" ]; then
	echo "build-deb: dpkg-buildpackage made no $deb" >&2
	ls -l "$work" >&2
	exit 1
fi
cp "$work/$deb" "$out/"
echo "== $out/$deb"

status=0
if command -v lintian >/dev/null 2>&1; then
	echo "== lintian $deb"
	lintian --fail-on error --display-info "$out/$deb" || status=$?
	if [ "$status" -eq 0 ]; then
		echo "lintian: no errors"
	else
		echo "lintian: errors (exit $status)" >&2
	fi
else
	echo "== lintian not installed: the package is not checked"
fi
exit "$status"
