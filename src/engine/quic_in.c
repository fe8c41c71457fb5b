/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * quic_in.c - QUIC, the engine's second transport (issue 16): UDP
 * datagrams in, the TLS handshake's CRYPTO bytes out to the TLS layer
 * through its seam (tls_input.h), as TCP hands it its stream.
 *
 * A QUIC connection is keyed by its UDP 4-tuple (the flow table's key,
 * as for TCP): simple, and enough for a handshake, which does not
 * migrate (RFC 9000 9: no migration before the handshake is confirmed).
 * It starts with a client's Initial packet that opens with the keys of
 * its own Destination Connection ID (RFC 9001 5.2): that is the content
 * test, on any port.  Side A, the sender of that datagram, is the client.
 *
 * Without a key log only the Initial packets open (this slice): their
 * CRYPTO frames, reassembled by offset per direction, carry the
 * ClientHello and the ServerHello; a CONNECTION_CLOSE in them carrying a
 * crypto error (0x0100 + alert, RFC 9001 4.8) becomes a TLS alert in the
 * timeline, read by the same diagnoses as over TCP.  Handshake, 0-RTT
 * and 1-RTT packets are counted and shown by type, and each direction's
 * datagrams numbered by what they held (td_quic_conn.datagrams): from
 * that order fate.c decides whether the handshake completed
 * (td_fate_quic_completed(), inferred as TLS 1.3 over TCP without keys).  A Retry (its tag checked) changes the Initial
 * keys to those of its Source Connection ID (RFC 9001 5.2).
 *
 * With a key log (the TLS 1.3 labels, by the ClientHello's random, found
 * as decrypt.c finds them for TCP), each side's Handshake packets open
 * with the keys of its *_HANDSHAKE_TRAFFIC_SECRET and its 1-RTT packets
 * with those of its *_TRAFFIC_SECRET_0, derived for the ServerHello's
 * suite (RFC 9001 5.1).  Their CRYPTO frames are two more streams per
 * direction (each level's offsets start at 0, RFC 9000 19.6) into the
 * same handshake joiner, marked decrypted: EncryptedExtensions, the
 * certificates, CertificateVerify, Finished (and NewSessionTicket at
 * 1-RTT) fill the model as over TCP; a CONNECTION_CLOSE in them is read
 * as in an Initial; a server's HANDSHAKE_DONE completes the handshake.
 * 1-RTT keys follow the key phase bit (RFC 9001 6): the keys of both
 * phases are kept, and a packet that opens with the other phase's moves
 * to them and derives the ones after.  Once the server's HANDSHAKE_DONE
 * was read, a direction past its first APP_PACKETS_OPENED 1-RTT packets
 * only opens the small ones (a CONNECTION_CLOSE), as decrypt.c goes
 * sparse on TCP.  Without the
 * secrets the packets are only counted, and a key log that opened
 * nothing says so as for TCP (the connection is not decrypted).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "diagnose.h"
#include "flow.h"
#include "flowtab.h"
#include "quic.h"
#include "reasm.h"
#include "text.h"
#include "tls_input.h"
#include "tls_names.h"

/* Bytes of a reason phrase kept (sanitized, it fits TD_QUIC_REASON_MAX). */
#define REASON_KEPT 60u
/* A crypto error is 0x0100 + a TLS alert (RFC 9001 4.8, 20.1). */
#define CRYPTO_ERROR_BASE 0x0100u

/* 1-RTT packets opened per direction before it goes sparse, and the
 * largest packet a sparse direction still opens (a CONNECTION_CLOSE with
 * a reason phrase fits, stream data does not). */
#define APP_PACKETS_OPENED TD_CAP_APP_RECORDS
#define SPARSE_PACKET_MAX 256u

/* One direction at the Handshake or 1-RTT level: its keys and CRYPTO
 * stream, allocated when the key log first has the level's secret
 * (level_ready): a flood of Initials holds none (2 x 2 x 400 bytes). */
struct level_keys {
	struct td_quic_keys k[2];       /* Handshake: k[0]; 1-RTT: by key phase bit */
	struct td_quic_stream stream;   /* the level's CRYPTO frames */
	unsigned phase;                 /* 1-RTT: the current key phase bit */
	bool set;                       /* keyed from the key log */
	bool off;                       /* no more tries (wrong keys, bad suite) */
	uint64_t opened;                /* packets opened */
	uint32_t failed;                /* packets that did not open */
	uint64_t largest;               /* largest packet number, UINT64_MAX: none */
};

struct quic_dir {
	struct td_quic_stream initial;  /* the Initial-level CRYPTO stream */
	struct level_keys *hs, *one;    /* owned: Handshake, 1-RTT; NULL until keyed */
	uint64_t largest;               /* largest Initial packet number, UINT64_MAX: none */
	uint32_t events;                /* long-header packets put in the timeline */
	bool short_seen;                /* a 1-RTT packet went by */
	bool capped;                    /* TD_AN_QUIC_CRYPTO_CAP said */
	bool budget_said;               /* TD_AN_MEMORY_CAP said */
};

struct quic_state {
	uint32_t version;               /* the client's first Initial's */
	struct td_quic_cid odcid;       /* its Destination Connection ID */
	struct td_quic_keys keys[2];    /* Initial keys by td_dir */
	struct td_quic_keys *old;       /* owned, [2] by td_dir, NULL until a Retry: the
					   keys before it (its packets still open) */
	struct quic_dir d[2];           /* by td_dir */
	bool server_cid_final;          /* server_scid came from its Initial or Handshake
					   (a Retry's may differ: RFC 9000 7.3) */
	bool mismatch_said;             /* TD_AN_KEYLOG_MISMATCH said */
	bool confirmed;                 /* the server's HANDSHAKE_DONE was read */
};

static void level_free(struct level_keys *lk)
{
	if (!lk)
		return;
	td_quic_stream_cleanup(&lk->stream);
	for (int k = 0; k < 2; k++)
		td_quic_keys_cleanup(&lk->k[k]);
	free(lk);
}

void td_fl_quic_free(struct quic_state *q)
{
	if (!q)
		return;
	for (int i = 0; i < 2; i++) {
		td_quic_stream_cleanup(&q->d[i].initial);
		level_free(q->d[i].hs);
		level_free(q->d[i].one);
		td_quic_keys_cleanup(&q->keys[i]);
		if (q->old)
			td_quic_keys_cleanup(&q->old[i]);
	}
	free(q->old);
	free(q);
}

/* Room for the payload of a packet of n bytes (never longer than its
 * packet): the engine's buffer, grown to the largest packet, one for all
 * connections (not 1.2 KiB each).  A packet's frames are read to the end
 * before the next packet is opened, and what they give is copied (stream
 * windows, handshake joiner, model).  NULL (said on c, if any) when it
 * cannot grow. */
static uint8_t *payload_room(struct td_engine *e, struct td_conn *c, size_t n)
{
	if (n > e->quic_buf_cap) {
		uint8_t *b = realloc(e->quic_buf, n);
		if (!b) {
			if (c)
				td_fl_nomem(c, TD_ERR_NOMEM);
			return NULL;
		}
		e->quic_buf = b;
		e->quic_buf_cap = n;
	}
	return e->quic_buf;
}

/* ---- frames --------------------------------------------------------- */

struct frame_ctx {
	struct flow *f;
	int side;
	enum td_dir dir;
	enum td_quic_ptype in;
	struct td_quic_stream *stream;  /* the level's CRYPTO stream */
	bool decrypted;                 /* opened with the key log's secrets */
};

static void deliver(void *ctx, const uint8_t *data, size_t len)
{
	struct frame_ctx *fc = ctx;
	td_tls_in_handshake(fc->f, fc->side, data, len, fc->decrypted);
}

/* A CRYPTO frame into its stream.  What the stream dropped is counted on
 * the connection, as a TCP direction's reassembly drops are (engine.c adds
 * them when the flow ends): the cap's and memory's, and the budget's,
 * which the budget also counts for the summary's memory_bytes.  Each
 * reason is said once per direction. */
static void on_crypto(void *ctx, uint64_t offset, const uint8_t *data, size_t len)
{
	struct frame_ctx *fc = ctx;
	struct quic_dir *qd = &fc->f->quic->d[fc->dir];
	struct td_quic_stream *s = fc->stream;
	uint64_t capped = s->dropped, budget = s->budget_dropped;
	enum td_result r = td_quic_stream_add(s, offset, data, len, deliver, fc);
	struct td_conn *c = fc->f->conn;
	if (r == TD_OK || !c)
		return;
	capped = s->dropped - capped;
	budget = s->budget_dropped - budget;
	c->side[fc->dir].cap_dropped += capped + budget;
	if (r == TD_ERR_NOMEM) {
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_OUT_OF_MEMORY, fc->dir, 0, NULL, NULL));
		return;
	}
	if (budget && !qd->budget_said) {
		qd->budget_said = true;
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_MEMORY_CAP, fc->dir, 0, NULL, NULL));
	}
	if (capped && !qd->capped) {
		qd->capped = true;
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_QUIC_CRYPTO_CAP, fc->dir,
					       TD_CAP_QUIC_CRYPTO_AHEAD, NULL, NULL));
	}
}

