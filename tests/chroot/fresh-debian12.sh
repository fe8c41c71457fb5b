#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/chroot/fresh-debian12.sh - the README as a new user meets it: a
# fresh Debian 12 (debootstrap, nothing but Debian 12's own packages:
# its nodejs 18, its chromium), a clone of this tree, the README's two
# Quick-start commands run as written, then the Debian package built
# from the tree, installed with apt and run on a bundled capture.
#
#   sudo bash tests/chroot/fresh-debian12.sh      (or: make fresh-check)
#
# Why: the machines CI runs on carry newer tools than Debian 12 ships
# (node, for one), so a green CI can hide a README step that fails on a
# user's machine.  This runs the README itself, not a copy of it: the
# commands are read out of README.md's Quick start block.
#
# Needs root and debootstrap; without them it says SKIPPED loudly and
# exits 77.  The debootstrap'd base is cached as a tarball in
# $TD_CHROOT_CACHE (default ~/.cache/tlsdiag-chroot); each run unpacks
# it afresh, so every run starts from a new Debian 12.  Like any machine
# behind a TLS-inspecting proxy, the chroot is given the host's CA
# certificates (/etc/ssl/certs, /usr/local/share/ca-certificates) and
# its apt and npm client settings; nothing else of the host.
#
# Environment: TD_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# TD_CHROOT_KEEP=1 keeps the chroot for a look afterwards,
# TD_CHROOT_STEPS (default "readme deb"): readme, deb or both.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mirror=${TD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${TD_DEBIAN_SECURITY:-${mirror%/debian}/debian-security}
cache=${TD_CHROOT_CACHE:-$HOME/.cache/tlsdiag-chroot}
steps=${TD_CHROOT_STEPS:-readme deb}

skip() {
	echo "=================================================================="
	echo "SKIPPED: tests/chroot/fresh-debian12.sh: $*"
	echo "         (the fresh Debian 12 check of the README did not run)"
	echo "=================================================================="
	exit 77
}

