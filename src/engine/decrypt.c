/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decrypt.c - key-log decryption of a flow's protected records (see
 * flow.h; the record protection itself is in src/tls/crypto.c).
 *
 * TLS 1.3 (RFC 8446 7.1-7.3): at the ServerHello each side is keyed
 * with its handshake traffic secret from the key log, after its
 * Finished with its first application traffic secret.
 * TLS <= 1.2 (RFC 5246 6.3): at each side's ChangeCipherSpec, with the
 * key block derived from the master secret (CLIENT_RANDOM) and both
 * randoms of the latest hellos, so a renegotiation is followed too.
 * A record that opens goes through the same decoders as a clear one;
 * one that does not authenticate turns decryption off for the
 * connection and says so once, never producing garbage messages.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "diagnose.h"
#include "flow.h"
#include "keylog.h"
#include "reader.h"

/* Application records decrypted per direction before decryption stops
 * (post-handshake alerts such as certificate_required arrive there). */
#define APP_RECORDS_DECRYPTED 4u

/* The encrypt_then_mac extension (RFC 7366). */
#define EXT_ENCRYPT_THEN_MAC 22u
/* The key log is re-read at most this often (capture time). */
#define REFRESH_US 10000u
/* A held record: 8-byte capture time, type, version, length, body. */
#define HELD_HEADER 13u

/* The secret for label and this connection, re-reading a growing key
 * log when it is missing (at most every REFRESH_US unless forced). */
static const uint8_t *find_secret(struct flow *f, enum td_keylog_label label, size_t *len,
				  bool force)
{
	struct td_engine *e = f->eng;
	const struct td_keylog *kl = e->cfg.keylog;
	*len = 0;
	if (!kl)
		return NULL;
	const uint8_t *secret = td_keylog_find(kl, label, f->client_random, len);
	if (secret || !e->cfg.keylog_refresh)
		return secret;
	if (!force && e->refreshed_us && e->now_us < e->refreshed_us + REFRESH_US)
		return NULL;
	e->refreshed_us = e->now_us ? e->now_us : 1;
	e->cfg.keylog_refresh(e->cfg.keylog_refresh_ctx);
	return td_keylog_find(kl, label, f->client_random, len);
}

/* Key side sd (sending in direction dir) from a secret; false when the
 * suite or the secret does not fit. */
static bool key_side(struct flow *f, struct side *sd, enum td_dir dir, const uint8_t *secret,
		     size_t len)
{
	struct td_conn *c = f->conn;
	if (td_fl_is_tls13(c)) {
		td_tls13_keys_cleanup(&sd->keys);
		return td_tls13_keys_init(&sd->keys, c->cipher, secret, len) == TD_OK;
	}
	/* encrypt_then_mac (RFC 7366) when both hellos carry it. */
	bool etm = td_u16list_has(&c->ch.extensions, EXT_ENCRYPT_THEN_MAC) &&
		   td_u16list_has(&c->sh.extensions, EXT_ENCRYPT_THEN_MAC);
	td_tls12_keys_cleanup(&sd->keys12);
	enum td_result r = td_tls12_keys_init(&sd->keys12, c->version, c->cipher, secret, len,
					      f->client_random, c->sh.random, etm,
					      dir == TD_DIR_C2S ? TD_TLS12_CLIENT_WRITE
								: TD_TLS12_SERVER_WRITE);
	if (r == TD_ERR_UNSUPPORTED && !f->suite_noted) {
		char version[32], suite[96];
		f->suite_noted = true;
		td_fl_nomem(c, td_conn_anomaly(c, "key log: tlsdiag cannot decrypt %s records "
			"of suite %s", td_tls_name(TD_REG_VERSION, c->version, version, sizeof version),
			td_tls_name(TD_REG_CIPHER, c->cipher, suite, sizeof suite)));
	}
	return r == TD_OK;
}

/* A pending side: key it if its secret has arrived. */
static void resolve(struct flow *f, struct side *sd, enum td_dir dir, bool force)
{
	size_t len = 0;
	const uint8_t *secret = find_secret(f, sd->want_label, &len, force);
	if (!secret)
		return;
	sd->key_state = key_side(f, sd, dir, secret, len) ? sd->want_state : KEYS_OFF;
}

