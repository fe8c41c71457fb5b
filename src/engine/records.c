/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * records.c - the TLS layer of a flow: records and handshake messages
 * into the connection model (see flow.h).  It takes each side's bytes
 * through the transport seam (tls_input.h) and knows nothing of the
 * transport.  Each record goes through decrypt.c's td_fl_open first
 * (opened, held, failed, or left as it came), then through one switch
 * over its content type, clear or decrypted alike; held records are
 * replayed here, through the same path, when their keys come.
 *
 * When does a record count as encrypted?  TLS <= 1.2: a side's records
 * after its ChangeCipherSpec.  TLS 1.3: every record after the
 * ServerHello except ChangeCipherSpec (RFC 8446 5: the compatibility
 * CCS is never protected).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "decomp.h"
#include "diagnose.h"
#include "flow.h"
#include "ja4.h"
#include "reader.h"
#include "tls_input.h"
#include "x509.h"

/* The encrypt_then_mac extension (RFC 7366). */
#define EXT_ENCRYPT_THEN_MAC 22u

/* The context of the handshake message callback: a flow and one of its
 * sides, and whether the bytes came out of a key-log decryption. */
struct msg_ctx {
	struct flow *f;
	int side;
	bool decrypted;
};

/* ---- handshake messages ------------------------------------------------ */

struct chain_ctx {
	struct flow *f;
	struct td_chain *chain;
};

static enum td_result on_cert(void *ctx, const uint8_t *der, size_t len)
{
	struct chain_ctx *cc = ctx;
	struct td_chain *ch = cc->chain;
	struct td_budget *budget = &cc->f->eng->budget;
	if (ch->n >= TD_CAP_CHAIN) {
		ch->dropped++;
		return TD_OK;
	}
	/* The connection keeps each certificate until it is reported:
	 * --max-memory counts its DER for every connection that holds it,
	 * shared or not, so the cap does not depend on what the cache
	 * happens to hold (td_fl_conn_free gives it back). */
	if (!td_budget_take(budget, len)) {
		budget->dropped += len;
		ch->dropped++;
		return TD_OK;
	}
	struct td_cert *cert;
	enum td_result r = td_cert_cache_parse(cc->f->eng->certs, der, len, &cert);
	if (r != TD_OK) {
		td_budget_give(budget, len);
		return r;
	}
	/* No DER kept (an empty certificate): nothing to count. */
	if (!cert->der)
		td_budget_give(budget, len);
	td_chain_take(ch, cert);
	return TD_OK;
}

/* A Certificate message body into the chain of dir, unless the first
 * handshake's chain is there already (renegotiation: keep the first).
 * compression: the RFC 8879 algorithm it came compressed with, or 0. */
static void certificate(struct flow *f, struct msg_ctx *m, enum td_dir dir, bool later,
			const uint8_t *body, size_t len, uint16_t compression)
{
	struct td_conn *c = f->conn;
	struct td_chain *chain = dir == TD_DIR_S2C ? &c->server_chain : &c->client_chain;
	if (chain->present)
		return;
	chain->present = true;
	chain->encrypted = m->decrypted;
	chain->later = later;
	chain->compression = compression;
	struct chain_ctx cc = { f, chain };
	size_t count = 0;
	enum td_result r = td_tls_decode_certificate(body, len, td_fl_is_tls13(c), on_cert, &cc, &count);
	if (r != TD_OK)
		td_fl_malformed(f, dir, "Certificate", r);
}

/*
 * CompressedCertificate (RFC 8879 4): decompressed under the caps of
 * decomp.h, then read as the Certificate it stands for, so the chain
 * shows as if it had come uncompressed (with its algorithm noted).  A
 * message that does not decompress to exactly its declared length is an
 * anomaly; a stream that ended cleanly but short still gives its chain.
 */