pass=0
fail=0
ok()  { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

[ "$(id -u)" = 0 ] || skip "needs root (debootstrap, chroot, mounts)"
command -v debootstrap >/dev/null 2>&1 || skip "debootstrap is not installed (apt-get install debootstrap)"
[ -f "$top/README.md" ] || skip "no README.md at $top"

# The two Quick-start commands, exactly as README.md shows them: the
# lines of the first ```sh block after "## Quick start".
mapfile -t readme_cmds < <(awk '/^## Quick start/ { q = 1 } q && /^```sh/ { b = 1; next }
	b && /^```/ { exit } b && NF { print }' "$top/README.md")
[ ${#readme_cmds[@]} -eq 2 ] || { bad "README's Quick start: want 2 commands, found ${#readme_cmds[@]}"; exit 1; }

mkdir -p "$cache"
base="$cache/bookworm-minbase.tar"
if [ ! -s "$base" ]; then
	echo "== debootstrap bookworm (once; cached in $base)"
	start=$(date +%s)
	tmpb=$(mktemp -d /var/tmp/td-debootstrap.XXXXXX)
	if ! debootstrap --variant=minbase bookworm "$tmpb" "$mirror" >"$cache/debootstrap.log" 2>&1; then
		tail -5 "$cache/debootstrap.log"
		rm -rf "$tmpb"
		skip "debootstrap could not build a Debian 12 base (see $cache/debootstrap.log)"
	fi
	tar -C "$tmpb" -cf "$base.part" . && mv "$base.part" "$base"
	rm -rf "$tmpb"
	echo "   debootstrap: $(($(date +%s) - start)) s"
fi

start=$(date +%s)
root=$(mktemp -d /var/tmp/td-fresh.XXXXXX)
mounts=()
cleanup() {
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount -l "${mounts[i]}" 2>/dev/null
	done
	if [ "${TD_CHROOT_KEEP:-0}" = 1 ]; then
		echo "kept the chroot in $root"
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
tar -C "$root" -xf "$base"
# mktemp made both the debootstrap directory and this one 0700 (and tar
# restores the archive's "."): the chroot's / must be 0755 as on any
# machine, or nothing is readable once tlsdiag -i drops root to nobody.
chmod 755 "$root"

# A Debian 12 machine's apt sources: the release, its updates and its
# security archive (chromium and nodejs come from there).
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
EOF
# The network's settings, not the host's software: CA certificates, and
# the apt and npm client settings (proxies, registries, certificate
# checks) a machine on this network is given.
mkdir -p "$root/usr/local/share/ca-certificates"
cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null
mkdir -p "$root/etc/ssl/certs"
cp -aL /etc/ssl/certs/. "$root/etc/ssl/certs/" 2>/dev/null
for f in /etc/apt/apt.conf.d/*; do
	case "$(basename "$f")" in
	*proxy* | *artifact* | *Proxy*) cp "$f" "$root/etc/apt/apt.conf.d/" ;;
	esac
done
[ -f /etc/apt/apt.conf ] && cp /etc/apt/apt.conf "$root/etc/apt/"
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$root/root/.npmrc"
[ -f /etc/npmrc ] && mkdir -p "$root/etc" && cp /etc/npmrc "$root/etc/npmrc"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
for v in SSL_CERT_FILE NODE_EXTRA_CA_CERTS http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY; do
	[ -n "${!v:-}" ] && printf 'export %s=%q\n' "$v" "${!v}" >>"$root/root/.network-env"
done
touch "$root/root/.network-env"

mnt() {  # mnt TYPE-OR-BIND SRC DEST
	mkdir -p "$root$3"
	if [ "$1" = bind ]; then mount --bind "$2" "$root$3"; else mount -t "$1" "$2" "$root$3"; fi &&
		mounts+=("$root$3")
}
mnt proc proc /proc && mnt sysfs sys /sys && mnt bind /dev /dev && mnt devpts devpts /dev/pts &&
	mnt tmpfs tmpfs /dev/shm || { bad "cannot mount /proc, /sys, /dev in the chroot"; exit 1; }

# A clone, as the README assumes ("from the top of a clone").
git clone -q --no-hardlinks "$top" "$root/root/tlsdiag" || { bad "git clone of $top"; exit 1; }
echo "== the chroot unpacked, mounted, the tree cloned ($(($(date +%s) - start)) s)"

in_chroot() {  # in_chroot LOG COMMAND: a login-like root shell in the clone
	chroot "$root" /usr/bin/env -i HOME=/root TERM=xterm LANG=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		/bin/bash -c ". /root/.network-env; cd /root/tlsdiag && $2" >"$1" 2>&1
}
logs=$top/tests/chroot/logs
mkdir -p "$logs"

if [[ " $steps " == *" readme "* ]]; then
	echo "== README command 1: ${readme_cmds[0]}"
	start=$(date +%s)
	# Its status is the last command's, head's, as a user sees it; a
	# failed step before the pipe stops the && chain with its own.
	if in_chroot "$logs/readme-1.log" "${readme_cmds[0]}"; then
		if grep -q 'CLIENT_CERT_UNTRUSTED' "$logs/readme-1.log"; then
			ok "README command 1 built tlsdiag and analyzed the capture ($(($(date +%s) - start)) s)"
		else
			bad "README command 1: no CLIENT_CERT_UNTRUSTED diagnosis in its output"
			tail -n 30 "$logs/readme-1.log"
		fi
	else
		bad "README command 1 failed"
		tail -n 30 "$logs/readme-1.log"
	fi
	node_v=$(chroot "$root" node --version 2>/dev/null)
	echo "   nodejs in the chroot: ${node_v:-none}"

	echo "== README command 2: ${readme_cmds[1]}"
	start=$(date +%s)
	if in_chroot "$logs/readme-2.log" "${readme_cmds[1]}"; then
		ok "README command 2 passed ($(($(date +%s) - start)) s)"
	else
		bad "README command 2 failed"
		grep -E '^(FAIL|ERROR|SKIP):' "$logs/readme-2.log"
		# The failed suites' own logs, kept beside the others.
		for t in $(grep -E '^(FAIL|ERROR):' "$logs/readme-2.log" | awk '{ print $2 }'); do
			cp "$root/root/tlsdiag/$t.log" "$logs/$(echo "$t" | tr / _).log" 2>/dev/null &&
				{ echo "---- $t.log (last 30 lines)"; tail -n 30 "$root/root/tlsdiag/$t.log"; }
		done
	fi
	# A skip in the chroot is a failure of the README: it promised the whole suite.
	if grep -E '^SKIP:' "$logs/readme-2.log"; then
		bad "README command 2 skipped tests on a fresh Debian 12 (above)"
	fi
	grep -h -E '^[a-z0-9-]+: [0-9]+ passed, [0-9]+ failed' "$root"/root/tlsdiag/tests/*/*.log "$root"/root/tlsdiag/tests/*.log 2>/dev/null |
		sed 's/^/   /'
fi

if [[ " $steps " == *" deb "* ]]; then
	echo "== the Debian package: built from the tree, installed with apt"
	start=$(date +%s)
	if ! in_chroot "$logs/deb-build.log" "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends debhelper dh-autoreconf fakeroot \
		dpkg-dev lintian git build-essential libpcap-dev libwolfssl-dev libncurses-dev \
		zlib1g-dev libbrotli-dev libzstd-dev libcunit1-dev libmimalloc-dev pkg-config >/dev/null && \
		rm -rf /root/deb && bash debian/build-deb.sh /root/deb"; then
		bad "debian/build-deb.sh failed"
		tail -n 30 "$logs/deb-build.log"
	else
		ok "the .deb built: $(cd "$root/root/deb" && ls ./*.deb | tr '\n' ' ')($(($(date +%s) - start)) s)"
		if grep -E '^E: ' "$logs/deb-build.log"; then
			bad "lintian reports errors (above)"
		else
			ok "lintian: no errors"
		fi
		# Installed on a Debian 12 without the build's -dev packages: apt
		# must pull the runtime libraries from the package's Depends.
		if in_chroot "$logs/deb-install.log" "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq \
			libpcap-dev libwolfssl-dev libncurses-dev libcunit1-dev libmimalloc-dev >/dev/null; \
			apt-get autoremove -y -qq >/dev/null; cd /tmp && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq /root/deb/tlsdiag_*.deb >/dev/null && \
			/usr/bin/tlsdiag --version && man -w tlsdiag 2>/dev/null; \
			test -f /usr/share/man/man1/tlsdiag.1.gz && \
			test -f /usr/share/bash-completion/completions/tlsdiag && \
			test -f /usr/share/zsh/vendor-completions/_tlsdiag && echo completions-installed; \
			/usr/bin/tlsdiag -r /root/tlsdiag/captures/tls12-client-cert-untrusted.pcap; \
			echo exit=\$?"; then
			if grep -q '^tlsdiag [0-9]' "$logs/deb-install.log" &&
			   grep -q 'completions-installed' "$logs/deb-install.log" &&
			   grep -q 'CLIENT_CERT_UNTRUSTED' "$logs/deb-install.log" &&
			   grep -q '^exit=1$' "$logs/deb-install.log"; then
				ok "the installed package runs: $(grep -m1 '^tlsdiag [0-9]' "$logs/deb-install.log"), man page and completions in place, the capture diagnosed (exit 1)"
			else
				bad "the installed package: version, completions or diagnosis missing"
				tail -n 30 "$logs/deb-install.log"
			fi
		else
			bad "apt-get install of the .deb failed"
			tail -n 30 "$logs/deb-install.log"
		fi
	fi
fi

echo "fresh-debian12: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