/* Key the side that sends in direction dir from the key log.  When the
 * log has no such secret: pending if it may still arrive (a live key
 * log), else decryption of that side is off. */
void td_fl_set_keys(struct flow *f, enum td_dir dir, enum td_keylog_label label,
		    enum key_state state)
{
	struct side *sd = &f->s[td_fl_dir_side(f, dir)];
	sd->want_label = label;
	sd->want_state = state;
	sd->key_state = KEYS_PENDING;
	resolve(f, sd, dir, false);
	if (sd->key_state == KEYS_PENDING && !f->eng->cfg.keylog_refresh)
		sd->key_state = KEYS_OFF;
}

/* Replayed records were appended after later events (a FIN...): put
 * the timeline back in capture order, stable for equal times.  Short
 * (TD_CAP_EVENTS) and nearly sorted: insertion sort. */
static void sort_timeline(struct td_conn *c)
{
	if (!c)
		return;
	for (size_t i = 1; i < c->n_events; i++) {
		struct td_event ev = c->events[i];
		size_t j = i;
		for (; j > 0 && c->events[j - 1].ts_us > ev.ts_us; j--)
			c->events[j] = c->events[j - 1];
		c->events[j] = ev;
	}
}

/* Replay a side's held records through the record handler, each at its
 * own capture time, with whatever keys the side has now. */
static void replay_held(struct flow *f, int side)
{
	struct side *sd = &f->s[side];
	struct td_engine *e = f->eng;
	struct td_dynbuf held = sd->held;
	td_dynbuf_init(&sd->held, TD_CAP_HELD_RECORDS);
	td_dynbuf_set_budget(&sd->held, held.budget);
	uint64_t now = e->now_us;
	bool was = f->replaying;
	f->replaying = true;
	struct td_reader r = td_rd_make(held.data, held.len);
	while (td_rd_left(&r) >= HELD_HEADER) {
		uint64_t hi = td_rd_u32(&r);
		uint64_t ts = hi << 32 | td_rd_u32(&r);
		struct td_tls_record rec = { .type = td_rd_u8(&r), .version = td_rd_u16(&r) };
		rec.len = td_rd_u16(&r);
		rec.body = td_rd_bytes(&r, rec.len);
		if (!rec.body)
			break;
		e->now_us = ts;
		struct msg_ctx m = { f, side, false };
		td_fl_on_record(&m, &rec);
	}
	e->now_us = now;
	f->replaying = was;
	td_dynbuf_cleanup(&held);
	sort_timeline(f->conn);
}

