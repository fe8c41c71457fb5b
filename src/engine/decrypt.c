/*
 * decrypt.c - key-log decryption of a flow's protected records (see
 * flow.h; the record protection itself is in src/tls/crypto.c).
 *
 * TLS 1.3 (RFC 8446 7.1-7.3): at the ServerHello each side is keyed
 * with its handshake traffic secret from the key log, after its
 * Finished with its first application traffic secret.  A record that
 * opens goes through the same decoders as a clear one.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "flow.h"
#include "keylog.h"
#include "reader.h"

/* Application records decrypted per direction before decryption stops
 * (post-handshake alerts such as certificate_required arrive there). */
#define APP_RECORDS_DECRYPTED 4u

/* Key the side that sends in direction dir from the key log, or turn
 * its decryption off when the log has no such secret. */
void td_fl_set_keys(struct flow *f, enum td_dir dir, enum td_keylog_label label, int state)
{
	struct side *sd = &f->s[td_fl_dir_side(f, dir)];
	const struct td_keylog *kl = f->eng->cfg.keylog;
	size_t len = 0;
	const uint8_t *secret = kl ? td_keylog_find(kl, label, f->conn->ch.random, &len) : NULL;
	td_tls13_keys_cleanup(&sd->keys);
	if (secret && td_tls13_keys_init(&sd->keys, f->conn->cipher, secret, len) == TD_OK)
		sd->key_state = state;
	else
		sd->key_state = KEYS_OFF;
}

/* TLS 1.3 with a key log: open a protected record and hand its content
 * to the same decoders as clear records.  False when it could not be
 * opened (the caller then records it as encrypted). */
bool td_fl_decrypt(struct flow *f, struct msg_ctx *m, const struct td_tls_record *rec)
{
	struct td_engine *e = f->eng;
	struct td_conn *c = f->conn;
	struct side *sd = &f->s[m->side];
	enum td_dir dir = td_fl_side_dir(f, m->side);
	uint8_t header[5] = { rec->type, (uint8_t)(rec->version >> 8), (uint8_t)rec->version,
			      (uint8_t)(rec->len >> 8), (uint8_t)rec->len };
	size_t n = sizeof e->plain;
	uint8_t inner = 0;
	if (td_tls13_decrypt(&sd->keys, header, rec->body, rec->len, e->plain, &n, &inner) != TD_OK) {
		td_fl_nomem(c, td_conn_anomaly(c, "key log entry does not match this connection: "
			"a record from the %s did not decrypt", td_dir_from(dir)));
		f->s[0].key_state = KEYS_OFF;
		f->s[1].key_state = KEYS_OFF;
		return false;
	}
	c->decrypted = true;
	struct msg_ctx dm = { f, m->side, true };
	struct td_event ev = { .content_type = inner, .encrypted = true, .decrypted = true,
			       .length = (uint32_t)n };
	switch (inner) {
	case TD_CT_HANDSHAKE: {
		enum td_result r = td_hs_reasm_feed(&sd->hs, e->plain, n, td_fl_on_message, &dm);
		if (r != TD_OK)
			td_fl_malformed(f, dir, "decrypted handshake message", r);
		break;
	}
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
	if (dir == TD_DIR_C2S)
		td_fl_track_client(f, rec->type, rec->len, true);
	td_fl_check_established(f, dir, rec->type, rec->len);
	if (e->sink->conn_update)
		e->sink->conn_update(e->sink, c);
	return true;
}