static void compressed_certificate(struct flow *f, struct msg_ctx *m, enum td_dir dir,
				   bool later, const uint8_t *body, size_t len)
{
	struct td_conn *c = f->conn;
	struct td_certcomp cc;
	enum td_result r = td_certcomp_decompress(body, len, &cc);
	if (r == TD_ERR_NOMEM) {
		td_fl_nomem(c, r);
	} else if (r != TD_OK) {
		char alg[16], detail[160];
		const char *name = td_tls_name(TD_REG_CERT_COMPRESSION, cc.algorithm, alg, sizeof alg);
		const char *why = td_certcomp_fault_str(cc.fault);
		c->malformed = true;
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_CERT_DECOMPRESSION, dir, cc.declared, name, why));
		snprintf(detail, sizeof detail, "CompressedCertificate from the %s (%s): %s",
			 td_dir_from(dir), name, why);
		struct td_event ev = { .kind = TD_EV_MALFORMED, .detail = detail };
		td_fl_add_event(f, dir, &ev);
	}
	if (cc.body)
		certificate(f, m, dir, later, cc.body, cc.len, cc.algorithm);
	td_certcomp_cleanup(&cc);
}

static void on_server_hello(struct flow *f, const uint8_t *body, size_t len)
{
	struct td_conn *c = f->conn;
	struct td_server_hello sh = { 0 };
	enum td_result r = td_tls_decode_server_hello(body, len, &sh);
	if (r != TD_OK)
		td_fl_malformed(f, TD_DIR_S2C, "ServerHello", r);
	bool was_hrr = c->sh.hrr;
	/* The ServerHello after a HelloRetryRequest replaces it. */
	td_server_hello_cleanup(&c->sh);
	c->sh = sh;
	c->sh.present = true;
	c->sh.hrr = sh.hrr || was_hrr;
	c->version = sh.selected_version ? sh.selected_version : sh.legacy_version;
	c->cipher = sh.cipher;
	/* TLS <= 1.2 resumption: the server echoes the client's session id.
	 * (A TLS 1.3 server always echoes it, for middleboxes.) */
	c->sh.session_id_echo = !td_tls_version_is_13(c->version) && c->ch.present &&
		sh.session_id_len > 0 && sh.session_id_len == c->ch.session_id_len &&
		sh.session_id_len <= sizeof sh.session_id &&
		memcmp(sh.session_id, c->ch.session_id, sh.session_id_len) == 0;
	td_fl_hello_keys(f, &c->sh, td_u16list_has(&c->ch.extensions, EXT_ENCRYPT_THEN_MAC));
	if (!sh.hrr && td_tls_version_is_13(c->version)) {
		/* From here on both sides protect their records. */
		f->s[0].encrypted = true;
		f->s[1].encrypted = true;
		if (f->eng->cfg.keylog && c->ch.present) {
			td_fl_set_keys(f, TD_DIR_C2S, TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, KEYS_HANDSHAKE);
			td_fl_set_keys(f, TD_DIR_S2C, TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, KEYS_HANDSHAKE);
		}
	}
}

/* Bigger CertificateRequests are decoded every time. */
#define CR_MEMO_MAX 16384u

/* td_tls_decode_cert_request, or a copy of the last result when the
 * message is byte for byte the last one decoded. */
static enum td_result cert_request(struct td_engine *e, const uint8_t *body, size_t len,
				   bool tls13, struct td_cert_request *cr)
{
	if (e->cr_memo.used && e->cr_memo.len == len && e->cr_memo.tls13 == tls13 &&
	    (len == 0 || memcmp(e->cr_memo.body, body, len) == 0) &&
	    td_cert_request_copy(cr, &e->cr_memo.cr) == TD_OK)
		return e->cr_memo.r;
	enum td_result r = td_tls_decode_cert_request(body, len, tls13, td_x509_name_string, cr);
	if (len > CR_MEMO_MAX)
		return r;
	td_fl_cr_memo_clear(e);
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy || td_cert_request_copy(&e->cr_memo.cr, cr) != TD_OK) {
		free(copy);
		return r;
	}
	if (len)
		memcpy(copy, body, len);
	e->cr_memo.body = copy;
	e->cr_memo.len = len;
	e->cr_memo.tls13 = tls13;
	e->cr_memo.r = r;
	e->cr_memo.used = true;
	return r;
}

void td_fl_cr_memo_clear(struct td_engine *e)
{
	if (e->cr_memo.used)
		td_cert_request_cleanup(&e->cr_memo.cr);
	free(e->cr_memo.body);
	e->cr_memo.body = NULL;
	e->cr_memo.used = false;
}