static void on_close(void *ctx, const struct td_quic_close *cl)
{
	struct frame_ctx *fc = ctx;
	struct td_conn *c = fc->f->conn;
	if (!c)
		return;
	char *reason = cl->reason_len
		? td_text_sanitize(cl->reason, cl->reason_len < REASON_KEPT ? cl->reason_len
									    : REASON_KEPT)
		: NULL;
	if (!c->quic.close.seen) {
		c->quic.close.seen = true;
		c->quic.close.dir = fc->dir;
		c->quic.close.in = fc->in;
		c->quic.close.app = cl->app;
		c->quic.close.error = cl->error;
		c->quic.close.frame_type = cl->frame_type;
		snprintf(c->quic.close.reason, sizeof c->quic.close.reason, "%s",
			 reason ? reason : "");
		c->changes++;
	}
	char detail[200];
	struct td_event ev = { .dir = fc->dir, .detail = detail, .encrypted = fc->decrypted,
			       .decrypted = fc->decrypted };
	if (!cl->app && cl->error >= CRYPTO_ERROR_BASE && cl->error <= CRYPTO_ERROR_BASE + 0xffu) {
		/* The TLS alert the peer would have sent over TCP, fatal. */
		ev.kind = TD_EV_ALERT;
		ev.content_type = TD_CT_ALERT;
		ev.alert_level = 2;
		ev.alert_desc = (uint8_t)(cl->error - CRYPTO_ERROR_BASE);
		snprintf(detail, sizeof detail, "QUIC CONNECTION_CLOSE in a%s %s packet%s%s%s",
			 fc->in == TD_QP_INITIAL ? "n" : "", td_quic_ptype_name(fc->in),
			 reason ? ", reason \"" : "", reason ? reason : "", reason ? "\"" : "");
	} else {
		ev.kind = TD_EV_QUIC_CLOSE;
		char ft[32] = "";
		if (!cl->app)
			snprintf(ft, sizeof ft, ", frame type 0x%llx", (unsigned long long)cl->frame_type);
		snprintf(detail, sizeof detail, "QUIC CONNECTION_CLOSE (%s error 0x%llx%s%s%s)",
			 cl->app ? "application" : "transport", (unsigned long long)cl->error, ft,
			 reason ? ", reason: " : "", reason ? reason : "");
	}
	free(reason);
	td_fl_add_event(fc->f, fc->dir, &ev);
}

