#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/layout/rooms.sh - a stray include of wolfSSL, curses, libpcap, zlib,
# brotli or zstd
# fails to compile outside its room (include/rooms.h, Makefile.am).
#
# 1. For each library, a file including its header compiles with the
#    room's define (-DTD_ROOM_*) and fails without it, with the same
#    forced rooms.h the build uses.
# 2. Makefile.am forces rooms.h ($(ROOM)) into every library of src/ and
#    the program, and lets each library in only where it lives.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
CC=${CC:-cc}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

compile() {   # compile HEADER [DEFINE]: 0 when a file including HEADER compiles
    printf '#include <%s>\nint td_rooms_probe;\n' "$1" |
        $CC -std=gnu17 -I"$top_srcdir/include" -include "$top_srcdir/include/rooms.h" ${2:+"$2"} \
            -fsyntax-only -x c - 2>"$tmp"
}
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
for spec in 'wolfssl/options.h wolfssl/ssl.h:TD_ROOM_WOLFSSL' 'ncurses.h:TD_ROOM_CURSES' 'pcap/pcap.h:TD_ROOM_PCAP' \
            'zlib.h:TD_ROOM_ZLIB' 'brotli/decode.h:TD_ROOM_BROTLI' 'zstd.h:TD_ROOM_ZSTD' 'seccomp.h:TD_ROOM_SECCOMP'; do
    hdrs=${spec%%:*} def=${spec#*:}
    for h in $hdrs; do
        [[ $h == wolfssl/options.h ]] && continue   # ssl.h below pulls it in
        # libseccomp is optional (configure builds without it).
        if [[ $h == seccomp.h ]] && ! compile "$h" "-D$def"; then
            echo "note: <seccomp.h> is not installed: its room is not checked"; continue
        fi
        if compile "$h" "-D$def"; then ok; else bad "<$h> does not compile even with -D$def:"; cat "$tmp"; fi
        if compile "$h"; then bad "<$h> compiles without -D$def: rooms.h does not stop it"
        elif grep -q poisoned "$tmp"; then ok
        else bad "<$h> fails without -D$def, but not because of rooms.h:"; cat "$tmp"; fi
    done
done

# Makefile.am: every src library and the program get $(ROOM); the rooms'
# defines appear only on their own library.
mk=$top_srcdir/Makefile.am
libs=$(sed -n 's/^\(src_[a-z0-9_]*\)_SOURCES *=.*/\1/p' "$mk")
for l in $libs; do
    line=$(grep "^${l}_CPPFLAGS *=" "$mk" || true)
    [[ $line == *'$(ROOM)'* ]] && ok || bad "Makefile.am: ${l}_CPPFLAGS lacks \$(ROOM) (rooms.h is not forced into it)"
    for def in WOLFSSL CURSES PCAP ZLIB BROTLI ZSTD SECCOMP; do
        [[ $line == *TD_ROOM_$def* ]] || continue
        case $def:$l in
        WOLFSSL:src_x509_*|WOLFSSL:src_crypto_*|CURSES:src_tui_*|PCAP:src_capture_*) ok ;;
        ZLIB:src_capture_*|ZLIB:src_decomp_*|BROTLI:src_decomp_*|ZSTD:src_decomp_*|SECCOMP:src_capture_*) ok ;;
        *) bad "Makefile.am: $l lets in TD_ROOM_$def, outside its room" ;;
        esac
    done
done
# every .c of src/ belongs to a library or the program
for f in $(cd "$top_srcdir" && find src -name '*.c' | sort); do
    grep -q "$f" "$mk" && ok || bad "$f is in no library of Makefile.am"
done
echo "rooms: $pass passed, $fail failed"
((fail == 0))
