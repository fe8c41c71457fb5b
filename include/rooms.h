/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rooms.h - each third-party library behind its own room, enforced by the
 * compiler.  Makefile.am forces this header into every file of src/
 * (-include) and tells each folder's library which libraries it may see:
 * -DTD_ROOM_WOLFSSL for src/x509/ and src/crypto/, -DTD_ROOM_CURSES for
 * src/tui/, -DTD_ROOM_PCAP for src/capture/.  Everywhere else an
 * identifier each library's headers #define is poisoned, so a stray
 * #include of wolfSSL, curses or libpcap fails to compile ("attempt to
 * use poisoned").  The headers live in /usr/include, so without this the
 * include would compile anywhere: the flags of pkg-config add nothing to
 * stop it.  tests/layout/rooms.sh checks that it does.
 *
 * Not included by any file: only forced by the build.
 */
#ifndef TD_ROOMS_H
#define TD_ROOMS_H

#ifndef TD_ROOM_WOLFSSL
#pragma GCC poison WOLFSSL_API
#endif
#ifndef TD_ROOM_CURSES
#pragma GCC poison NCURSES_VERSION
#endif
#ifndef TD_ROOM_PCAP
#pragma GCC poison PCAP_ERRBUF_SIZE
#endif

#endif