/* ---- packets -------------------------------------------------------- */

/* The frames of an opened packet into the level's stream and the
 * timeline; what td_quic_frames saw. */
static struct td_quic_frame_info read_frames(struct frame_ctx *fc, const uint8_t *out, size_t len)
{
	struct td_quic_frame_cb cb = { on_crypto, on_close, fc };
	struct td_quic_frame_info info;
	enum td_result r = td_quic_frames(out, len, &cb, &info);
	/* A frame type tlsdiag does not know ends the walk, cleanly. */
	if (r != TD_OK && r != TD_SKIP && fc->f->conn)
		td_fl_malformed(fc->f, fc->dir, "QUIC frames", r);
	return info;
}

/* Open an Initial packet with the direction's keys, or with those from
 * before a Retry (packets sent before it): its payload into out, *len
 * bytes; false when it does not open. */
static bool open_initial(struct quic_state *q, enum td_dir dir, const uint8_t *p,
			 const struct td_quic_hdr *h, uint8_t *out, size_t *len)
{
	uint64_t pn = 0;
	struct quic_dir *qd = &q->d[dir];
	const struct td_quic_keys *tries[2] = { &q->keys[dir], q->old ? &q->old[dir] : NULL };
	for (int i = 0; i < 2; i++) {
		if (!tries[i] || !tries[i]->set)
			continue;
		if (td_quic_unprotect(tries[i], p, h, qd->largest, out, len, &pn) == TD_OK) {
			if (qd->largest == UINT64_MAX || pn > qd->largest)
				qd->largest = pn;
			return true;
		}
	}
	return false;
}

