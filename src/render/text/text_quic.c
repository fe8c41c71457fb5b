/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * text_quic.c - a QUIC connection's line in the text report:
 *
 *       QUIC QUICv1  DCID 8394c8f03e515708  client SCID -  server SCID f067a5502a4262b5  Retry
 *
 * and, when a CONNECTION_CLOSE was read, what it said.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "quic.h"
#include "quic_tp.h"
#include "textconn.h"
#include "textw.h"

static void cid_hex(char *out, size_t len, const char *label, const struct td_quic_cid *cid,
		    bool seen)
{
	static const char hex[] = "0123456789abcdef";
	int n = snprintf(out, len, "%s ", label);
	size_t k = n > 0 && (size_t)n < len ? (size_t)n : 0;
	if (!seen || cid->len == 0) {
		snprintf(out + k, len - k, "%s", seen ? "(empty)" : "-");
		return;
	}
	for (size_t i = 0; i < cid->len && k + 2 < len; i++) {
		out[k++] = hex[cid->b[i] >> 4];
		out[k++] = hex[cid->b[i] & 15];
	}
	out[k] = '\0';
}

void td_text_quic(struct td_tw *t, const struct td_conn *c)
{
	const struct td_quic_conn *q = &c->quic;
	if (!q->present)
		return;
	char buf[96];
	const char *name = td_quic_version_name(q->version);
	snprintf(buf, sizeof buf, "QUIC %s", name ? name : "?");
	td_tw_spaces(t, IND_BLOCK);
	td_tw_mark(t);
	td_tw_item(t, "", buf, IND_BLOCK, TD_TW_RESET);
	cid_hex(buf, sizeof buf, "DCID", &q->odcid, true);
	td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RESET);
	cid_hex(buf, sizeof buf, "client SCID", &q->client_scid, true);
	td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RESET);
	cid_hex(buf, sizeof buf, "server SCID", &q->server_scid, q->server_scid_seen);
	td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RESET);
	if (q->retry)
		td_tw_item(t, "  ", "Retry", IND_BLOCK, TD_TW_RESET);
	if (q->n_vn)
		td_tw_item(t, "  ", "Version Negotiation", IND_BLOCK, TD_TW_YELLOW);
	if (q->undecryptable) {
		snprintf(buf, sizeof buf, "%" PRIu64 " Initial packet%s unreadable",
			 q->undecryptable, q->undecryptable == 1 ? "" : "s");
		td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_YELLOW);
	}
	td_tw_end(t);
}

/* The verbose row of a hello's transport parameters: "name value" items,
 * wrapped like the other lists. */
void td_text_quic_tp(struct td_tw *t, const struct td_quic_tps *p)
{
	char buf[3 * TD_QUIC_TP_BYTES + 96], val[3 * TD_QUIC_TP_BYTES + 32];
	td_tw_spaces(t, IND_SUB);
	td_tw_printf(t, "%-*s", IND_VALUE - IND_SUB, "QUIC params");
	td_tw_mark(t);
	for (size_t i = 0; i < p->n; i++) {
		char name[48];
		td_quic_tp_key(&p->v[i], name, sizeof name);
		td_quic_tp_value(&p->v[i], val, sizeof val);
		snprintf(buf, sizeof buf, "%s %s", name, val[0] ? val : "(empty)");
		td_tw_item(t, i ? ", " : "", buf, IND_VALUE, TD_TW_RESET);
	}
	if (p->n == 0)
		td_tw_item(t, "", "(none)", IND_VALUE, TD_TW_RESET);
	if (p->more) {
		snprintf(buf, sizeof buf, "... (%zu more)", p->more);
		td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	}
	if (p->duplicates) {
		snprintf(buf, sizeof buf, "%zu repeated", p->duplicates);
		td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_YELLOW);
	}
	if (p->truncated)
		td_tw_item(t, ", ", "truncated", IND_VALUE, TD_TW_YELLOW);
	td_tw_end(t);
}
