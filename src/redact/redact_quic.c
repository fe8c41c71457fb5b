/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact_quic.c - the identifying values of a QUIC connection
 * (redact_quic.h).  A connection ID is chosen by its endpoint and may
 * be long-lived (a load balancer's routing key, RFC 9000 5.1), and a
 * reason phrase is the peer's free text: --redact hides both.
 */
#include "config.h"

#include <string.h>

#include "redact_quic.h"
#include "text.h"

void td_rq_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

size_t td_rq_unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (n < cap && s[0] && s[1]) {
		int hi = td_hex_value(s[0]), lo = td_hex_value(s[1]);
		if (hi < 0 || lo < 0)
			break;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return n;
}

static enum td_result cid(struct td_quic_cid *id, td_rq_bytes_fn bytes, void *ctx)
{
	return bytes(ctx, id->b, &id->len, sizeof id->b);
}

/* The values of a parameter list that name an endpoint: its connection
 * IDs, the stateless reset token (tied to a CID) and the preferred
 * address (addresses, a CID and a token).  A value not shown whole
 * (t->n < t->len) is redacted as kept, and its length becomes that of
 * the pseudonym. */
static enum td_result tps(struct td_quic_tps *p, td_rq_bytes_fn bytes, void *ctx)
{
	for (size_t i = 0; p && i < p->n; i++) {
		struct td_quic_tp *t = &p->v[i];
		bool hide = t->kind == TD_QTP_CID || t->kind == TD_QTP_TOKEN ||
			    t->kind == TD_QTP_ADDR ||
			    /* an invalid value of one of those ids: bytes all the same */
			    (t->kind == TD_QTP_BAD && (t->id == 0x00 || t->id == 0x02 ||
						       t->id == 0x0d || t->id == 0x0f ||
						       t->id == 0x10));
		if (!hide || t->n == 0)
			continue;
		enum td_result res = bytes(ctx, t->b, &t->n, sizeof t->b);
		if (res != TD_OK)
			return res;
		t->len = t->n;
	}
	return TD_OK;
}

enum td_result td_redact_quic(struct td_conn *c, td_rq_bytes_fn bytes, td_rq_text_fn text,
			      void *ctx)
{
	struct td_quic_conn *q = &c->quic;
	enum td_result res = TD_OK;
	if (q->present) {
		res = cid(&q->odcid, bytes, ctx);
		if (res == TD_OK)
			res = cid(&q->client_scid, bytes, ctx);
		if (res == TD_OK)
			res = cid(&q->server_scid, bytes, ctx);
		if (res == TD_OK && q->close.seen)
			res = text(ctx, q->close.reason, sizeof q->close.reason);
	}
	/* The parameters are redacted wherever they were read (a TCP hello
	 * may carry the extension too). */
	if (res == TD_OK)
		res = tps(c->ch.quic_tp, bytes, ctx);
	if (res == TD_OK)
		res = tps(c->sh.quic_tp, bytes, ctx);
	return res;
}
