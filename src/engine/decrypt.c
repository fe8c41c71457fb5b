/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decrypt.c - key-log decryption of a flow's protected records (see
 * flow.h; the record protection itself is in src/crypto/crypto.c).
 *
 * TLS 1.3 (RFC 8446 7.1-7.3): at the ServerHello each side is keyed
 * with its handshake traffic secret from the key log, after its
 * Finished with its first application traffic secret.
 * TLS <= 1.2 (RFC 5246 6.3): at each side's ChangeCipherSpec, with the
 * key block derived from the master secret (CLIENT_RANDOM) and both
 * randoms of the latest hellos, so a renegotiation is followed too.
 * A record that opens goes back to records.c, which decodes it with the
 * same switch as a clear one; one that does not authenticate turns
 * decryption off for the connection and says so once, never producing
 * garbage messages.  With a live key log a side's secret may come after
 * its records: they are held here (the side's held bytes) until it
 * comes, and records.c replays them.  Nothing here calls records.c or
 * engine.c.
 *
 * Long connections: after a side's first APP_RECORDS_DECRYPTED
 * application records it goes sparse.  Only records that may be an
 * alert are opened then (TLS 1.3: by size; TLS <= 1.2: by content type),
 * so the end of every connection (close_notify, a fatal alert) is on the
 * timeline, and the bulk is passed over: each such record only takes its
 * sequence number (RFC 8446 5.3, RFC 5246 6.2.3.3: the nonce or MAC of
 * every later record depends on it), never decrypted.  A TLS 1.3
 * KeyUpdate (RFC 8446 4.6.3) moves the sender to its next traffic
 * secret (td_fl_key_update).
 *
 * 0-RTT (RFC 8446 2.3, 4.2.10): a client that offers early_data sends
 * records protected with CLIENT_EARLY_TRAFFIC_SECRET right after its
 * ClientHello, before it knows whether the server takes them, and, when
 * the server did, an EndOfEarlyData under the same keys before its
 * handshake-key records.  The server skips the early records it does not
 * take.  Their suite is the PSK's, which the ServerHello repeats when it
 * accepts them; before the ServerHello the suites whose hash fits the
 * secret are tried.  A record of the window that opens with nothing
 * (rejected early data without its secret in the key log) is passed
 * over as the server does, never taken for a wrong key log.
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
#include "tls_names.h"

/* Application records decrypted per direction before the side goes
 * sparse (post-handshake alerts such as certificate_required arrive
 * there, and the application's first words, app.h): from then on only
 * the records that may be an alert (or a KeyUpdate) are opened, the
 * others only take their sequence number. */
#define APP_RECORDS_DECRYPTED TD_CAP_APP_RECORDS
/* TLS 1.3 record contents a sparse side opens, by size (RFC 8446 5.2:
 * content, the inner type byte, the AEAD tag; nobody pads these): an
 * alert, 2 bytes (level, description), and a KeyUpdate, 5 bytes (the
 * 4-byte handshake header, request_update). */
#define TLS13_ALERT_CONTENT 2u
#define TLS13_KEY_UPDATE_CONTENT 5u

/* Records of the 0-RTT window tried with the early keys at most (the
 * server's max_early_data_size is in bytes: 16 KB in OpenSSL's default,
 * one record). */
#define EARLY_RECORDS_MAX 64u

/* The key log is re-read at most this often (capture time). */
#define REFRESH_US 10000u
/* A held record: 8-byte capture time, type, version, length, body. */
#define HELD_HEADER 13u

const uint8_t *td_fl_find_secret(struct flow *f, enum td_keylog_label label, size_t *len,
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
		td_tls13_keys_cleanup(&sd->k->keys);
		return td_tls13_keys_init(&sd->k->keys, c->cipher, secret, len) == TD_OK;
	}
	/* The latest hellos' (a renegotiation's, later.c), not c->sh's:
	 * randoms, version, suite, encrypt_then_mac (RFC 7366). */
	td_tls12_keys_cleanup(&sd->k->keys12);
	enum td_result r = td_tls12_keys_init(&sd->k->keys12, f->hello.version, f->hello.cipher,
					      secret, len, f->client_random,
					      f->hello.server_random, f->hello.etm,
					      dir == TD_DIR_C2S ? TD_TLS12_CLIENT_WRITE
								: TD_TLS12_SERVER_WRITE);
	if (r == TD_ERR_UNSUPPORTED && !f->suite_noted) {
		char version[32], suite[96];
		f->suite_noted = true;
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_KEYLOG_UNSUPPORTED, dir, 0,
			td_tls_name(TD_REG_VERSION, f->hello.version, version, sizeof version),
			td_tls_name(TD_REG_CIPHER, f->hello.cipher, suite, sizeof suite)));
	}
	return r == TD_OK;
}