static void on_message(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct msg_ctx *m = ctx;
	struct flow *f = m->f;
	struct td_conn *c = f->conn;
	if (!c)
		return;
	if (type == TD_HS_CLIENT_HELLO)
		td_fl_set_client(f, m->side, true);
	else if (type == TD_HS_SERVER_HELLO)
		td_fl_set_client(f, m->side, false);
	enum td_dir dir = td_fl_side_dir(f, m->side);
	enum td_result r = TD_OK;
	char hrr_name[] = "HelloRetryRequest";

	struct td_event ev = { .kind = TD_EV_HANDSHAKE, .hs_type = type,
			       .content_type = TD_CT_HANDSHAKE, .encrypted = m->decrypted,
			       .decrypted = m->decrypted,
			       .length = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len };
	/* A renegotiation's or a post-handshake authentication's (later.c):
	 * the model keeps the first handshake's hellos. */
	ev.phase = td_fl_later_message(f, m->side, type, body, len);
	bool later = ev.phase != TD_PHASE_FIRST;
	switch (type) {
	case TD_HS_CLIENT_HELLO: {
		/* The random keys the connection (a renegotiation brings a new one). */
		struct td_reader rr = td_rd_make(body, len);
		td_rd_skip(&rr, 2);
		const uint8_t *random = td_rd_bytes(&rr, sizeof f->client_random);
		if (random)
			memcpy(f->client_random, random, sizeof f->client_random);
		if (!c->ch.present) {
			r = td_tls_decode_client_hello(body, len, &c->ch);
			c->ch.present = true;
			c->ch.record_version = f->s[m->side].record_version;
			if (r != TD_OK)
				td_fl_malformed(f, dir, "ClientHello", r);
			/* JA4's first letter is the transport: "t" for a hello
			 * in TLS records over TCP, "q" for one in QUIC CRYPTO
			 * frames (quic_in.c marks the connection first). */
			td_fl_nomem(c, td_ja4_compute(&c->ch, c->quic.present));
			/* 0-RTT records may follow (TLS records only: QUIC has
			 * 0-RTT packets of its own). */
			if (c->ch.early_data && f->eng->cfg.keylog && !c->quic.present)
				td_fl_early_begin(f, m->side);
		}
		break;
	}
	case TD_HS_SERVER_HELLO:
		if (later)
			break;
		on_server_hello(f, body, len);
		if (c->sh.hrr && !f->s[td_fl_dir_side(f, TD_DIR_S2C)].encrypted)
			ev.detail = hrr_name;
		break;
	case TD_HS_ENCRYPTED_EXTENSIONS:
		r = td_tls_decode_encrypted_extensions(body, len, &c->sh);
		if (r != TD_OK)
			td_fl_malformed(f, dir, "EncryptedExtensions", r);
		break;
	case TD_HS_CERTIFICATE:
		certificate(f, m, dir, later, body, len, 0);
		break;
	case TD_HS_COMPRESSED_CERTIFICATE:
		compressed_certificate(f, m, dir, later, body, len);
		break;
	case TD_HS_CERTIFICATE_REQUEST:
		if (!c->cr.present) {
			c->cr.present = true;
			r = cert_request(f->eng, body, len, td_fl_is_tls13(c), &c->cr);
			c->cr.later = later;
			if (r != TD_OK)
				td_fl_malformed(f, dir, "CertificateRequest", r);
		}
		break;
	case TD_HS_SERVER_KEY_EXCHANGE:
		c->server_key_exchange = true;
		r = td_tls_decode_server_key_exchange(body, len, &c->ske_group);
		if (r != TD_OK)
			td_fl_malformed(f, dir, "ServerKeyExchange", r);
		break;
	case TD_HS_CLIENT_KEY_EXCHANGE:
		c->client_key_exchange = true;
		break;
	case TD_HS_CERTIFICATE_VERIFY:
		if (dir == TD_DIR_C2S) {
			c->client_cert_verify = true;
			r = td_tls_decode_cert_verify(body, len, &c->client_cv_scheme);
			if (r != TD_OK)
				td_fl_malformed(f, dir, "CertificateVerify", r);
		}
		break;
	case TD_HS_FINISHED:
		c->finished[dir] = true;
		/* TLS 1.3: the sender's next records use its application keys. */
		if (m->decrypted && f->s[m->side].key_state == KEYS_HANDSHAKE)
			td_fl_set_keys(f, dir, dir == TD_DIR_C2S ? TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0
							   : TD_KEYLOG_SERVER_TRAFFIC_SECRET_0,
				 KEYS_APPLICATION);
		break;
	case TD_HS_NEW_SESSION_TICKET:
		c->new_session_tickets++;
		break;
	case TD_HS_END_OF_EARLY_DATA:
		/* The client's last record under its early keys. */
		td_fl_early_end(f, m->side);
		break;
	case TD_HS_KEY_UPDATE:
		/* TLS 1.3: the sender's next records use its next secret. */
		if (m->decrypted)
			td_fl_key_update(f, m->side);
		break;
	default:
		break;
	}
	td_fl_add_event(f, dir, &ev);
}

