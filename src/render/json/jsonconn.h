/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * jsonconn.h - the parts of a connection's JSON object (json.c writes
 * the object and the schema is in its opening comment): the hellos
 * (json_hello.c), the timeline and alerts (json_timeline.c), the
 * certificates, chains and certificate request (json_cert.c).
 *
 * Each function writes one member, key and value, of the object being
 * written on w, straight from the model: nothing is remembered from one
 * connection to the next, so a line depends on its connection alone.
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

/* "client_hello": {...} or null; "server_hello": {...} or null. */
void td_json_client_hello(struct td_jsonw *w, const struct td_client_hello *ch);
void td_json_server_hello(struct td_jsonw *w, const struct td_server_hello *sh);

/* "timeline": [...] and "alerts": [...], from c's events. */
void td_json_timeline(struct td_jsonw *w, const struct td_conn *c);
void td_json_alerts(struct td_jsonw *w, const struct td_conn *c);

/* key: [certificate, ...] and key: {seen, encrypted} of a chain;
 * "certificate_request": {...} or null. */
void td_json_certs(struct td_jsonw *w, struct td_jkey key, const struct td_chain *ch);
void td_json_chain_flags(struct td_jsonw *w, struct td_jkey key, const struct td_chain *ch);
void td_json_cert_request(struct td_jsonw *w, const struct td_cert_request *cr);

/* ---- members every part writes: names from the IANA registries
 * (tls_names.h, td_out_code_name) and lists of strings ---- */

/* key: NAME (the value's name in registry reg). */
static inline void kname(struct td_jsonw *w, struct td_jkey key, enum td_tls_registry reg,
			 uint16_t v)
{
	char buf[32];
	td_jsonw_jk_string(w, key, td_out_code_name(reg, v, buf, sizeof buf));
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
	for (size_t i = 0; i < l->n; i++) {
		char buf[32];
		td_jsonw_string(w, td_out_code_name(reg, l->v[i], buf, sizeof buf));
	}
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