/* A pending side: key it if its secret has arrived. */
static void resolve(struct flow *f, struct side *sd, enum td_dir dir, bool force)
{
	size_t len = 0;
	const uint8_t *secret = td_fl_find_secret(f, sd->k->want_label, &len, force);
	if (!secret)
		return;
	sd->key_state = key_side(f, sd, dir, secret, len) ? sd->k->want_state : KEYS_OFF;
}

/* Key the side that sends in direction dir from the key log.  When the
 * log has no such secret: pending if it may still arrive (a live key
 * log), else decryption of that side is off. */
void td_fl_set_keys(struct flow *f, enum td_dir dir, enum td_keylog_label label,
		    enum key_state state)
{
	int side = td_fl_dir_side(f, dir);
	struct side *sd = &f->s[side];
	sd->sparse = false;  /* new keys (a renegotiation): open the next record */
	struct side_keys *k = td_fl_side_keys(f, side);
	if (!k) {
		sd->key_state = KEYS_OFF;
		td_fl_nomem(f->conn, TD_ERR_NOMEM);
		return;
	}
	k->want_label = label;
	k->want_state = state;
	sd->key_state = KEYS_PENDING;
	resolve(f, sd, dir, false);
	if (sd->key_state == KEYS_PENDING && !f->eng->cfg.keylog_refresh)
		sd->key_state = KEYS_OFF;
}

/* Does the record need its side's keys (protected, and the side keyed
 * or waiting for keys)?  TLS 1.3 protects everything as application
 * data; TLS <= 1.2 a side's records after its ChangeCipherSpec. */
static bool is_protected(const struct flow *f, const struct side *sd, uint8_t type)
{
	if (td_fl_is_tls13(f->conn))
		return type == TD_CT_APPLICATION_DATA;
	return sd->encrypted && type != TD_CT_CHANGE_CIPHER_SPEC;
}

/* Keep a record of a pending side, at the current capture time; false
 * when there is no room (TD_CAP_HELD_RECORDS) or memory. */
static bool hold(struct side *sd, uint64_t ts, const struct td_tls_record *rec)
{
	uint8_t h[HELD_HEADER] = {
		(uint8_t)(ts >> 56), (uint8_t)(ts >> 48), (uint8_t)(ts >> 40), (uint8_t)(ts >> 32),
		(uint8_t)(ts >> 24), (uint8_t)(ts >> 16), (uint8_t)(ts >> 8), (uint8_t)ts,
		rec->type, (uint8_t)(rec->version >> 8), (uint8_t)rec->version,
		(uint8_t)(rec->len >> 8), (uint8_t)rec->len,
	};
	struct td_dynbuf *held = &sd->k->held;
	bool room = rec->len <= UINT16_MAX && held->cap - held->len >= HELD_HEADER + rec->len;
	if (room && td_dynbuf_add(held, h, sizeof h) == TD_OK) {
		if (td_dynbuf_add(held, rec->body, rec->len) == TD_OK)
			return true;
		held->len -= sizeof h;
	}
	return false;
}