static void initial_packet(struct flow *f, int side, enum td_dir dir, const uint8_t *p,
			   const struct td_quic_hdr *h)
{
	struct td_conn *c = f->conn;
	uint8_t *out = payload_room(f->eng, f->conn, h->size);
	if (!out)
		return;
	size_t len = 0;
	if (!open_initial(f->quic, dir, p, h, out, &len)) {
		c->quic.undecryptable++;
	} else {
		struct frame_ctx fc = { f, side, dir, h->type, &f->quic->d[dir].initial, false };
		(void)read_frames(&fc, out, len);
	}
}

/* ---- Handshake and 1-RTT packets, with a key log ------------------------- */

static const enum td_keylog_label hs_label[2] = {
	[TD_DIR_C2S] = TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET,
	[TD_DIR_S2C] = TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET,
};
static const enum td_keylog_label app_label[2] = {
	[TD_DIR_C2S] = TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0,
	[TD_DIR_S2C] = TD_KEYLOG_SERVER_TRAFFIC_SECRET_0,
};

/* The level's keys (*slot), or NULL when they are not there.  Keyed on
 * the first try that finds the secret, which allocates the level: the
 * ServerHello (the suite) and the ClientHello (the random the key log is
 * keyed by) must have been read.  A secret missing now may come later (a
 * live key log): tried again at the next packet. */
static struct level_keys *level_ready(struct flow *f, enum td_dir dir, struct level_keys **slot,
				      enum td_keylog_label label, uint32_t version,
				      bool both_phases)
{
	struct td_conn *c = f->conn;
	struct level_keys *lk = *slot;
	if (lk && lk->set)
		return lk;
	if ((lk && lk->off) || !f->eng->cfg.keylog || !c->ch.present || !c->sh.present ||
	    c->sh.hrr)
		return NULL;
	size_t len = 0;
	const uint8_t *secret = td_fl_find_secret(f, label, &len, false);
	if (!secret)
		return NULL;
	lk = calloc(1, sizeof *lk);
	if (!lk) {
		td_fl_nomem(c, TD_ERR_NOMEM);
		return NULL;
	}
	*slot = lk;
	td_quic_stream_init(&lk->stream);
	td_quic_stream_set_budget(&lk->stream, &f->eng->budget);  /* as flow_open's */
	enum td_result r = td_quic_keys_from_secret(version, c->cipher, secret, len, &lk->k[0]);
	if (r == TD_OK && both_phases)
		r = td_quic_keys_next(&lk->k[0], &lk->k[1]);
	if (r != TD_OK) {
		lk->off = true;
		char suite[96];
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_KEYLOG_UNSUPPORTED, dir, 0, "QUIC",
			td_tls_name(TD_REG_CIPHER, c->cipher, suite, sizeof suite)));
		return NULL;
	}
	lk->set = true;
	lk->largest = UINT64_MAX;
	return lk;
}

/* A packet that does not open with the level's keys.  When the first
 * MISMATCH_AFTER packets of the level all fail, the key log's secret is
 * not this connection's: said once, as for TCP, and the level stops
 * trying (one damaged packet is not enough to say so); once a packet
 * opened, a damaged or late-phase packet is only counted. */
#define MISMATCH_AFTER 3u
static void not_opened(struct flow *f, enum td_dir dir, struct level_keys *lk)
{
	struct quic_state *q = f->quic;
	struct td_conn *c = f->conn;
	if (lk->opened > 0 || ++lk->failed < MISMATCH_AFTER)
		return;
	lk->off = true;
	if (!q->mismatch_said) {
		q->mismatch_said = true;
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_KEYLOG_MISMATCH, dir, 0, NULL, NULL));
	}
}

static void handshake_packet(struct flow *f, int side, enum td_dir dir, const uint8_t *p,
			     const struct td_quic_hdr *h)
{
	struct quic_dir *qd = &f->quic->d[dir];
	struct level_keys *lk = level_ready(f, dir, &qd->hs, hs_label[dir], h->version, false);
	if (!lk)
		return;
	uint8_t *out = payload_room(f->eng, f->conn, h->size);
	if (!out)
		return;
	size_t len = 0;
	uint64_t pn = 0;
	if (td_quic_unprotect(&lk->k[0], p, h, lk->largest, out, &len, &pn) != TD_OK) {
		not_opened(f, dir, lk);
	} else {
		lk->opened++;
		f->conn->decrypted = true;
		if (lk->largest == UINT64_MAX || pn > lk->largest)
			lk->largest = pn;
		struct frame_ctx fc = { f, side, dir, h->type, &lk->stream, true };
		(void)read_frames(&fc, out, len);
	}
}

