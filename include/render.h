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
#include "packet.h"
#include "result.h"
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

/* The address alone ("192.0.2.1", "2001:db8::1") into buf (at least
 * 46 bytes); false (buf empty) for an address of no known family. */
bool td_out_ip(char *buf, size_t len, const struct td_addr *a);

/* Was the session resumed?  TLS 1.3: the ServerHello accepted a PSK;
 * TLS <= 1.2: it echoed the client's session id (by id or ticket).  The
 * one reading of the hellos the text, JSON and ECS outputs agree on. */
static inline bool td_out_resumed(const struct td_conn *c)
{
	return c->sh.present && (c->sh.psk || c->sh.session_id_echo);
}

/*
 * Community ID v1 (github.com/corelight/community-id-spec, as Zeek,
 * Suricata and Wireshark compute it): "1:" and the base64 of the SHA-1
 * of seed (2 bytes), the two addresses, the IP protocol (1 byte), a
 * zero byte and the two ports, all in network byte order, the smaller
 * address:port first so both directions give the same ID.  Written into
 * out (TD_COMMUNITY_ID_SIZE bytes: 2 + 28 + NUL).  TD_ERR_USAGE (out
 * "") for addresses of different or unknown families; the SHA-1's
 * errors (filehash.h) likewise.  src/render/community_id.c.
 */
#define TD_COMMUNITY_ID_SIZE 31u
enum td_result td_community_id(char out[TD_COMMUNITY_ID_SIZE], const struct td_addr *a,
			       uint16_t aport, const struct td_addr *b, uint16_t bport,
			       uint8_t proto, uint16_t seed) TD_MUST_CHECK;
/* A connection's, seed 0: TCP, or UDP for QUIC.  The addresses are the
 * ones the sink is given (pseudonyms after --redact). */
enum td_result td_out_community_id(char out[TD_COMMUNITY_ID_SIZE],
				   const struct td_conn *c) TD_MUST_CHECK;

/* RFC 4648 base64 (with padding, no line breaks) of n bytes at in into
 * out, NUL-terminated; the characters written: 0 for n 0, and 0 (out ""
 * when len allows) when out has fewer than TD_BASE64_SIZE(n) bytes. */
#define TD_BASE64_SIZE(n) (((n) + 2) / 3 * 4 + 1)
size_t td_out_base64(char *out, size_t len, const uint8_t *in, size_t n);

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