/* ---- records ------------------------------------------------------------ */

/* TLS <= 1.2: the handshake is over when both sides sent CCS and
 * Finished.  TLS 1.3 without keys: the server sent a protected record
 * larger than an alert after the client's first protected record (its
 * Finished): a server sends NewSessionTicket or data only once it has
 * accepted the client's flight. */
static void check_established(struct flow *f, enum td_dir dir, uint8_t type, uint8_t inner,
			      size_t len)
{
	struct td_conn *c = f->conn;
	if (f->established_us || !c->sh.present)
		return;
	if (td_fl_is_tls13(c)) {
		/* A decrypted record says what it is: after the client's
		 * decrypted Finished, anything but an alert from the server
		 * means the handshake is over, whatever its size (a 14-byte
		 * LDAP BindResponse is smaller than the margin below). */
		if (dir == TD_DIR_S2C && inner && c->finished[TD_DIR_C2S] && inner != TD_CT_ALERT) {
			td_fl_established(f);
			return;
		}
		if (type != TD_CT_APPLICATION_DATA)
			return;
		if (dir == TD_DIR_C2S) {
			/* The client going on with more than an alert after the
			 * server's small record: that record was no fatal alert
			 * (a client refused would close), but data (an LDAP
			 * BindResponse is 14 bytes). */
			if (f->server_small_after && len != TLS13_ALERT_RECORD)
				td_fl_established(f);
			f->client_flight_seen = true;
		} else if (f->client_flight_seen && len > TLS13_ALERT_RECORD + 16) {
			td_fl_established(f);
		} else if (f->client_flight_seen && len > TLS13_ALERT_RECORD) {
			f->server_small_after = true;
		}
		return;
	}
	const struct side *cs = &f->s[td_fl_dir_side(f, TD_DIR_C2S)];
	const struct side *ss = &f->s[td_fl_dir_side(f, TD_DIR_S2C)];
	if (c->side[TD_DIR_C2S].ccs_seen && c->side[TD_DIR_S2C].ccs_seen &&
	    cs->encrypted && ss->encrypted &&
	    c->side[TD_DIR_C2S].encrypted_seen && c->side[TD_DIR_S2C].encrypted_seen)
		td_fl_established(f);
}

/* Did the client send data after its Finished, or only an alert?  A
 * client that rejects the server after a complete handshake (curl does
 * so when the name does not match) sends an alert and closes without a
 * byte of data.  TLS <= 1.2: the Finished is the client's first
 * protected handshake record; what follows shows its content type.
 * TLS 1.3 without keys: the Finished is the client's protected record of
 * exactly hash length + 21 bytes (4-byte header, inner type, 16-byte
 * tag), and an alert is a record of TLS13_ALERT_RECORD bytes. */
static void track_client(struct flow *f, uint8_t type, size_t len, bool protected_)
{
	struct td_conn *c = f->conn;
	if (!protected_ || !c->sh.present)
		return;
	if (!f->client_finished) {
		if (td_fl_is_tls13(c)) {
			size_t hash = c->cipher == 0x1302 ? 48 : 32;  /* TLS_AES_256_GCM_SHA384 */
			f->client_finished = type == TD_CT_APPLICATION_DATA && len == hash + 21;
		} else {
			f->client_finished = type == TD_CT_HANDSHAKE;
		}
		return;
	}
	bool alert = td_fl_is_tls13(c) ? type == TD_CT_APPLICATION_DATA && len == TLS13_ALERT_RECORD
				       : type == TD_CT_ALERT;
	if (alert)
		f->client_alert_after = true;
	else if (type == TD_CT_APPLICATION_DATA)
		f->client_data_after = true;
}

