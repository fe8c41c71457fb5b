/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rooms.h - each third-party library behind its own room, enforced by the
 * compiler.  Makefile.am forces this header into every file of src/
 * (-include) and tells each folder's library which libraries it may see:
 * -DTD_ROOM_WOLFSSL for src/x509/ and src/crypto/, -DTD_ROOM_CURSES for
 * src/tui/, -DTD_ROOM_PCAP for src/capture/, -DTD_ROOM_ZLIB for
 * src/capture/ (gzip'd captures) and src/decomp/ (compressed
 * certificates), -DTD_ROOM_BROTLI and -DTD_ROOM_ZSTD for src/decomp/,
 * -DTD_ROOM_SECCOMP for src/capture/ (the sandbox).
 * Everywhere else an identifier each library's headers #define (or use
 * in every declaration) is poisoned, so a stray #include of wolfSSL,
 * curses, libpcap, zlib, brotli, zstd or libseccomp fails to compile ("attempt to
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
#ifndef TD_ROOM_ZLIB
#pragma GCC poison ZLIB_VERSION
#endif
#ifndef TD_ROOM_BROTLI
#pragma GCC poison BROTLI_DEC_API
#endif
#ifndef TD_ROOM_ZSTD
#pragma GCC poison ZSTDLIB_API
#endif
#ifndef TD_ROOM_SECCOMP
#pragma GCC poison SCMP_VER_MAJOR
#endif

#endif
