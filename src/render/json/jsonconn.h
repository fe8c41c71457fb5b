/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonconn.h - the parts of a connection's JSON object (json.c writes
 * the object and the schema is in its opening comment): the hellos
 * (json_hello.c), the timeline and alerts (json_timeline.c), the
 * certificates, chains and certificate request (json_cert.c).
 *
 * Each function writes one member, key and value, of the object being
 * written on w, straight from the model.  What is remembered from one
 * connection to the next (a certificate's object by identity, a hello's
 * list by its values) is written again byte for byte only when its
 * input is the same, so a line depends on its connection alone.
 * The model is borrowed for the call.  Nothing fails: the writer notes
 * misuse and the FILE its errors (jsonw.h).
 */
#ifndef TD_JSONCONN_H
#define TD_JSONCONN_H

#include <stdint.h>
#include "conn.h"
#include "jsonw.h"
#include "render.h"
#include "tls_names.h"

/* The hellos' lists of names as last written, per member, to write the
 * same values again as they are (json_hello.c says why).  NULL: none
 * kept, every list is written afresh. */
struct td_json_lists;
struct td_json_lists *td_json_lists_new(void);
void td_json_lists_free(struct td_json_lists *m);

/* "client_hello": {...} or null; "server_hello": {...} or null. */
void td_json_client_hello(struct td_jsonw *w, struct td_json_lists *m,
			  const struct td_client_hello *ch);
void td_json_server_hello(struct td_jsonw *w, struct td_json_lists *m,
			  const struct td_server_hello *sh);

/* "timeline": [...] and "alerts": [...], from c's events. */
/* "psk" (only when the ClientHello offered one) and "early_data" with
 * its counts (only when it offered 0-RTT): json.c's header says what
 * they hold. */
void td_json_resumption(struct td_jsonw *w, const struct td_conn *c);
void td_json_timeline(struct td_jsonw *w, const struct td_conn *c);
/* "timeline": [...] from event `from` on (a tls_end line: the events
 * since the connection's first line). */
void td_json_timeline_from(struct td_jsonw *w, const struct td_conn *c, size_t from);
/* "anomalies": [{code, message}, ...]: each anomaly's stable code
 * (anomaly.h) and its message. */
void td_json_anomalies(struct td_jsonw *w, const struct td_anomalies *a);
/* "stats": {...}, a live run's statistics so far (json.c's schema: the
 * "stats" line). */
void td_json_stats(struct td_jsonw *w, const struct td_stats *st);
/* "transport": "quic" and the "quic" object (json_quic.c); nothing for TCP. */
void td_json_quic(struct td_jsonw *w, const struct td_conn *c);
/* "later_handshakes", only when the connection had a renegotiation or a
 * post-handshake authentication. */
void td_json_later(struct td_jsonw *w, const struct td_conn *c);
void td_json_alerts(struct td_jsonw *w, const struct td_conn *c);

/* Certificates' JSON by identity: a certificate is one immutable object
 * per distinct DER (conn.h), so its object, written once, is the same
 * for every connection that holds it; a sink keeps the last few (a
 * reference each, so no other certificate can take the address) and
 * writes them again as they are.  Measured on make bench's
 * handshake-heavy workload: see the commit.  NULL: none kept. */
struct td_json_certjson;
struct td_json_certjson *td_json_certjson_new(void);
void td_json_certjson_free(struct td_json_certjson *cj);

/* key: [certificate, ...] and key: {seen, encrypted} of a chain;
 * "certificate_request": {...} or null. */
void td_json_certs(struct td_jsonw *w, struct td_json_certjson *cj, struct td_jkey key,
		   const struct td_chain *ch);
void td_json_chain_flags(struct td_jsonw *w, struct td_jkey key, const struct td_chain *ch);
void td_json_cert_request(struct td_jsonw *w, const struct td_cert_request *cr);

/* ---- members every part writes: names from the IANA registries
 * (tls_names.h, td_out_code_name) and lists of strings ---- */

/* NAME, as td_out_code_name() words it: "GREASE", the IANA name, or
 * the value in hex or decimal.  None needs escaping (tls_names.h), and
 * the lookup knows the length: a ClientHello writes a hundred names. */
static inline void code_name(struct td_jsonw *w, enum td_tls_registry reg, uint16_t v)
{
	size_t n = 0;
	const char *s = td_tls_is_grease(v) ? "GREASE" : td_tls_lookup_len(reg, v, &n);
	if (s && n == 0)
		n = sizeof "GREASE" - 1;
	if (s) {
		td_jsonw_plain(w, s, n);
		return;
	}
	char buf[32];
	td_jsonw_string(w, td_tls_name(reg, v, buf, sizeof buf));
}

/* key: NAME (the value's name in registry reg). */
static inline void kname(struct td_jsonw *w, struct td_jkey key, enum td_tls_registry reg,
			 uint16_t v)
{
	td_jsonw_jkey(w, key);
	code_name(w, reg, v);
}

/* A name, or null when the value is 0 ("not known / not there"). */
static inline void kname_or_null(struct td_jsonw *w, struct td_jkey key,
				 enum td_tls_registry reg, uint16_t v)
{
	if (v == 0)
		td_jsonw_jk_null(w, key);
	else
		kname(w, key, reg, v);
}

/* key: [NAME, ...] */
static inline void knames(struct td_jsonw *w, struct td_jkey key, enum td_tls_registry reg,
			  const struct td_u16list *l)
{
	td_jsonw_jkey(w, key);
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < l->n; i++)
		code_name(w, reg, l->v[i]);
	td_jsonw_array_end(w);
}

/* key: [string, ...] */
static inline void kstrings(struct td_jsonw *w, struct td_jkey key, const struct td_strlist *l)
{
	td_jsonw_jkey(w, key);
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < l->n; i++)
		td_jsonw_string(w, l->v[i]);
	td_jsonw_array_end(w);
}

#endif