bool td_fl_hold(struct flow *f, struct msg_ctx *m, const struct td_tls_record *rec)
{
	struct side *sd = &f->s[m->side];
	struct td_conn *c = f->conn;
	enum td_dir dir = td_fl_side_dir(f, m->side);
	resolve(f, sd, dir, false);
	if (sd->key_state != KEYS_PENDING) {
		replay_held(f, m->side);
		return false;
	}
	uint64_t ts = f->eng->now_us;
	uint8_t h[HELD_HEADER] = {
		(uint8_t)(ts >> 56), (uint8_t)(ts >> 48), (uint8_t)(ts >> 40), (uint8_t)(ts >> 32),
		(uint8_t)(ts >> 24), (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts,
		rec->type, (uint8_t)(rec->version >> 8), (uint8_t)rec->version,
		(uint8_t)(rec->len >> 8), (uint8_t)rec->len,
	};
	bool room = rec->len <= UINT16_MAX &&
		    sd->held.cap - sd->held.len >= HELD_HEADER + rec->len;
	if (room && td_dynbuf_add(&sd->held, h, sizeof h) == TD_OK) {
		if (td_dynbuf_add(&sd->held, rec->body, rec->len) == TD_OK) {
			c->side[dir].records--;  /* counted again when replayed */
			/* What the record's size and position say counts now, in
			 * capture order with the other side's records. */
			if (!td_fl_is_tls13(c))
				c->side[dir].encrypted_seen = true;
			td_fl_after_record(f, dir, rec->type, rec->len, true);
			return true;
		}
		sd->held.len -= sizeof h;
	}
	td_fl_nomem(c, td_conn_anomaly(c, "key log: no secret for the %s's records arrived "
		"in time; they stay encrypted", td_dir_from(dir)));
	sd->key_state = KEYS_OFF;
	replay_held(f, m->side);
	return false;
}

void td_fl_release_held(struct flow *f)
{
	for (int i = 0; i < 2 && f->conn; i++) {
		struct side *sd = &f->s[i];
		if (sd->key_state != KEYS_PENDING)
			continue;
		resolve(f, sd, td_fl_side_dir(f, i), true);
		if (sd->key_state == KEYS_PENDING) {
			sd->key_state = KEYS_OFF;
			if (sd->held.len > 0)
				td_fl_nomem(f->conn, td_conn_anomaly(f->conn, "key log: no secret "
					"for the %s's records", td_dir_from(td_fl_side_dir(f, i))));
		}
		replay_held(f, i);
	}
}

/* With a key log: open a protected record and hand its content to the
 * same decoders as clear records.  False when it could not be opened
 * (the caller then records it as encrypted). */
bool td_fl_decrypt(struct flow *f, struct msg_ctx *m, const struct td_tls_record *rec)
{
	struct td_engine *e = f->eng;
	struct td_conn *c = f->conn;
	struct side *sd = &f->s[m->side];
	enum td_dir dir = td_fl_side_dir(f, m->side);
	uint8_t header[5] = { rec->type, (uint8_t)(rec->version >> 8), (uint8_t)rec->version,
			      (uint8_t)(rec->len >> 8), (uint8_t)rec->len };
	size_t n = sizeof e->plain;
	uint8_t inner = rec->type;
	bool tls13 = td_fl_is_tls13(c);
	enum td_result r = tls13
		? td_tls13_decrypt(&sd->keys, header, rec->body, rec->len, e->plain, &n, &inner)
		: td_tls12_decrypt(&sd->keys12, header, rec->body, rec->len, e->plain, &n);
	if (r != TD_OK) {
		td_fl_nomem(c, td_conn_anomaly(c, "key log entry does not match this connection: "
			"a record from the %s did not decrypt", td_dir_from(dir)));
		f->s[0].key_state = KEYS_OFF;
		f->s[1].key_state = KEYS_OFF;
		return false;
	}
	c->decrypted = true;
	if (!tls13)
		c->side[dir].encrypted_seen = true;  /* TLS <= 1.2: its Finished counts */
	struct msg_ctx dm = { f, m->side, true };
	struct td_event ev = { .content_type = inner, .encrypted = true, .decrypted = true,
			       .length = (uint32_t)n };
	switch (inner) {
	case TD_CT_HANDSHAKE:
		r = td_hs_reasm_feed(&sd->hs, e->plain, n, td_fl_on_message, &dm);
		if (r != TD_OK)
			td_fl_malformed(f, dir, "decrypted handshake message", r);
		break;
	case TD_CT_ALERT: {
		struct td_reader rd = td_rd_make(e->plain, n);
		ev.kind = TD_EV_ALERT;
		ev.alert_level = td_rd_u8(&rd);
		ev.alert_desc = td_rd_u8(&rd);
		td_fl_add_event(f, dir, &ev);
		c->side[dir].encrypted_seen = true;
		break;
	}
	default:  /* application data: a few, then stop decrypting */
		c->side[dir].encrypted_seen = true;
		c->side[dir].encrypted_records++;
		if (!sd->appdata) {
			sd->appdata = true;
			ev.kind = TD_EV_APPDATA;
			td_fl_add_event(f, dir, &ev);
		}
		if (++sd->app_decrypted >= APP_RECORDS_DECRYPTED)
			sd->key_state = KEYS_OFF;
		break;
	}
	/* Record sizes still drive the inference (td_fl_check_established) as for
	 * records left encrypted. */
	td_fl_after_record(f, dir, rec->type, rec->len, true);
	if (e->sink->conn_update) {
		td_fate_judge(c, false);
		e->sink->conn_update(e->sink, c);
	}
	return true;
}
