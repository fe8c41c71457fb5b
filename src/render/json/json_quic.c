/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_quic.c - a QUIC connection's "transport" and "quic" members
 * (schema: json.c).  Nothing for a TCP connection.
 */
#include "config.h"

#include <stdio.h>

#include "jsonconn.h"
#include "quic.h"
#include "quic_tp.h"

static void cid_hex(char *out, size_t len, const struct td_quic_cid *cid)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	for (size_t i = 0; i < cid->len && n + 2 < len; i++) {
		out[n++] = hex[cid->b[i] >> 4];
		out[n++] = hex[cid->b[i] & 15];
	}
	out[n] = '\0';
}

static void version(struct td_jsonw *w, const char *key, uint32_t v)
{
	char buf[16];
	const char *name = td_quic_version_name(v);
	if (!name) {
		snprintf(buf, sizeof buf, "0x%08x", (unsigned)v);
		name = buf;
	}
	td_jsonw_kstring(w, key, name);
}

static void packets(struct td_jsonw *w, const char *key, const uint64_t *n)
{
	td_jsonw_key(w, key);
	td_jsonw_object_begin(w);
	for (size_t t = 0; t < TD_QP_N; t++)
		if (n[t])
			td_jsonw_kuint(w, td_quic_ptype_name((enum td_quic_ptype)t), n[t]);
	td_jsonw_object_end(w);
}

/* "<side>_transport_parameters": name -> value (a number, true, or a
 * string: quic_tp.h), null when the hello had none; and, only when not
 * zero, "<side>_transport_parameters_more" (past the cap),
 * "..._duplicates" (repeated ids, not shown) and "..._truncated". */
static void tps(struct td_jsonw *w, const char *side, const struct td_quic_tps *p)
{
	char key[64], val[3 * TD_QUIC_TP_BYTES + 32];
	snprintf(key, sizeof key, "%s_transport_parameters", side);
	if (!p) {
		td_jsonw_knull(w, key);
		return;
	}
	td_jsonw_key(w, key);
	td_jsonw_object_begin(w);
	for (size_t i = 0; i < p->n; i++) {
		const struct td_quic_tp *t = &p->v[i];
		char name[48];
		td_quic_tp_key(t, name, sizeof name);
		if (t->kind == TD_QTP_INT) {
			td_jsonw_kuint(w, name, t->num);
		} else if (t->kind == TD_QTP_FLAG) {
			td_jsonw_kbool(w, name, true);
		} else {
			td_quic_tp_value(t, val, sizeof val);
			td_jsonw_kstring(w, name, val);
		}
	}
	td_jsonw_object_end(w);
	snprintf(key, sizeof key, "%s_transport_parameters_more", side);
	if (p->more)
		td_jsonw_kuint(w, key, p->more);
	snprintf(key, sizeof key, "%s_transport_parameters_duplicates", side);
	if (p->duplicates)
		td_jsonw_kuint(w, key, p->duplicates);
	snprintf(key, sizeof key, "%s_transport_parameters_truncated", side);
	if (p->truncated)
		td_jsonw_kbool(w, key, true);
}

void td_json_quic(struct td_jsonw *w, const struct td_conn *c)
{
	const struct td_quic_conn *q = &c->quic;
	if (!q->present)
		return;
	char buf[2 * TD_QUIC_CID_MAX + 1];
	td_jsonw_kstring(w, "transport", "quic");
	td_jsonw_key(w, "quic");
	td_jsonw_object_begin(w);
	version(w, "version", q->version);
	if (q->server_version)
		version(w, "server_version", q->server_version);
	else
		td_jsonw_knull(w, "server_version");
	cid_hex(buf, sizeof buf, &q->odcid);
	td_jsonw_kstring(w, "original_dcid", buf);
	cid_hex(buf, sizeof buf, &q->client_scid);
	td_jsonw_kstring(w, "client_scid", buf);
	if (q->server_scid_seen) {
		cid_hex(buf, sizeof buf, &q->server_scid);
		td_jsonw_kstring(w, "server_scid", buf);
	} else {
		td_jsonw_knull(w, "server_scid");
	}
	td_jsonw_kbool(w, "retry", q->retry);
	if (q->n_vn) {
		td_jsonw_key(w, "version_negotiation");
		td_jsonw_array_begin(w);
		for (size_t i = 0; i < q->n_vn; i++) {
			const char *name = td_quic_version_name(q->vn_versions[i]);
			char vb[16];
			snprintf(vb, sizeof vb, "0x%08x", (unsigned)q->vn_versions[i]);
			td_jsonw_string(w, name ? name : vb);
		}
		td_jsonw_array_end(w);
	}
	td_jsonw_key(w, "packets");
	td_jsonw_object_begin(w);
	packets(w, "c2s", q->packets[TD_DIR_C2S]);
	packets(w, "s2c", q->packets[TD_DIR_S2C]);
	td_jsonw_object_end(w);
	td_jsonw_kuint(w, "initial_undecryptable", q->undecryptable);
	if (q->close.seen) {
		td_jsonw_key(w, "close");
		td_jsonw_object_begin(w);
		td_jsonw_kstring(w, "from", td_dir_from(q->close.dir));
		td_jsonw_kstring(w, "packet", td_quic_ptype_name(q->close.in));
		td_jsonw_kstring(w, "kind", q->close.app ? "application" : "transport");
		td_jsonw_kuint(w, "error", q->close.error);
		if (!q->close.app)
			td_jsonw_kuint(w, "frame_type", q->close.frame_type);
		td_jsonw_kstring(w, "reason", q->close.reason);
		td_jsonw_object_end(w);
	} else {
		td_jsonw_knull(w, "close");
	}
	tps(w, "client", c->ch.quic_tp);
	tps(w, "server", c->sh.quic_tp);
	td_jsonw_object_end(w);
}