/* A 1-RTT packet (the rest of the datagram, n bytes).  Its Destination
 * Connection ID is the receiver's: the client's Source Connection ID
 * for what the server sends, the server's for what the client sends. */
static void short_packet(struct flow *f, int side, enum td_dir dir, const uint8_t *p, size_t n)
{
	struct td_conn *c = f->conn;
	struct quic_state *q = f->quic;
	struct quic_dir *qd = &q->d[dir];
	if (dir == TD_DIR_C2S && !c->quic.server_scid_seen)
		return;
	uint32_t version = c->quic.server_version ? c->quic.server_version : q->version;
	struct level_keys *lk = level_ready(f, dir, &qd->one, app_label[dir], version, true);
	if (!lk)
		return;
	/* Once the handshake is confirmed and a few packets were read, bulk
	 * data is passed over (what comes before HANDSHAKE_DONE is all read:
	 * NewSessionTicket, the server's HANDSHAKE_DONE itself). */
	if (q->confirmed && lk->opened >= APP_PACKETS_OPENED && n > SPARSE_PACKET_MAX)
		return;
	size_t dcid = dir == TD_DIR_S2C ? c->quic.client_scid.len : c->quic.server_scid.len;
	uint8_t *out = payload_room(f->eng, f->conn, n);
	if (!out)
		return;
	const struct td_quic_keys *const by_phase[2] = { &lk->k[0], &lk->k[1] };
	size_t len = 0;
	uint64_t pn = 0;
	unsigned phase = 0;
	if (td_quic_unprotect_short(by_phase, p, n, dcid, lk->largest, out, &len, &pn,
				    &phase) != TD_OK) {
		not_opened(f, dir, lk);
		return;
	}
	lk->opened++;
	c->decrypted = true;
	if (lk->largest == UINT64_MAX || pn > lk->largest)
		lk->largest = pn;
	if (phase != lk->phase) {
		/* A key update (RFC 9001 6.1): the other phase's keys are the
		 * current ones now; the old phase's slot takes the next. */
		lk->phase = phase;
		struct td_quic_keys next;
		if (td_quic_keys_next(&lk->k[phase], &next) == TD_OK)
			lk->k[phase ^ 1u] = next;
		else
			td_quic_keys_cleanup(&lk->k[phase ^ 1u]);
		td_quic_keys_cleanup(&next);
	}
	struct frame_ctx fc = { f, side, dir, TD_QP_1RTT, &lk->stream, true };
	struct td_quic_frame_info info = read_frames(&fc, out, len);
	/* The server confirms the handshake (RFC 9001 4.1.2). */
	if (info.handshake_done && dir == TD_DIR_S2C) {
		q->confirmed = true;
		if (!f->established_us && c->sh.present)
			td_fl_established(f);
	}
}

static void retry_packet(struct flow *f, enum td_dir dir, const uint8_t *p,
			 const struct td_quic_hdr *h)
{
	struct td_conn *c = f->conn;
	struct quic_state *q = f->quic;
	if (dir != TD_DIR_S2C || c->quic.retry)
		return;
	if (!td_quic_retry_valid(q->version, &q->odcid, p, h->size)) {
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_QUIC_BAD_RETRY, dir, 0, NULL, NULL));
		return;
	}
	c->quic.retry = true;
	c->changes++;
	/* The client's next Initials go to the Retry's Source Connection ID
	 * and are protected with keys derived from it (RFC 9001 5.2). */
	if (!q->old)
		q->old = calloc(2, sizeof *q->old);
	if (q->old)
		for (int i = 0; i < 2; i++)
			q->old[i] = q->keys[i];
	else
		td_fl_nomem(c, TD_ERR_NOMEM);
	if (td_quic_initial_keys(q->version, &h->scid, &q->keys[TD_DIR_C2S],
				 &q->keys[TD_DIR_S2C]) != TD_OK)
		td_fl_nomem(c, TD_ERR_NOMEM);
	/* The server's Initial packet numbers start again after a Retry. */
	q->d[TD_DIR_S2C].largest = UINT64_MAX;
}