/* After each record, by its outer type and size (decrypted or not):
 * established yet?  What did the client send after its Finished?  A
 * replayed record was counted when it arrived (held), in capture order
 * with the other direction's records. */
static void after_record(struct flow *f, enum td_dir dir, uint8_t type, uint8_t inner, size_t len,
			 bool protected_)
{
	if (f->replaying)
		return;
	if (dir == TD_DIR_C2S)
		track_client(f, type, len, protected_);
	check_established(f, dir, type, inner, len);
}

/* A TLS <= 1.2 suite without encryption (TLS_RSA_WITH_NULL_SHA256...):
 * its protected records are the plaintext followed by the MAC, so a
 * protected alert's first two bytes are the alert, read as tshark does. */
static bool null_cipher(const struct td_conn *c)
{
	const char *n = c->sh.present && !td_fl_is_tls13(c) ? td_tls_lookup(TD_REG_CIPHER, c->cipher)
							       : NULL;
	return n && strstr(n, "_WITH_NULL_") != NULL;
}

/* What one record says, clear or decrypted (p, NULL for a record decoded
 * as it came): the one switch over the content type.  A decrypted
 * record's inner type is switched on as handshake, alert, or
 * application data for anything else; its size for the inference is
 * still the protected record's. */
static void decode(struct flow *f, int side, const struct td_tls_record *rec,
		   const struct td_fl_plain *p)
{
	struct td_engine *e = f->eng;
	struct td_conn *c = f->conn;
	struct side *sd = &f->s[side];
	enum td_dir dir = td_fl_side_dir(f, side);
	const uint8_t *body = p ? p->body : rec->body;
	size_t len = p ? p->len : rec->len;
	uint8_t type = rec->type;
	if (p) {
		type = p->type == TD_CT_HANDSHAKE || p->type == TD_CT_ALERT ? p->type
									   : TD_CT_APPLICATION_DATA;
		c->decrypted = true;
		c->changes++;
		if (!td_fl_is_tls13(c))
			c->side[dir].encrypted_seen = true;  /* TLS <= 1.2: its Finished counts */
	}
	uint32_t len32 = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
	struct td_event ev = { .content_type = p ? p->type : rec->type, .length = len32,
			       .encrypted = p != NULL, .decrypted = p != NULL };
	switch (type) {
	case TD_CT_CHANGE_CIPHER_SPEC:
		ev.kind = TD_EV_CCS;
		ev.phase = td_fl_later_record(f, side, TD_CT_CHANGE_CIPHER_SPEC);
		td_fl_add_event(f, dir, &ev);
		c->side[dir].ccs_seen = true;
		if (!td_fl_is_tls13(c)) {
			sd->encrypted = true;
			/* TLS <= 1.2: this side's next records use the new keys. */
			if (e->cfg.keylog && c->sh.present)
				td_fl_set_keys(f, dir, TD_KEYLOG_CLIENT_RANDOM, KEYS_TLS12);
		}
		break;
	case TD_CT_ALERT:
		ev.kind = TD_EV_ALERT;
		/* A 2-byte alert is in clear whatever the state: a protected one
		 * always carries a tag or MAC.  (OpenSSL rejects a server
		 * certificate in TLS 1.3 before it installs its handshake keys, so
		 * its alert goes out in clear.) */
		bool in_clear = !p && sd->encrypted && len > 2 && null_cipher(c);
		if (p || len == 2 || in_clear) {
			struct td_reader r = td_rd_make(body, len);
			ev.alert_level = td_rd_u8(&r);
			ev.alert_desc = td_rd_u8(&r);
		}
		if (p || len != 2) {
			ev.encrypted = !in_clear;  /* a NULL suite's MAC hides nothing */
			c->side[dir].encrypted_seen = true;
		}
		td_fl_add_event(f, dir, &ev);
		break;
	case TD_CT_HANDSHAKE:
		/* TLS 1.3 protects handshake messages as application_data
		 * records, so a handshake record there is in clear. */
		if (!p && sd->encrypted && !td_fl_is_tls13(c)) {
			/* TLS <= 1.2 Finished after CCS, or a renegotiation
			 * (later.c: its records have a room of their own). */
			c->side[dir].encrypted_seen = true;
			ev.kind = TD_EV_ENCRYPTED;
			ev.encrypted = true;
			ev.phase = td_fl_later_record(f, side, TD_CT_HANDSHAKE);
			if (ev.phase != TD_PHASE_FIRST ? td_fl_later_event_room(f, dir)
						       : sd->enc_events++ < ENCRYPTED_EVENTS_MAX)
				td_fl_add_event(f, dir, &ev);
		} else {
			struct msg_ctx m = { f, side, p != NULL };
			enum td_result r = td_hs_reasm_feed(&sd->hs, body, len, on_message, &m);
			if (r != TD_OK)
				td_fl_malformed(f, dir, p ? "decrypted handshake message"
							  : "handshake message", r);
			/* A message the memory cap (or malloc) refused is lost; one
			 * over TD_CAP_HS_MESSAGE is being skipped: keep skipping. */
			if ((r == TD_ERR_CAP || r == TD_ERR_NOMEM) && sd->hs.skip_left == 0)
				td_hs_reasm_reset(&sd->hs);
		}
		break;
	case TD_CT_APPLICATION_DATA:
		c->side[dir].encrypted_seen = true;
		c->side[dir].encrypted_records++;
		ev.encrypted = true;
		/* 0-RTT: opened with the early keys, or (without them) sent
		 * before the server's first record by a client that offered
		 * early data. */
		if (dir == TD_DIR_C2S && c->ch.early_data &&
		    (p ? p->early : c->side[TD_DIR_S2C].records == 0)) {
			c->early_records++;
			c->changes++;
		}
		if (p && p->early) {
			/* Each one in the timeline (few: the server caps them);
			 * not to the application recognisers, since the server may
			 * have skipped them. */
			char early[] = "0-RTT early data";
			c->early_decrypted++;
			ev.kind = TD_EV_APPDATA;
			ev.detail = early;
			td_fl_add_event(f, dir, &ev);
			break;
		}
		/* Decrypted, it is application data for sure; else only once
		 * the handshake is known to be over. */
		if (p || f->established_us) {
			if (!sd->appdata) {
				sd->appdata = true;
				ev.kind = TD_EV_APPDATA;
				td_fl_add_event(f, dir, &ev);
			}
			if (p)
				td_fl_app_data(f, dir, body, len);
		} else {
			ev.kind = TD_EV_ENCRYPTED;
			if (sd->enc_events++ < ENCRYPTED_EVENTS_MAX)
				td_fl_add_event(f, dir, &ev);
		}
		break;
	default:
		td_fl_nomem(c, td_conn_anomaly(c, TD_AN_UNKNOWN_CONTENT_TYPE, dir, rec->type,
					      NULL, NULL));
		break;
	}
	after_record(f, dir, rec->type, p ? p->type : 0, rec->len, p != NULL || sd->encrypted);
}

