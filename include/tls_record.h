/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_record.h - the TLS record layer (RFC 8446 5.1, RFC 5246 6.2).
 *
 *   struct {
 *       ContentType type;             1 byte: 20..24
 *       ProtocolVersion version;      2 bytes: 0x0300..0x0304
 *       uint16 length;                <= 2^14 + 2048
 *       opaque fragment[length];
 *   } TLSPlaintext / TLSCiphertext;
 *
 * One struct td_tls_stream per direction takes the in-order bytes of
 * the TCP stream in whatever pieces they arrive (a record split over
 * segments, several records per segment) and calls back once per whole
 * record.  It also recognises the SSLv2-compatible ClientHello (RFC 5246
 * appendix E.2) as the first message of a stream.
 *
 * Finding TLS: a stream is TLS when it starts with a plausible record
 * header.  When it does not (the start of the flow was not captured, a
 * STARTTLS protocol talks in clear first, a gap broke the stream), the
 * stream scans forward for a plausible record boundary, up to
 * TD_CAP_RESYNC_SCAN bytes, keeping the first bytes it skipped as
 * evidence (an HTTP error answered to a ClientHello, say).
 */
#ifndef TD_TLS_RECORD_H
#define TD_TLS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dynbuf.h"
#include "result.h"

struct td_tls_record {
	uint8_t type;          /* content type; 0 for an SSLv2 hello */
	uint16_t version;      /* record version; 0x0002 for SSLv2 */
	bool sslv2;            /* an SSLv2-compatible ClientHello: body is the
				  SSLv2 message from msg_type on */
	const uint8_t *body;   /* borrowed for the callback; NULL for an
				  application_data record skipped unread
				  (td_tls_stream.skip_appdata) */
	size_t len;
};

enum td_tls_stream_state {
	TD_TS_START,      /* nothing seen yet */
	TD_TS_SYNCED,     /* at a record boundary */
	TD_TS_SCANNING,   /* looking for a record boundary */
	TD_TS_GAVE_UP     /* scanned TD_CAP_RESYNC_SCAN bytes, found nothing */
};

#define TD_TLS_PREFIX_KEEP 64
/* application_data records of at most this many bytes are read whole
 * even with skip_appdata: a TLS 1.3 alert (19 bytes) or KeyUpdate (22)
 * is one, which a key log may still open, and copying them costs
 * nothing. */
#define TD_TLS_READ_SMALL 64u

struct td_tls_stream {
	enum td_tls_stream_state state;
	struct td_dynbuf buf;      /* a partial record, or bytes being scanned */
	uint64_t records;          /* whole records delivered */
	uint64_t skipped;          /* bytes skipped while scanning */
	uint64_t scanned;          /* bytes skipped by the current scan; at
				      TD_CAP_RESYNC_SCAN the stream gives up */
	uint8_t prefix[TD_TLS_PREFIX_KEEP]; /* the first bytes skipped */
	size_t prefix_len;
	bool oversize;             /* a record header claimed more than TD_CAP_RECORD */
	/* Set by the caller when it no longer reads application_data
	 * bodies (after the handshake, nothing left to decrypt but alerts):
	 * such a record, when longer than TD_TLS_READ_SMALL, is then passed
	 * over as it arrives, never copied, and delivered with a NULL body
	 * once its last byte has gone by. */
	bool skip_appdata;
	size_t skip_left;          /* bytes of the record being passed over */
	uint16_t skip_version;     /* ...its header */
	size_t skip_len;
};

typedef void (*td_tls_record_fn)(void *ctx, const struct td_tls_record *rec);

void td_tls_stream_init(struct td_tls_stream *s);
void td_tls_stream_cleanup(struct td_tls_stream *s);

/* Feed in-order stream bytes; calls cb for each whole record.  Returns
 * TD_OK, or TD_ERR_NOMEM.  Malformations (an oversize record, garbage
 * where a header should be) do not fail: the stream goes back to
 * scanning and the caller sees it in the state and counters. */
enum td_result td_tls_stream_feed(struct td_tls_stream *s, const uint8_t *data,
				  size_t len, td_tls_record_fn cb, void *ctx) TD_MUST_CHECK;

/* Bytes of the stream were lost: drop any partial record and scan for
 * the next boundary. */
void td_tls_stream_gap(struct td_tls_stream *s);

/* True when the n bytes at p start with a plausible TLS record header
 * (type 20..24, version 3.0..3.4, length in bounds) or an SSLv2
 * ClientHello.  Needs at least 5 bytes (3 for SSLv2). */
bool td_tls_plausible_header(const uint8_t *p, size_t n);

#endif