bool td_fl_held_next(struct td_reader *r, struct td_tls_record *rec, uint64_t *ts_us)
{
	if (td_rd_left(r) < HELD_HEADER)
		return false;
	uint64_t hi = td_rd_u32(r);
	*ts_us = hi << 32 | td_rd_u32(r);
	/* One read a statement: an initializer list's are not sequenced. */
	*rec = (struct td_tls_record){ 0 };
	rec->type = td_rd_u8(r);
	rec->version = td_rd_u16(r);
	rec->len = td_rd_u16(r);
	rec->body = td_rd_bytes(r, rec->len);
	return rec->body != NULL;
}

/* A pending side: hold the record while its secret is missing. */
static enum td_fl_opened pending(struct flow *f, int side, const struct td_tls_record *rec)
{
	struct side *sd = &f->s[side];
	enum td_dir dir = td_fl_side_dir(f, side);
	resolve(f, sd, dir, false);
	if (sd->key_state != KEYS_PENDING)
		return TD_FL_RELEASE;
	if (hold(sd, f->eng->now_us, rec))
		return TD_FL_HELD;
	td_fl_nomem(f->conn, td_conn_anomaly(f->conn, TD_AN_KEYLOG_SECRET_LATE, dir, 0, NULL, NULL));
	sd->key_state = KEYS_OFF;
	return TD_FL_RELEASE;
}

/* Past its first application records (sd->sparse), is this record of
 * the side worth opening?  TLS 1.3 hides the content type: by size, an
 * alert or a KeyUpdate.  TLS <= 1.2 shows it: anything but application
 * data (an alert, a renegotiation's handshake). */
static bool worth_opening(const struct flow *f, const struct side *sd,
			  const struct td_tls_record *rec)
{
	if (!td_fl_is_tls13(f->conn))
		return rec->type != TD_CT_APPLICATION_DATA;
	const struct td_tls13_suite *s = td_tls13_suite_find(sd->k->keys.suite);
	size_t tag = s ? s->tag_len : 16;
	return rec->len == TLS13_ALERT_CONTENT + 1 + tag ||
	       rec->len == TLS13_KEY_UPDATE_CONTENT + 1 + tag;
}

/* A sparse side passes over a record: it only takes its sequence number
 * (and, TLS 1.0 CBC, gives the next IV).  When that cannot be done the
 * side's decryption stops, quietly: what was decrypted stands. */
static void pass_over(const struct flow *f, struct side *sd, const struct td_tls_record *rec)
{
	if (td_fl_is_tls13(f->conn))
		td_tls13_keys_skip(&sd->k->keys);
	else if (td_tls12_skip(&sd->k->keys12, rec->body, rec->len) != TD_OK)
		sd->key_state = KEYS_OFF;
}

/* The side has had its first application records decrypted: sparse
 * from now on, when its records can be passed over without decrypting
 * them (not RC4, whose keystream runs through every byte: off then, as
 * before sparse sides existed). */
static void go_sparse(const struct flow *f, struct side *sd)
{
	if (td_fl_is_tls13(f->conn) || td_tls12_skip_kind(&sd->k->keys12) != TD_TLS12_SKIP_NEVER)
		sd->sparse = true;
	else
		sd->key_state = KEYS_OFF;
}

bool td_fl_reads_appdata(const struct flow *f, int side)
{
	const struct side *sd = &f->s[side];
	if (sd->key_state == KEYS_NONE || sd->key_state == KEYS_OFF)
		return false;
	if (!sd->sparse)
		return true;
	/* TLS 1.3 alerts and KeyUpdates are small: the record layer reads
	 * those whole anyway (TD_TLS_READ_SMALL). */
	return !td_fl_is_tls13(f->conn) && td_tls12_skip_kind(&sd->k->keys12) == TD_TLS12_SKIP_BYTES;
}

void td_fl_early_begin(struct flow *f, int side)
{
	struct side *sd = &f->s[side];
	sd->early_window = true;
	sd->early_keyed = false;
	sd->early_tried = 0;
}

