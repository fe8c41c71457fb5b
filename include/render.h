/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render.h - what every renderer (src/render: text, JSON, Markdown and
 * Mermaid) and the live view (src/tui) show the same way: registry
 * names with GREASE, times relative to a connection's start, a
 * certificate's dates and key, and what the list caps dropped.  The
 * first room of the one render layer: a fact shown by two outputs is
 * worded here once.
 */
#ifndef TD_RENDER_H
#define TD_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "sink.h"
#include "tls_names.h"

/* td_tls_name(), except "GREASE" for RFC 8701 values.  Never NULL. */
const char *td_out_code_name(enum td_tls_registry reg, uint16_t v, char *buf, size_t len);

/* ts - c->start_us in microseconds; negative when the capture's clock
 * went backwards (saturates instead of overflowing). */
int64_t td_out_rel_us(const struct td_conn *c, uint64_t ts);

/* A certificate time (seconds since the epoch, UTC) as
 * "2025-01-01T00:00:00Z", or "2025-01-01" with date_only, into buf.
 * False (buf empty) when it cannot be represented. */
bool td_out_cert_time(char *buf, size_t len, int64_t secs, bool date_only);

/* The key as "RSA 4096", "EC 256 prime256v1", "Ed25519" into buf;
 * false (buf empty) when the key type is unknown. */
bool td_out_cert_key(char *buf, size_t len, const struct td_cert *cert);

/* Items refused by the list caps (TD_CAP_LIST, TD_CAP_CA_NAMES) over
 * every list of the connection: hellos, certificate request, certificates. */
uint64_t td_out_list_dropped(const struct td_conn *c);

/* One server port's TCP connections without TLS (sink.h), for the
 * summaries, into buf (cut to fit): "port 5432: 3 refused, 1 closed
 * without data, first 2024-02-29T18:40:22.123456Z"; counts that are 0
 * are left out. */
void td_out_tcp_port(char *buf, size_t len, const struct td_tcp_port *p);

/* Resumption and 0-RTT in one sentence into buf (cut to fit): "resumed
 * (PSK accepted: identity 0 of 1); 0-RTT early data accepted, 1 record
 * sent, decrypted", or "PSK offered (1 identity) but a full handshake
 * was done (resumption refused)"...  False (buf empty) when the
 * ClientHello offered neither a PSK nor early data. */
bool td_out_resumption(char *buf, size_t len, const struct td_conn *c);

/* The sentence for an EncryptedExtensions that carries ECH retry_configs. */
#define TD_OUT_ECH_REJECTED "ECH rejected by the server (it sent retry configs)"

/* Counts per diagnosis code over a run, for the summary. */
#define TD_TEXT_CODES 64
struct td_code_counts {
	const char *code[TD_TEXT_CODES];  /* static strings from the rules table */
	uint64_t n[TD_TEXT_CODES];
	enum td_severity sev[TD_TEXT_CODES];
	size_t used;
};
/* Counts c's diagnoses in cc (codes beyond TD_TEXT_CODES are not counted). */
void td_code_counts_add(struct td_code_counts *cc, const struct td_conn *c);

#endif