static void show_packet(struct flow *f, enum td_dir dir, const struct td_quic_hdr *h)
{
	struct quic_dir *qd = &f->quic->d[dir];
	if (h->type == TD_QP_1RTT) {
		if (qd->short_seen)
			return;
		qd->short_seen = true;
	} else if (qd->events++ >= TD_CAP_QUIC_EVENTS) {
		return;
	}
	struct td_event ev = { .kind = TD_EV_QUIC_PACKET, .quic_type = (uint8_t)h->type,
			       .length = h->size > UINT32_MAX ? UINT32_MAX : (uint32_t)h->size };
	td_fl_add_event(f, dir, &ev);
}

static void packet(struct flow *f, int side, const uint8_t *p, const struct td_quic_hdr *h)
{
	struct td_conn *c = f->conn;
	struct quic_state *q = f->quic;
	enum td_dir dir = td_fl_side_dir(f, side);
	c->quic.packets[dir][h->type]++;
	show_packet(f, dir, h);
	if (dir == TD_DIR_S2C && h->type != TD_QP_1RTT && h->type != TD_QP_VERSION_NEG) {
		if (!c->quic.server_version)
			c->quic.server_version = h->version;
		bool hs = h->type == TD_QP_INITIAL || h->type == TD_QP_HANDSHAKE;
		if ((!c->quic.server_scid_seen && h->type != TD_QP_OTHER) ||
		    (hs && !q->server_cid_final)) {
			c->quic.server_scid_seen = true;
			c->quic.server_scid = h->scid;
			q->server_cid_final = hs;
			c->changes++;
		}
	}
	switch (h->type) {
	case TD_QP_INITIAL:
		initial_packet(f, side, dir, p, h);
		break;
	case TD_QP_RETRY:
		retry_packet(f, dir, p, h);
		break;
	case TD_QP_VERSION_NEG:
		if (dir == TD_DIR_S2C && c->quic.n_vn == 0) {
			for (size_t i = 0; i < h->n_versions && c->quic.n_vn < TD_QUIC_VN_MAX; i++) {
				const uint8_t *v = h->versions + 4 * i;
				c->quic.vn_versions[c->quic.n_vn++] =
					(uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
					(uint32_t)v[2] << 8 | v[3];
			}
			c->changes++;
		}
		break;
	case TD_QP_1RTT:
		/* Whether the handshake completed is the fate's to judge
		 * (fate.c, from the order of packet types by datagram), or
		 * known from a decrypted HANDSHAKE_DONE. */
		short_packet(f, side, dir, p, h->size);
		break;
	case TD_QP_HANDSHAKE:
		handshake_packet(f, side, dir, p, h);
		break;
	case TD_QP_0RTT:
	case TD_QP_OTHER:
	case TD_QP_N:
		break;
	}
}

/* A first byte of 0: padding after a packet, or a 1-RTT packet whose
 * fixed bit is greased (RFC 9287; ngtcp2 does it) and whose other bits
 * header protection masked to 0 (one such packet in 32).  A packet
 * coalesced after another carries the same Destination Connection ID
 * (RFC 9000 12.2); the first packet of a datagram, the receiver's
 * connection ID (prev is that one then: padding never begins a
 * datagram); padding is zeros. */
static bool greased_short(const uint8_t *d, size_t n, const struct td_quic_cid *prev)
{
	return prev->len > 0 && n > 1u + prev->len && memcmp(d + 1, prev->b, prev->len) == 0;
}

/* Where this datagram stands in the connection's order (conn.h,
 * td_quic_conn.datagrams), then whether the handshake is now known to
 * have completed (fate.c, td_fate_quic_completed(): one definition). */
static void datagram_order(struct flow *f, enum td_dir dir, bool lng, bool shrt)
{
	struct td_quic_conn *q = &f->conn->quic;
	if (q->datagrams == UINT32_MAX)
		return;
	uint32_t k = ++q->datagrams;
	if (lng)
		q->last_long[dir] = k;
	if (shrt && !q->first_short[dir])
		q->first_short[dir] = k;
	if (shrt && !lng)
		q->last_short_only[dir] = k;
	q->last_dgram[dir] = k;
	q->last_dgram_us[dir] = f->eng->now_us;
	if (!f->established_us && td_fate_quic_completed(f->conn))
		td_fl_established(f);
}

static void datagram(struct flow *f, int side, const uint8_t *d, size_t n)
{
	enum td_dir dir = td_fl_side_dir(f, side);
	bool lng = false, shrt = false;
	struct td_quic_cid prev = { 0 };
	if (f->conn && dir == TD_DIR_S2C)
		prev = f->conn->quic.client_scid;
	else if (f->conn && f->conn->quic.server_scid_seen)
		prev = f->conn->quic.server_scid;
	while (n > 0 && f->conn) {
		struct td_quic_hdr h;
		enum td_result r = td_quic_parse(d, n, &h);
		if (r == TD_SKIP && greased_short(d, n, &prev)) {
			memset(&h, 0, sizeof h);
			h.type = TD_QP_1RTT;
			h.size = n;
			r = TD_OK;
		}
		if (r == TD_SKIP)
			break;  /* padding after the packets */
		if (r != TD_OK) {
			td_fl_malformed(f, dir, "QUIC packet", r);
			break;
		}
		packet(f, side, d, &h);
		if (h.type == TD_QP_1RTT)
			shrt = true;
		else
			lng = true;
		prev = h.dcid;
		d += h.size;
		n -= h.size;
	}
	if (f->conn)
		datagram_order(f, dir, lng, shrt);
	td_fl_notify(f);
}

/* ---- flows -------------------------------------------------------------- */

/* A client's first Initial: does it open with the keys of its own DCID?
 * keys[] gets those keys by td_dir (the connection's, when it does; wiped
 * when it does not). */
static bool client_initial(struct td_engine *e, const uint8_t *d, size_t n,
			   struct td_quic_hdr *h, struct td_quic_keys keys[2])
{
	if (!td_quic_looks_initial(d, n) || td_quic_parse(d, n, h) != TD_OK)
		return false;
	if (td_quic_initial_keys(h->version, &h->dcid, &keys[TD_DIR_C2S], &keys[TD_DIR_S2C]) != TD_OK)
		return false;
	uint8_t *out = payload_room(e, NULL, h->size);
	size_t len = 0;
	uint64_t pn = 0;
	bool ok = out && td_quic_unprotect(&keys[TD_DIR_C2S], d, h, UINT64_MAX, out, &len, &pn) == TD_OK;
	if (!ok)
		for (int i = 0; i < 2; i++)
			td_quic_keys_cleanup(&keys[i]);
	return ok;
}

/* A flow for a client's first Initial (seg: its datagram, side A its
 * sender, h: its header); keys: its Initial keys by td_dir (client_initial),
 * or NULL for a version tlsdiag does not open (nothing of it is read but
 * its long header). */
static struct flow *flow_open(struct td_engine *e, const struct td_segment *seg,
			      const struct td_quic_hdr *h, const struct td_quic_keys *keys)
{
	struct flow *f = td_fl_new(e, seg->ts_us);
	if (!f)
		return NULL;
	f->quic = calloc(1, sizeof *f->quic);
	for (int i = 0; i < 2; i++)
		td_reasm_init(&f->s[i].reasm, e->cfg.flow_buffer, &e->budget);
	struct quic_state *q = f->quic;
	if (!q || td_flowtab_add(e->flows, seg, f) != TD_OK) {
		for (int i = 0; i < 2; i++)
			td_reasm_cleanup(&f->s[i].reasm);
		td_fl_quic_free(f->quic);
		td_fl_free(f);
		return NULL;
	}
	if (keys)
		for (int i = 0; i < 2; i++)
			q->keys[i] = keys[i];
	q->version = h->version;
	q->odcid = h->dcid;
	for (int i = 0; i < 2; i++) {
		td_quic_stream_init(&q->d[i].initial);
		/* Bytes held past a hole count against --max-memory, as TCP's
		 * out-of-order segments do. */
		td_quic_stream_set_budget(&q->d[i].initial, &e->budget);
		q->d[i].largest = UINT64_MAX;
	}
	f->s[0].addr = seg->src;
	f->s[0].port = seg->sport;
	f->s[1].addr = seg->dst;
	f->s[1].port = seg->dport;
	f->a_is_client = true;
	f->roles_known = true;
	td_fl_set_endpoints(f);
	e->st.flows++;
	struct td_conn *c = f->conn;
	c->tls = true;
	c->id = ++e->next_id;
	e->st.tls_connections++;
	c->quic.present = true;
	c->quic.version = h->version;
	c->quic.odcid = h->dcid;
	c->quic.client_scid = h->scid;
	c->changes++;
	return f;
}

static bool same_cid(const struct td_quic_cid *a, const struct td_quic_cid *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

/*
 * A version tlsdiag cannot open (RFC 8999: only the long header's
 * version and connection IDs are common to all): what looks like a
 * client's first Initial of it is remembered, and becomes a connection
 * only if a Version Negotiation packet answers it (vn_flow()), so that
 * other UDP traffic never shows up as QUIC.  It must fill a datagram of
 * 1200 bytes, as every client Initial (RFC 9000 14.1): servers send
 * Version Negotiation for nothing smaller (RFC 9000 5.2.2).
 */
static void remember_unknown(struct td_engine *e, const struct td_segment *seg)
{
	struct td_quic_hdr h;
	if (seg->len < 1200 || td_quic_parse(seg->payload, seg->len, &h) != TD_OK ||
	    h.type != TD_QP_OTHER || h.dcid.len < 8)
		return;
	e->quic_unknown.set = true;
	e->quic_unknown.seg = *seg;
	e->quic_unknown.seg.payload = NULL;
	e->quic_unknown.seg.len = 0;
	e->quic_unknown.version = h.version;
	e->quic_unknown.dcid = h.dcid;
	e->quic_unknown.scid = h.scid;
	e->quic_unknown.size = h.size;
}

/* A Version Negotiation packet that answers the remembered Initial (its
 * connection IDs swapped, RFC 9000 17.2.1): the connection, with that
 * Initial in its timeline.  NULL when it answers nothing remembered. */
static struct flow *vn_flow(struct td_engine *e, const struct td_segment *seg)
{
	struct td_quic_hdr h;
	const struct td_segment *m = &e->quic_unknown.seg;
	if (!e->quic_unknown.set || td_quic_parse(seg->payload, seg->len, &h) != TD_OK ||
	    h.type != TD_QP_VERSION_NEG || !td_addr_equal(&seg->src, &m->dst) ||
	    !td_addr_equal(&seg->dst, &m->src) || seg->sport != m->dport || seg->dport != m->sport ||
	    !same_cid(&h.dcid, &e->quic_unknown.scid) || !same_cid(&h.scid, &e->quic_unknown.dcid))
		return NULL;
	struct td_quic_hdr ch = { .type = TD_QP_OTHER, .version = e->quic_unknown.version,
				  .dcid = e->quic_unknown.dcid, .scid = e->quic_unknown.scid };
	e->quic_unknown.set = false;
	struct flow *f = flow_open(e, m, &ch, NULL);
	if (!f)
		return NULL;
	struct td_conn *c = f->conn;
	c->quic.packets[TD_DIR_C2S][TD_QP_OTHER]++;
	f->quic->d[TD_DIR_C2S].events++;
	size_t size = e->quic_unknown.size;
	struct td_event ev = { .kind = TD_EV_QUIC_PACKET, .quic_type = TD_QP_OTHER,
			       .ts_us = m->ts_us, .dir = TD_DIR_C2S,
			       .length = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size };
	td_fl_nomem(c, td_conn_add_event(c, &ev, NULL));
	c->quic.datagrams = 1;
	c->quic.last_long[TD_DIR_C2S] = c->quic.last_dgram[TD_DIR_C2S] = 1;
	c->quic.last_dgram_us[TD_DIR_C2S] = m->ts_us;
	return f;
}

static struct flow *quic_flow_new(struct td_engine *e, const struct td_segment *seg)
{
	struct td_quic_hdr h;
	struct td_quic_keys keys[2];
	if (client_initial(e, seg->payload, seg->len, &h, keys)) {
		struct flow *f = flow_open(e, seg, &h, keys);
		for (int i = 0; i < 2; i++)
			td_quic_keys_cleanup(&keys[i]);
		return f;
	}
	remember_unknown(e, seg);
	return NULL;
}

bool td_fl_quic_datagram(struct td_engine *e, const struct td_segment *seg)
{
	bool from_a = true;
	struct flow *f = td_flowtab_lookup(e->flows, seg, &from_a);
	if (f && !f->quic)
		return false;  /* a TCP flow on the same addresses and ports */
	if (!f) {
		f = quic_flow_new(e, seg);
		from_a = true;
	}
	if (!f) {
		f = vn_flow(e, seg);
		from_a = false;
	}
	if (!f)
		return false;
	if (f->conn)
		f->conn->last_us = seg->ts_us;
	datagram(f, from_a ? 0 : 1, seg->payload, seg->len);
	return true;
}