static void on_record(struct flow *f, int side, const struct td_tls_record *rec);

/* Replay a side's held records through on_record, each at its own
 * capture time, with whatever keys the side has now.  A record may be
 * held again meanwhile (a replayed Finished awaits the next secret):
 * the side starts a new held buffer first. */
static void replay_held(struct flow *f, int side)
{
	struct side *sd = &f->s[side];
	struct td_engine *e = f->eng;
	struct td_dynbuf held = { 0 };
	if (sd->k) {  /* a side that held records was keyed: it has them */
		held = sd->k->held;
		td_dynbuf_init(&sd->k->held, TD_CAP_HELD_RECORDS);
		td_dynbuf_set_budget(&sd->k->held, held.budget);
	}
	uint64_t now = e->now_us;
	bool was = f->replaying;
	f->replaying = true;
	struct td_reader r = td_rd_make(held.data, held.len);
	struct td_tls_record rec;
	uint64_t ts;
	while (td_fl_held_next(&r, &rec, &ts)) {
		e->now_us = ts;
		on_record(f, side, &rec);
	}
	e->now_us = now;
	f->replaying = was;
	td_dynbuf_cleanup(&held);
	/* Replayed records were appended after later events (a FIN...). */
	td_fl_sort_timeline(f->conn);
}