void td_fl_early_end(struct flow *f, int side)
{
	struct side *sd = &f->s[side];
	sd->early_window = false;
	sd->early_keyed = false;
	if (sd->k)
		td_tls13_keys_cleanup(&sd->k->early);
}

/* Open rec with the early keys: the ones that opened an earlier record,
 * else those of the ServerHello's suite, else (no ServerHello yet) of
 * each TLS 1.3 suite the secret's length fits.  TD_OK with the
 * plaintext in e->plain. */
static enum td_result open_early(struct flow *f, struct side *sd, const uint8_t header[5],
				 const struct td_tls_record *rec, size_t *n, uint8_t *inner)
{
	struct td_engine *e = f->eng;
	static const uint16_t suites[] = { 0x1301, 0x1302, 0x1303, 0x1304, 0x1305 };
	*n = sizeof e->plain;
	if (sd->early_keyed)
		return td_tls13_decrypt(&sd->k->early, header, rec->body, rec->len, e->plain, n,
					inner);
	size_t len = 0;
	const uint8_t *secret = td_fl_find_secret(f, TD_KEYLOG_CLIENT_EARLY_TRAFFIC_SECRET, &len,
						  false);
	if (!secret)
		return TD_ERR_UNSUPPORTED;
	struct side_keys *k = td_fl_side_keys(f, (int)(sd - f->s));
	if (!k)
		return TD_ERR_NOMEM;
	for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
		if (f->conn->sh.present && f->conn->cipher != suites[i])
			continue;
		td_tls13_keys_cleanup(&k->early);
		if (td_tls13_keys_init(&k->early, suites[i], secret, len) != TD_OK)
			continue;
		*n = sizeof e->plain;
		if (td_tls13_decrypt(&k->early, header, rec->body, rec->len, e->plain, n, inner) ==
		    TD_OK) {
			sd->early_keyed = true;
			return TD_OK;
		}
	}
	td_tls13_keys_cleanup(&k->early);
	return TD_ERR_MALFORMED;
}

/* A client's application_data record while its 0-RTT window is open:
 * with the handshake keys (which close the window), else with the early
 * keys; a record that opens with neither is left as it came (before the
 * ServerHello: no keys yet; after: skipped early data). */
static enum td_fl_opened early_window(struct flow *f, struct side *sd,
				      const struct td_tls_record *rec, struct td_fl_plain *out)
{
	struct td_engine *e = f->eng;
	uint8_t header[5] = { rec->type, (uint8_t)(rec->version >> 8), (uint8_t)rec->version,
			      (uint8_t)(rec->len >> 8), (uint8_t)rec->len };
	size_t n = sizeof e->plain;
	uint8_t inner = rec->type;
	if (sd->key_state == KEYS_HANDSHAKE &&
	    td_tls13_decrypt(&sd->k->keys, header, rec->body, rec->len, e->plain, &n, &inner) == TD_OK) {
		td_fl_early_end(f, (int)(sd - f->s));
		*out = (struct td_fl_plain){ .type = inner, .body = e->plain, .len = n };
		return TD_FL_PLAIN;
	}
	if (++sd->early_tried >= EARLY_RECORDS_MAX)
		sd->early_window = false;
	if (open_early(f, sd, header, rec, &n, &inner) == TD_OK) {
		*out = (struct td_fl_plain){ .early = true, .type = inner, .body = e->plain, .len = n };
		return TD_FL_PLAIN;
	}
	return TD_FL_AS_IS;
}

void td_fl_key_update(struct flow *f, int side)
{
	struct side *sd = &f->s[side];
	if (sd->key_state != KEYS_APPLICATION || !td_fl_is_tls13(f->conn))
		return;
	if (td_tls13_keys_update(&sd->k->keys) != TD_OK)
		sd->key_state = KEYS_OFF;
}

