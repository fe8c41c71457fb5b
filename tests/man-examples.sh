#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every tlsdiag command of the EXAMPLES section of man/tlsdiag.1 as
# written, on the bundled captures: capture.pcap, mtls.pcap and keys.log
# stand for captures/ files, eth0 for lo, and the filter file of the -F
# example is written from the page.  A command passes when tlsdiag
# accepts its command line: exit 0 or 1, or, for a live capture, still
# running when it is stopped after 2 seconds.  The live view cannot be
# shown without a terminal: its "needs a terminal" error passes too.
# Live examples (-i, -D) need root and are skipped without it.
#
#   tests/man-examples.sh [path/to/tlsdiag]     (make check runs it)
set -u
top=${top_srcdir:-$(dirname "$0")/..}
top=$(cd "$top" && pwd)
bin=${1:-${top_builddir:-$top}/src/tlsdiag}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
page=$top/man/tlsdiag.1
cap=$top/captures/tls12-client-cert-untrusted.pcap
mtls=$top/captures/tls13-mtls-ok.pcap
keys=$top/captures/tls13-mtls-ok.keylog
[ -x "$bin" ] || { echo "no tlsdiag at $bin (build first)"; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 2

# The literal lines of EXAMPLES (.Dl and .Bd -literal), continuations
# joined, roff escapes undone, one command per line.
awk '
	/^\.Sh / { in_ex = ($0 == ".Sh EXAMPLES"); next }
	!in_ex { next }
	/^\.Bd -literal/ { lit = 1; next }
	/^\.Ed/ { lit = 0; next }
	/^\.Dl / { sub(/^\.Dl /, ""); print; next }
	lit { print }
' "$page" | sed 's/\\e$/\\/; s/\\e/\\/g' |
	awk '/\\$/ { sub(/\\$/, ""); buf = buf $0; next }
	     /\|$/ { buf = buf $0 " "; next }
	     { print buf $0; buf = "" }' \
	> examples.txt

# The -F example's file: the lines after "$ cat FILE" up to the next
# "$ " prompt (its comments start with "#" as a root prompt does).
awk '
	/^\$ cat / { f = $3; next }
	/^\$ / { f = "" }
	f { print > f }
' examples.txt

pass=0 fail=0 skip=0
while IFS= read -r line; do
	case $line in
	'$ '*tlsdiag*|'# '*tlsdiag*) ;;
	*) continue ;;
	esac
	root=0
	case $line in '#'*) root=1 ;; esac
	cmd=${line#? }
	live=0
	case " $cmd " in *" -i "*|*" -D "*) live=1 ;; esac
	if [[ $cmd == *tcpdump* ]] && ! command -v tcpdump >/dev/null 2>&1; then
		echo "SKIP (tcpdump is not installed): $cmd"
		skip=$((skip + 1))
		continue
	fi
	if [ $root = 1 ] && [ "$(id -u)" != 0 ]; then
		echo "SKIP (needs root): $cmd"
		skip=$((skip + 1))
		continue
	fi
	# The tcpdump pipe, on a file rather than live: tcpdump reads the
	# capture and writes it to the pipe as it would from -i any.
	run=$cmd
	run=${run//tcpdump -U -i any -w -/tcpdump -U -r $cap -w -}
	run=${run//capture.pcap/$cap}
	run=${run//mtls.pcap/$mtls}
	run=${run//keys.log/$keys}
	run=${run//-i eth0/-i lo}
	run=${run//tlsdiag /$bin }
	case $run in *tcpdump*-r*) live=0 ;; esac
	if [ $live = 1 ]; then
		timeout 2 bash -c "$run" >out.txt 2>err.txt </dev/null
	else
		bash -c "$run" >out.txt 2>err.txt </dev/null
	fi
	rc=$?
	ok=0
	case $rc in 0|1) ok=1 ;; 124) [ $live = 1 ] && ok=1 ;; esac
	grep -q 'needs a terminal on standard output' err.txt && ok=1
	if [ $ok = 1 ]; then
		echo "ok (exit $rc): $cmd"
		pass=$((pass + 1))
	else
		echo "FAIL (exit $rc): $cmd"
		sed 's/^/    /' err.txt | head -5
		fail=$((fail + 1))
	fi
done < examples.txt
echo "man-examples: $pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