/* One whole record of a side, then whether this side's next application
 * data records need their bytes: not once the handshake is done, data
 * has been seen and there is nothing (left) to decrypt, or only the
 * small records that may be alerts (td_fl_reads_appdata).  Then the record
 * layer passes them over without copying them (bulk transfers are nearly
 * all such records); their type and length still count.  Worked out
 * after every record, since a renegotiation may bring keys again. */
static void on_record(struct flow *f, int side, const struct td_tls_record *rec)
{
	struct td_engine *e = f->eng;
	struct side *sd = &f->s[side];
	struct td_conn *c = f->conn;
	if (!c) {
		sd->tls.skip_appdata = false;
		return;
	}
	if (!c->tls) {
		c->tls = true;
		c->changes++;
		c->id = ++e->next_id;
		e->st.tls_connections++;
	}
	enum td_dir dir = td_fl_side_dir(f, side);
	c->side[dir].records++;

	if (rec->sslv2) {
		td_fl_set_client(f, side, true);
		dir = td_fl_side_dir(f, side);
		if (!c->ch.present) {
			enum td_result r = td_tls_decode_sslv2_hello(rec->body, rec->len, &c->ch);
			c->ch.present = true;
			if (r != TD_OK)
				td_fl_malformed(f, dir, "SSLv2 ClientHello", r);
		}
		struct td_event ev = { .kind = TD_EV_SSLV2_HELLO, .length = (uint32_t)rec->len };
		td_fl_add_event(f, dir, &ev);
	} else {
		sd->record_version = rec->version;
		struct td_fl_plain plain;
		enum td_fl_opened o = td_fl_open(f, side, rec, &plain);
		/* Its keys came (or never will): what was held goes first. */
		while (o == TD_FL_RELEASE) {
			replay_held(f, side);
			o = td_fl_open(f, side, rec, &plain);
		}
		if (o == TD_FL_HELD) {
			c->side[dir].records--;  /* counted again when replayed */
			/* What the record's size and position say counts now, in
			 * capture order with the other side's records. */
			if (!td_fl_is_tls13(c))
				c->side[dir].encrypted_seen = true;
			after_record(f, dir, rec->type, 0, rec->len, true);
		} else {
			size_t before = c->n_events + c->dropped_events;
			decode(f, side, rec, o == TD_FL_PLAIN ? &plain : NULL);
			td_fl_later_after(f, side, rec, o == TD_FL_PLAIN ? plain.type : -1,
					  c->n_events + c->dropped_events != before);
		}
	}
	sd->tls.skip_appdata = f->established_us && sd->appdata && !td_fl_reads_appdata(f, side);
}

/* ---- a ClientHello that never completes ---------------------------------- */

/* The record header (RFC 5246 6.2.1) and the handshake message header
 * (type, 24-bit length: RFC 8446 4). */
#define RECORD_HEADER 5u
#define HS_HEADER 4u

/* While the flow has no ClientHello: is one under way on this side, in
 * the partial record (tls.buf: record header, then the message) or, when
 * it spans records, in the handshake joiner (hs.buf, then the partial
 * record's body)?  Remember how much of it has come.  Called after each
 * piece of the stream, until the ClientHello is decoded. */
static void note_partial_hello(struct flow *f, int side)
{
	const struct side *sd = &f->s[side];
	const struct td_dynbuf *rec = &sd->tls.buf, *hs = &sd->hs.buf;
	size_t in_rec = sd->tls.state == TD_TS_SYNCED && rec->len > RECORD_HEADER &&
			rec->data[0] == TD_CT_HANDSHAKE ? rec->len - RECORD_HEADER : 0;
	/* No pointer arithmetic on an empty buffer (its data is NULL). */
	const uint8_t *msg = hs->len > 0 ? hs->data : in_rec > 0 ? rec->data + RECORD_HEADER : NULL;
	size_t first = hs->len > 0 ? hs->len : in_rec;  /* bytes at msg */
	size_t have = hs->len + in_rec;
	if (!msg || first < HS_HEADER || msg[0] != TD_HS_CLIENT_HELLO)
		return;
	size_t declared = (size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3];
	size_t seen = have - HS_HEADER;
	if (seen >= declared || (f->hello_declared && f->hello_side != side))
		return;
	f->hello_seen = (uint32_t)seen;
	f->hello_declared = (uint32_t)declared;
	f->hello_side = side;
	f->hello_us = f->eng->now_us;
}