void td_fl_keys_lost(struct flow *f, int side)
{
	/* Records went by unseen: the sequence number is lost.  Only for a
	 * sparse side; a side still decrypting everything says so when the
	 * next record does not open (TD_AN_KEYLOG_MISMATCH), as before. */
	if (f->s[side].sparse)
		f->s[side].key_state = KEYS_OFF;
}

enum td_fl_opened td_fl_open(struct flow *f, int side, const struct td_tls_record *rec,
			     struct td_fl_plain *out)
{
	struct td_engine *e = f->eng;
	struct td_conn *c = f->conn;
	struct side *sd = &f->s[side];
	if (sd->early_window && rec->type == TD_CT_APPLICATION_DATA && rec->body &&
	    (sd->key_state == KEYS_NONE || sd->key_state == KEYS_HANDSHAKE ||
	     sd->key_state == KEYS_OFF))
		return early_window(f, sd, rec, out);
	if (!is_protected(f, sd, rec->type))
		return TD_FL_AS_IS;
	bool keyed = sd->key_state == KEYS_HANDSHAKE || sd->key_state == KEYS_APPLICATION ||
		     sd->key_state == KEYS_TLS12;
	if (keyed && sd->sparse && !worth_opening(f, sd, rec)) {
		pass_over(f, sd, rec);
		return TD_FL_AS_IS;
	}
	/* rec->body is NULL for application data passed over unread, which
	 * records.c allows only when its bytes are not needed
	 * (td_fl_reads_appdata); the check is for safety's sake. */
	if (!rec->body)
		return TD_FL_AS_IS;
	if (sd->key_state == KEYS_PENDING)
		return pending(f, side, rec);
	if (!keyed)
		return TD_FL_AS_IS;
	uint8_t header[5] = { rec->type, (uint8_t)(rec->version >> 8), (uint8_t)rec->version,
			      (uint8_t)(rec->len >> 8), (uint8_t)rec->len };
	size_t n = sizeof e->plain;
	uint8_t inner = rec->type;
	enum td_result r = td_fl_is_tls13(c)
		? td_tls13_decrypt(&sd->k->keys, header, rec->body, rec->len, e->plain, &n, &inner)
		: td_tls12_decrypt(&sd->k->keys12, header, rec->body, rec->len, e->plain, &n);
	if (r != TD_OK && sd->sparse) {
		/* Late in the stream a record that does not open says the
		 * sequence was lost (a record padded to another size, say), not
		 * that the key log is wrong: this side stops, quietly. */
		sd->key_state = KEYS_OFF;
		return TD_FL_AS_IS;
	}
	if (r != TD_OK) {
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_KEYLOG_MISMATCH, td_fl_side_dir(f, side), 0,
			NULL, NULL));
		f->s[0].key_state = KEYS_OFF;
		f->s[1].key_state = KEYS_OFF;
		return TD_FL_FAILED;
	}
	/* Application data (whatever is neither handshake nor alert): a few
	 * records, for the post-handshake alerts, then only what may be an
	 * alert. */
	if (inner != TD_CT_HANDSHAKE && inner != TD_CT_ALERT && !sd->sparse &&
	    ++sd->app_decrypted >= APP_RECORDS_DECRYPTED)
		go_sparse(f, sd);
	*out = (struct td_fl_plain){ .type = inner, .body = e->plain, .len = n };
	return TD_FL_PLAIN;
}

bool td_fl_keys_final(struct flow *f, int side)
{
	struct side *sd = &f->s[side];
	if (!f->conn || sd->key_state != KEYS_PENDING)
		return false;
	resolve(f, sd, td_fl_side_dir(f, side), true);
	if (sd->key_state == KEYS_PENDING) {
		sd->key_state = KEYS_OFF;
		if (sd->k->held.len > 0)
			td_fl_nomem(f->conn, td_conn_anomaly(f->conn, TD_AN_KEYLOG_SECRET_MISSING,
				td_fl_side_dir(f, side), 0, NULL, NULL));
	}
	return true;
}
