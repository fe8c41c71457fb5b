/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ja4.h - the JA4 TLS client fingerprint and its raw form (src/tls/ja4.c).
 *
 * JA4 is FoxIO's ClientHello fingerprint (the TLS client part, BSD-3
 * licensed; written here from its specification, technical_details/JA4.md
 * of github.com/FoxIO-LLC/ja4), in three parts a_b_c:
 *
 *   a  t|q (TCP or QUIC), the version ("13", "12"... "00"), d|i (SNI or
 *      not), the cipher and extension counts (two digits each, at most
 *      99), the first and last character of the first ALPN name ("00":
 *      none), e.g. "t13d1516h2";
 *   b  the first 12 hex digits of the SHA-256 of the cipher suites as
 *      4-digit lowercase hex, sorted, comma separated;
 *   c  the same of the extensions, sorted, without SNI (0000) and ALPN
 *      (0010), then "_" and the signature algorithms in the order sent.
 *
 * GREASE values (RFC 8701) are left out everywhere.  An empty list
 * hashes to "000000000000".  The raw form (ja4_r) shows the lists that
 * were hashed: a_<ciphers>_<extensions>[_<signature algorithms>].
 *
 * A function of the ClientHello model alone (conn.h) and the transport,
 * so TCP and QUIC fingerprint the same way.
 */
#ifndef TD_JA4_H
#define TD_JA4_H

#include <stdbool.h>
#include "conn.h"
#include "result.h"

/* Length of a JA4 fingerprint: 10 + 1 + 12 + 1 + 12. */
#define TD_JA4_LEN 36u

/*
 * Compute ch's JA4 into ch->ja4 and its raw form into ch->ja4_r (a new
 * string, replacing any earlier one), quic saying the hello came over
 * QUIC ("q") rather than TCP ("t").  An absent or SSLv2-compatible hello
 * gets none (ja4 "" and ja4_r NULL) and TD_OK.  TD_ERR_NOMEM when memory
 * runs out, TD_ERR_UNSUPPORTED when the hash fails: ch->ja4 is then ""
 * and ch->ja4_r NULL.
 */
enum td_result td_ja4_compute(struct td_client_hello *ch, bool quic) TD_MUST_CHECK;

#endif