/* The flow ends without a ClientHello but with part of one: it is a TLS
 * connection all the same (it stays INCOMPLETE), and its timeline says
 * how much of the ClientHello the capture holds. */
static void report_partial_hello(struct flow *f)
{
	struct td_engine *e = f->eng;
	struct td_conn *c = f->conn;
	if (!c || c->ch.present || f->hello_declared == 0)
		return;
	if (!c->tls) {
		c->tls = true;
		c->id = ++e->next_id;
		e->st.tls_connections++;
	}
	c->changes++;
	td_fl_set_client(f, f->hello_side, true);
	char detail[96];
	snprintf(detail, sizeof detail, "incomplete: %" PRIu32 " of %" PRIu32 " bytes captured",
		 f->hello_seen, f->hello_declared);
	struct td_event ev = { .kind = TD_EV_HANDSHAKE, .hs_type = TD_HS_CLIENT_HELLO,
			       .content_type = TD_CT_HANDSHAKE, .length = f->hello_seen,
			       .detail = detail };
	uint64_t now = e->now_us;
	e->now_us = f->hello_us;
	td_fl_add_event(f, td_fl_side_dir(f, f->hello_side), &ev);
	e->now_us = now;
	td_fl_sort_timeline(c);
}

/* ---- the transport seam (tls_input.h) ----------------------------------- */

struct stream_ctx {
	struct flow *f;
	int side;
};

static void stream_record(void *ctx, const struct td_tls_record *rec)
{
	struct stream_ctx *sc = ctx;
	on_record(sc->f, sc->side, rec);
}

void td_tls_in_records(struct flow *f, int side, const uint8_t *data, size_t len)
{
	struct side *sd = &f->s[side];
	if (f->conn)
		f->conn->side[td_fl_side_dir(f, side)].bytes += len;
	struct stream_ctx sc = { f, side };
	enum td_result r = td_tls_stream_feed(&sd->tls, data, len, stream_record, &sc);
	if (r == TD_ERR_CAP || r == TD_ERR_NOMEM) {
		/* The memory cap (or malloc) refused a partial record: what is
		 * lost is lost, as in a capture gap; resynchronise after it. */
		td_tls_stream_gap(&sd->tls);
		td_hs_reasm_reset(&sd->hs);
		if (f->conn) {
			td_fl_nomem(f->conn, r);
			td_fl_nomem(f->conn, td_conn_anomaly(f->conn, r == TD_ERR_CAP
				? TD_AN_MEMORY_CAP : TD_AN_OUT_OF_MEMORY, td_fl_side_dir(f, side),
				0, NULL, NULL));
		}
	}
	if (f->conn && !f->conn->ch.present)
		note_partial_hello(f, side);
	td_fl_notify(f);
}

void td_tls_in_handshake(struct flow *f, int side, const uint8_t *data, size_t len,
			 bool decrypted)
{
	struct side *sd = &f->s[side];
	if (!f->conn)
		return;
	enum td_dir dir = td_fl_side_dir(f, side);
	f->conn->side[dir].bytes += len;
	struct msg_ctx m = { f, side, decrypted };
	if (decrypted)
		f->conn->decrypted = true;
	enum td_result r = td_hs_reasm_feed(&sd->hs, data, len, on_message, &m);
	if (r != TD_OK && f->conn)
		td_fl_malformed(f, td_fl_side_dir(f, side), "handshake message", r);
	if ((r == TD_ERR_CAP || r == TD_ERR_NOMEM) && sd->hs.skip_left == 0)
		td_hs_reasm_reset(&sd->hs);
	td_fl_notify(f);
}

void td_tls_in_gap(struct flow *f, int side)
{
	td_fl_keys_lost(f, side);
	td_tls_stream_gap(&f->s[side].tls);
	td_hs_reasm_reset(&f->s[side].hs);
}

void td_tls_in_end(struct flow *f)
{
	for (int i = 0; i < 2; i++)
		if (td_fl_keys_final(f, i))
			replay_held(f, i);
	td_fl_app_end(f);
	td_fl_later_end(f);
	report_partial_hello(f);
	td_fl_notify(f);
}
