/*
 * engine.c - packets in, finished TLS connections out (see engine.h).
 *
 * Per TCP flow the engine keeps a struct flow: for each physical side
 * (A = the source of the first packet seen, B = the other) a
 * reassembler, a TLS record stream and a handshake message joiner, plus
 * the connection model being built.  Which side is the client is
 * learnt from the SYN, the SYN-ACK or the ClientHello; until then the
 * side with the higher port is assumed to be the client.
 *
 * When does a record count as encrypted?  TLS <= 1.2: a side's records
 * after its ChangeCipherSpec.  TLS 1.3: every record after the
 * ServerHello except ChangeCipherSpec (RFC 8446 5: the compatibility
 * CCS is never protected).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "diagnose.h"
#include "engine.h"
#include "flowtab.h"
#include "infer.h"
#include "keylog.h"
#include "packet.h"
#include "reader.h"
#include "reasm.h"
#include "text.h"
#include "tls_handshake.h"
#include "tls_crypto.h"
#include "tls_names.h"
#include "tls_record.h"
#include "x509.h"

/* Encrypted records put in the timeline per direction during the handshake. */
#define ENCRYPTED_EVENTS_MAX 6
/* An AEAD-protected alert: 2 bytes + inner content type + 16-byte tag. */
#define TLS13_ALERT_RECORD 19u
/* Finished connections held back to keep capture order, at most. */
#define ORDER_QUEUE_MAX 4096u
/* Server ports remembered as speaking TLS in this capture. */
#define TLS_PORTS_KEPT 64u
/* Grace after a successful handshake before reporting early (live views). */
#define REPORT_GRACE_US 1000000u

struct side {
	struct td_reasm reasm;
	struct td_tls_stream tls;
	struct td_hs_reasm hs;
	bool encrypted;       /* records from this side are protected now */
	bool fin, rst;
	bool appdata;         /* sent application data after the handshake */
	uint32_t enc_events;  /* encrypted records put in the timeline */
	uint16_t record_version; /* version field of the last record */
	/* TLS 1.3 decryption with a key log */
	enum { KEYS_NONE, KEYS_HANDSHAKE, KEYS_APPLICATION, KEYS_OFF } key_state;
	struct td_tls13_keys keys;
	uint32_t app_decrypted;  /* application records decrypted (a few, then stop) */
	uint16_t port;
	struct td_addr addr;
};

struct flow {
	struct td_engine *eng;
	struct td_conn *conn;  /* NULL once reported (the flow is a tombstone) */
	struct side s[2];      /* [0] = side A, [1] = side B */
	bool a_is_client;
	bool roles_known;
	bool client_flight_seen; /* TLS 1.3: client sent a protected record */
	bool client_finished;    /* the client's Finished went by (seen or inferred) */
	bool client_alert_after; /* ...then the client sent an alert */
	bool client_data_after;  /* ...then the client sent application data */
	uint64_t established_us; /* 0 until the handshake is known to have succeeded */
	uint64_t first_us;
};

struct held {
	uint64_t id;
	struct td_conn *conn;
};

struct td_engine {
	struct td_config cfg;
	struct td_sink *sink;
	struct td_flowtab *flows;
	struct td_reasm_budget budget;
	struct td_stats st;
	uint64_t next_id;       /* id of the next TLS connection */
	uint64_t next_report;   /* ordered mode: id the sink expects next */
	struct held *queue;     /* ordered mode: finished, waiting for earlier ids */
	size_t queue_n;
	uint64_t now_us;
	uint8_t plain[TD_CAP_RECORD];       /* a decrypted record */
	uint16_t tls_ports[TLS_PORTS_KEPT]; /* server ports where TLS was seen */
	size_t n_tls_ports, next_tls_port;
};

void td_config_defaults(struct td_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->flow_buffer = TD_DEFAULT_FLOW_BUFFER;
	cfg->max_memory = TD_DEFAULT_MAX_MEMORY;
	cfg->max_flows = TD_DEFAULT_MAX_FLOWS;
	cfg->idle_timeout_s = TD_DEFAULT_IDLE_TIMEOUT;
	cfg->ordered = true;
	cfg->diagnoser = NULL;
	cfg->keylog = NULL;
}

/* ---- small helpers ---------------------------------------------------- */

static bool conn_is_tls13(const struct td_conn *c)
{
	return c->sh.present && td_tls_version_is_13(c->version);
}

static enum td_dir side_dir(const struct flow *f, int side)
{
	bool is_client = (side == 0) == f->a_is_client;
	return is_client ? TD_DIR_C2S : TD_DIR_S2C;
}

static int dir_side(const struct flow *f, enum td_dir d)
{
	return (d == TD_DIR_C2S) == f->a_is_client ? 0 : 1;
}

static void note_nomem(struct td_conn *c, enum td_result r)
{
	/* Out of memory while recording: the connection is marked, analysis
	 * goes on with what fits. */
	if (r == TD_ERR_NOMEM)
		c->malformed = true;
}

static void add_event(struct flow *f, enum td_dir dir, struct td_event *ev)
{
	if (!f->conn)
		return;
	ev->ts_us = f->eng->now_us;
	ev->dir = dir;
	note_nomem(f->conn, td_conn_add_event(f->conn, ev, NULL));
}

static void add_simple(struct flow *f, enum td_dir dir, enum td_event_kind k, uint32_t len)
{
	struct td_event ev = { .kind = k, .length = len };
	add_event(f, dir, &ev);
}

static void malformed(struct flow *f, enum td_dir dir, const char *what, enum td_result r)
{
	struct td_conn *c = f->conn;
	if (!c)
		return;
	if (r == TD_ERR_NOMEM) {
		note_nomem(c, r);
		return;
	}
	char detail[160];
	snprintf(detail, sizeof detail, "%s from the %s: %s", what, td_dir_from(dir),
		 td_result_str(r));
	c->malformed = true;
	note_nomem(c, td_conn_anomaly(c, "%s", detail));
	struct td_event ev = { .kind = TD_EV_MALFORMED, .detail = detail };
	add_event(f, dir, &ev);
}

/* Set the conn's endpoints from the roles. */
static void set_endpoints(struct flow *f)
{
	struct td_conn *c = f->conn;
	if (!c)
		return;
	const struct side *cl = &f->s[f->a_is_client ? 0 : 1];
	const struct side *sv = &f->s[f->a_is_client ? 1 : 0];
	c->client_addr = cl->addr;
	c->client_port = cl->port;
	c->server_addr = sv->addr;
	c->server_port = sv->port;
}

/* Learn that `side` is the client (or the server).  When this contradicts
 * the guess, swap the roles and flip the events recorded so far. */
static void set_client(struct flow *f, int side, bool is_client)
{
	bool a_is_client = (side == 0) == is_client;
	if (f->roles_known || a_is_client == f->a_is_client) {
		f->roles_known = true;
		return;
	}
	f->a_is_client = a_is_client;
	f->roles_known = true;
	if (f->conn) {
		for (size_t i = 0; i < f->conn->n_events; i++)
			f->conn->events[i].dir = f->conn->events[i].dir == TD_DIR_C2S
				? TD_DIR_S2C : TD_DIR_C2S;
		struct td_side tmp = f->conn->side[0];
		f->conn->side[0] = f->conn->side[1];
		f->conn->side[1] = tmp;
	}
	set_endpoints(f);
}

/* ---- reporting -------------------------------------------------------- */

static int held_cmp(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void emit(struct td_engine *e, struct td_conn *c)
{
	if (td_conn_has_error(c))
		e->st.connections_with_errors++;
	e->sink->conn_done(e->sink, c);
	td_conn_free(c);
}

/* Hand finished connections to the sink, in id order when asked to. */
static void release_ordered(struct td_engine *e, bool all)
{
	while (e->queue_n > 0 &&
	       (all || e->queue[0].id <= e->next_report || e->queue_n >= ORDER_QUEUE_MAX)) {
		struct held h = e->queue[0];
		memmove(e->queue, e->queue + 1, (e->queue_n - 1) * sizeof *e->queue);
		e->queue_n--;
		if (h.id >= e->next_report)
			e->next_report = h.id + 1;
		emit(e, h.conn);
	}
}

static void report(struct td_engine *e, struct td_conn *c)
{
	if (!e->cfg.ordered) {
		emit(e, c);
		return;
	}
	if (!e->queue) {
		e->queue = calloc(ORDER_QUEUE_MAX, sizeof *e->queue);
		if (!e->queue) {
			emit(e, c);
			return;
		}
	}
	/* Insert keeping the queue sorted; it is short in practice. */
	e->queue[e->queue_n].id = c->id;
	e->queue[e->queue_n].conn = c;
	e->queue_n++;
	qsort(e->queue, e->queue_n, sizeof *e->queue, held_cmp);
	release_ordered(e, false);
}

/* Decide the outcome from what was seen: established when the handshake
 * completed (check_established) with no fatal alert in clear; failed
 * after a fatal alert or a close; incomplete otherwise. */
static void finalize_outcome(const struct flow *f, struct td_conn *c)
{
	bool fatal = false;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *ev = &c->events[i];
		if (ev->kind == TD_EV_ALERT && (!ev->encrypted || ev->decrypted) &&
		    ev->alert_level == 2)
			fatal = true;
	}
	c->handshake_done = f->established_us != 0;
	if (f->established_us && !fatal) {
		c->outcome = TD_OUTCOME_ESTABLISHED;
		if (f->client_alert_after && !f->client_data_after) {
			c->outcome = TD_OUTCOME_FAILED;
			c->client_quit_after_handshake = true;
			note_nomem(c, td_conn_anomaly(c, "the client sent an alert right after the "
				"handshake, before any application data%s",
				conn_is_tls13(c) ? " (inferred from record sizes)" : ""));
		}
		return;
	}
	bool closed = false;
	for (int i = 0; i < 2; i++)
		closed = closed || f->s[i].fin || f->s[i].rst;
	/* A SYN never answered is a failed connection, whatever the capture
	 * saw afterwards. */
	bool syn = false, synack = false;
	for (size_t i = 0; i < c->n_events; i++) {
		syn = syn || c->events[i].kind == TD_EV_TCP_SYN;
		synack = synack || c->events[i].kind == TD_EV_TCP_SYNACK;
	}
	/* A flow picked up after its handshake: its close says nothing. */
	bool handshake_seen = c->ch.present || c->sh.present;
	if (fatal || (closed && handshake_seen) || (syn && !synack) ||
	    (closed && c->cleartext[TD_DIR_C2S]))
		c->outcome = TD_OUTCOME_FAILED;
	else
		c->outcome = TD_OUTCOME_INCOMPLETE;
}

/* Flush what is buffered, judge, and hand the connection over. */
static void finish_conn(struct flow *f);

static void flow_free(struct flow *f)
{
	if (!f)
		return;
	for (int i = 0; i < 2; i++) {
		td_reasm_cleanup(&f->s[i].reasm);
		td_tls_stream_cleanup(&f->s[i].tls);
		td_hs_reasm_cleanup(&f->s[i].hs);
		td_tls13_keys_cleanup(&f->s[i].keys);
	}
	td_conn_free(f->conn);
	free(f);
}

/* ---- handshake messages ------------------------------------------------ */

struct msg_ctx {
	struct flow *f;
	int side;
	bool decrypted;  /* the bytes came out of a key-log decryption */
};

struct chain_ctx {
	struct flow *f;
	struct td_chain *chain;
};

static enum td_result on_cert(void *ctx, const uint8_t *der, size_t len)
{
	struct chain_ctx *cc = ctx;
	struct td_chain *ch = cc->chain;
	if (ch->n >= TD_CAP_CHAIN) {
		ch->dropped++;
		return TD_OK;
	}
	struct td_cert *certs = realloc(ch->certs, (ch->n + 1) * sizeof *certs);
	if (!certs)
		return TD_ERR_NOMEM;
	ch->certs = certs;
	memset(&certs[ch->n], 0, sizeof certs[ch->n]);
	enum td_result r = td_x509_parse(der, len, &certs[ch->n]);
	ch->n++;  /* even a partly filled cert is cleaned up with the chain */
	return r;
}

/* Application records decrypted per direction before decryption stops
 * (post-handshake alerts such as certificate_required arrive there). */
#define APP_RECORDS_DECRYPTED 4u

/* Key the side that sends in direction dir from the key log, or turn
 * its decryption off when the log has no such secret. */
static void set_keys(struct flow *f, enum td_dir dir, enum td_keylog_label label, int state)
{
	struct side *sd = &f->s[dir_side(f, dir)];
	const struct td_keylog *kl = f->eng->cfg.keylog;
	size_t len = 0;
	const uint8_t *secret = kl ? td_keylog_find(kl, label, f->conn->ch.random, &len) : NULL;
	td_tls13_keys_cleanup(&sd->keys);
	if (secret && td_tls13_keys_init(&sd->keys, f->conn->cipher, secret, len) == TD_OK)
		sd->key_state = state;
	else
		sd->key_state = KEYS_OFF;
}

static void on_server_hello(struct flow *f, const uint8_t *body, size_t len)
{
	struct td_conn *c = f->conn;
	struct td_server_hello sh = { 0 };
	enum td_result r = td_tls_decode_server_hello(body, len, &sh);
	if (r != TD_OK)
		malformed(f, TD_DIR_S2C, "ServerHello", r);
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
	if (!sh.hrr && td_tls_version_is_13(c->version)) {
		/* From here on both sides protect their records. */
		f->s[0].encrypted = true;
		f->s[1].encrypted = true;
		if (f->eng->cfg.keylog && c->ch.present) {
			set_keys(f, TD_DIR_C2S, TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, KEYS_HANDSHAKE);
			set_keys(f, TD_DIR_S2C, TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, KEYS_HANDSHAKE);
		}
	}
}

static void on_message(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct msg_ctx *m = ctx;
	struct flow *f = m->f;
	struct td_conn *c = f->conn;
	if (!c)
		return;
	if (type == TD_HS_CLIENT_HELLO)
		set_client(f, m->side, true);
	else if (type == TD_HS_SERVER_HELLO)
		set_client(f, m->side, false);
	enum td_dir dir = side_dir(f, m->side);
	enum td_result r = TD_OK;
	char hrr_name[] = "HelloRetryRequest";

	struct td_event ev = { .kind = TD_EV_HANDSHAKE, .hs_type = type,
			       .content_type = TD_CT_HANDSHAKE, .encrypted = m->decrypted,
			       .decrypted = m->decrypted,
			       .length = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len };
	switch (type) {
	case TD_HS_CLIENT_HELLO:
		if (!c->ch.present) {
			r = td_tls_decode_client_hello(body, len, &c->ch);
			c->ch.present = true;
			c->ch.record_version = f->s[m->side].record_version;
			if (r != TD_OK)
				malformed(f, dir, "ClientHello", r);
		}
		break;
	case TD_HS_SERVER_HELLO:
		on_server_hello(f, body, len);
		if (c->sh.hrr && !f->s[dir_side(f, TD_DIR_S2C)].encrypted)
			ev.detail = hrr_name;
		break;
	case TD_HS_ENCRYPTED_EXTENSIONS:
		r = td_tls_decode_encrypted_extensions(body, len, &c->sh);
		if (r != TD_OK)
			malformed(f, dir, "EncryptedExtensions", r);
		break;
	case TD_HS_CERTIFICATE: {
		struct td_chain *chain = dir == TD_DIR_S2C ? &c->server_chain : &c->client_chain;
		if (chain->present)
			break;  /* renegotiation: keep the first */
		chain->present = true;
		chain->encrypted = m->decrypted;
		struct chain_ctx cc = { f, chain };
		size_t count = 0;
		r = td_tls_decode_certificate(body, len, conn_is_tls13(c), on_cert, &cc, &count);
		if (r != TD_OK)
			malformed(f, dir, "Certificate", r);
		break;
	}
	case TD_HS_CERTIFICATE_REQUEST:
		if (!c->cr.present) {
			c->cr.present = true;
			r = td_tls_decode_cert_request(body, len, conn_is_tls13(c),
						       td_x509_name_string, &c->cr);
			if (r != TD_OK)
				malformed(f, dir, "CertificateRequest", r);
		}
		break;
	case TD_HS_SERVER_KEY_EXCHANGE:
		c->server_key_exchange = true;
		r = td_tls_decode_server_key_exchange(body, len, &c->ske_group);
		if (r != TD_OK)
			malformed(f, dir, "ServerKeyExchange", r);
		break;
	case TD_HS_CLIENT_KEY_EXCHANGE:
		c->client_key_exchange = true;
		break;
	case TD_HS_CERTIFICATE_VERIFY:
		if (dir == TD_DIR_C2S) {
			c->client_cert_verify = true;
			r = td_tls_decode_cert_verify(body, len, &c->client_cv_scheme);
			if (r != TD_OK)
				malformed(f, dir, "CertificateVerify", r);
		}
		break;
	case TD_HS_FINISHED:
		c->finished[dir] = true;
		/* TLS 1.3: the sender's next records use its application keys. */
		if (m->decrypted && f->s[m->side].key_state == KEYS_HANDSHAKE)
			set_keys(f, dir, dir == TD_DIR_C2S ? TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0
							   : TD_KEYLOG_SERVER_TRAFFIC_SECRET_0,
				 KEYS_APPLICATION);
		break;
	case TD_HS_NEW_SESSION_TICKET:
		c->new_session_tickets++;
		break;
	default:
		break;
	}
	add_event(f, dir, &ev);
}

/* ---- records ------------------------------------------------------------ */

/* TLS <= 1.2: the handshake is over when both sides sent CCS and
 * Finished.  TLS 1.3 without keys: the server sent a protected record
 * larger than an alert after the client's first protected record (its
 * Finished): a server sends NewSessionTicket or data only once it has
 * accepted the client's flight. */
static void check_established(struct flow *f, enum td_dir dir, uint8_t type, size_t len)
{
	struct td_conn *c = f->conn;
	if (f->established_us || !c->sh.present)
		return;
	if (conn_is_tls13(c)) {
		if (dir == TD_DIR_C2S && type == TD_CT_APPLICATION_DATA)
			f->client_flight_seen = true;
		else if (dir == TD_DIR_S2C && type == TD_CT_APPLICATION_DATA &&
			 f->client_flight_seen && len > TLS13_ALERT_RECORD + 16)
			f->established_us = f->eng->now_us;
		return;
	}
	const struct side *cs = &f->s[dir_side(f, TD_DIR_C2S)];
	const struct side *ss = &f->s[dir_side(f, TD_DIR_S2C)];
	if (c->side[TD_DIR_C2S].ccs_seen && c->side[TD_DIR_S2C].ccs_seen &&
	    cs->encrypted && ss->encrypted &&
	    c->side[TD_DIR_C2S].encrypted_seen && c->side[TD_DIR_S2C].encrypted_seen)
		f->established_us = f->eng->now_us;
}

/* Did the client send data after its Finished, or only an alert?  A
 * client that rejects the server after a complete handshake (curl does
 * so when the name does not match) sends an alert and closes without a
 * byte of data.  TLS <= 1.2: the Finished is the client's first
 * protected handshake record; what follows shows its content type.
 * TLS 1.3 without keys: the Finished is the client's protected record of
 * exactly hash length + 21 bytes (4-byte header, inner type, 16-byte
 * tag), and an alert is a record of TLS13_ALERT_RECORD bytes. */
static void track_client_after_finished(struct flow *f, uint8_t type, size_t len, bool protected_)
{
	struct td_conn *c = f->conn;
	if (!protected_ || !c->sh.present)
		return;
	if (!f->client_finished) {
		if (conn_is_tls13(c)) {
			size_t hash = c->cipher == 0x1302 ? 48 : 32;  /* TLS_AES_256_GCM_SHA384 */
			f->client_finished = type == TD_CT_APPLICATION_DATA && len == hash + 21;
		} else {
			f->client_finished = type == TD_CT_HANDSHAKE;
		}
		return;
	}
	bool alert = conn_is_tls13(c) ? type == TD_CT_APPLICATION_DATA && len == TLS13_ALERT_RECORD
				       : type == TD_CT_ALERT;
	if (alert)
		f->client_alert_after = true;
	else if (type == TD_CT_APPLICATION_DATA)
		f->client_data_after = true;
}

/* TLS 1.3 with a key log: open a protected record and hand its content
 * to the same decoders as clear records.  False when it could not be
 * opened (the caller then records it as encrypted). */
static bool decrypt_record(struct flow *f, struct msg_ctx *m, const struct td_tls_record *rec)
{
	struct td_engine *e = f->eng;
	struct td_conn *c = f->conn;
	struct side *sd = &f->s[m->side];
	enum td_dir dir = side_dir(f, m->side);
	uint8_t header[5] = { rec->type, (uint8_t)(rec->version >> 8), (uint8_t)rec->version,
			      (uint8_t)(rec->len >> 8), (uint8_t)rec->len };
	size_t n = sizeof e->plain;
	uint8_t inner = 0;
	if (td_tls13_decrypt(&sd->keys, header, rec->body, rec->len, e->plain, &n, &inner) != TD_OK) {
		note_nomem(c, td_conn_anomaly(c, "key log entry does not match this connection: "
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
		enum td_result r = td_hs_reasm_feed(&sd->hs, e->plain, n, on_message, &dm);
		if (r != TD_OK)
			malformed(f, dir, "decrypted handshake message", r);
		break;
	}
	case TD_CT_ALERT: {
		struct td_reader rd = td_rd_make(e->plain, n);
		ev.kind = TD_EV_ALERT;
		ev.alert_level = td_rd_u8(&rd);
		ev.alert_desc = td_rd_u8(&rd);
		add_event(f, dir, &ev);
		c->side[dir].encrypted_seen = true;
		break;
	}
	default:  /* application data: a few, then stop decrypting */
		c->side[dir].encrypted_seen = true;
		c->side[dir].encrypted_records++;
		if (!sd->appdata) {
			sd->appdata = true;
			ev.kind = TD_EV_APPDATA;
			add_event(f, dir, &ev);
		}
		if (++sd->app_decrypted >= APP_RECORDS_DECRYPTED)
			sd->key_state = KEYS_OFF;
		break;
	}
	/* Record sizes still drive the inference (check_established) as for
	 * records left encrypted. */
	if (dir == TD_DIR_C2S)
		track_client_after_finished(f, rec->type, rec->len, true);
	check_established(f, dir, rec->type, rec->len);
	if (e->sink->conn_update)
		e->sink->conn_update(e->sink, c);
	return true;
}

static void on_record(void *ctx, const struct td_tls_record *rec)
{
	struct msg_ctx *m = ctx;
	struct flow *f = m->f;
	struct td_engine *e = f->eng;
	struct side *sd = &f->s[m->side];
	if (!f->conn)
		return;
	if (!f->conn->tls) {
		f->conn->tls = true;
		f->conn->id = ++e->next_id;
		e->st.tls_connections++;
	}
	struct td_conn *c = f->conn;
	enum td_dir dir = side_dir(f, m->side);
	c->side[dir].records++;

	if (rec->sslv2) {
		set_client(f, m->side, true);
		dir = side_dir(f, m->side);
		if (!c->ch.present) {
			enum td_result r = td_tls_decode_sslv2_hello(rec->body, rec->len, &c->ch);
			c->ch.present = true;
			if (r != TD_OK)
				malformed(f, dir, "SSLv2 ClientHello", r);
		}
		struct td_event ev = { .kind = TD_EV_SSLV2_HELLO, .length = (uint32_t)rec->len };
		add_event(f, dir, &ev);
		return;
	}

	sd->record_version = rec->version;
	if (rec->type == TD_CT_APPLICATION_DATA &&
	    (sd->key_state == KEYS_HANDSHAKE || sd->key_state == KEYS_APPLICATION) &&
	    decrypt_record(f, m, rec))
		return;
	uint32_t len32 = rec->len > UINT32_MAX ? UINT32_MAX : (uint32_t)rec->len;
	struct td_event ev = { .content_type = rec->type, .length = len32 };
	switch (rec->type) {
	case TD_CT_CHANGE_CIPHER_SPEC:
		ev.kind = TD_EV_CCS;
		add_event(f, dir, &ev);
		c->side[dir].ccs_seen = true;
		if (!conn_is_tls13(c))
			sd->encrypted = true;
		break;
	case TD_CT_ALERT:
		ev.kind = TD_EV_ALERT;
		/* A 2-byte alert is in clear whatever the state: a protected one
		 * always carries a tag or MAC.  (OpenSSL rejects a server
		 * certificate in TLS 1.3 before it installs its handshake keys, so
		 * its alert goes out in clear.) */
		if (rec->len == 2) {
			struct td_reader r = td_rd_make(rec->body, rec->len);
			ev.alert_level = td_rd_u8(&r);
			ev.alert_desc = td_rd_u8(&r);
		} else {
			ev.encrypted = true;
			c->side[dir].encrypted_seen = true;
		}
		add_event(f, dir, &ev);
		break;
	case TD_CT_HANDSHAKE:
		/* TLS 1.3 protects handshake messages as application_data
		 * records, so a handshake record there is in clear. */
		if (sd->encrypted && !conn_is_tls13(c)) {
			/* TLS <= 1.2 Finished after CCS, or a renegotiation. */
			c->side[dir].encrypted_seen = true;
			ev.kind = TD_EV_ENCRYPTED;
			ev.encrypted = true;
			if (sd->enc_events++ < ENCRYPTED_EVENTS_MAX)
				add_event(f, dir, &ev);
		} else {
			enum td_result r = td_hs_reasm_feed(&sd->hs, rec->body, rec->len,
							    on_message, m);
			if (r != TD_OK)
				malformed(f, dir, "handshake message", r);
		}
		break;
	case TD_CT_APPLICATION_DATA:
		c->side[dir].encrypted_seen = true;
		c->side[dir].encrypted_records++;
		if (f->established_us) {
			if (!sd->appdata) {
				sd->appdata = true;
				ev.kind = TD_EV_APPDATA;
				ev.encrypted = true;
				add_event(f, dir, &ev);
			}
		} else {
			ev.kind = TD_EV_ENCRYPTED;
			ev.encrypted = true;
			if (sd->enc_events++ < ENCRYPTED_EVENTS_MAX)
				add_event(f, dir, &ev);
		}
		break;
	default:
		note_nomem(c, td_conn_anomaly(c, "record of content type %u from the %s",
					      rec->type, td_dir_from(dir)));
		break;
	}
	if (dir == TD_DIR_C2S)
		track_client_after_finished(f, rec->type, rec->len, sd->encrypted);
	check_established(f, dir, rec->type, rec->len);
	if (e->sink->conn_update)
		e->sink->conn_update(e->sink, c);
}

/* ---- TCP ---------------------------------------------------------------- */

static void on_bytes(void *ctx, const uint8_t *data, size_t len)
{
	struct msg_ctx *m = ctx;
	struct flow *f = m->f;
	struct side *sd = &f->s[m->side];
	if (f->conn)
		f->conn->side[side_dir(f, m->side)].bytes += len;
	enum td_result r = td_tls_stream_feed(&sd->tls, data, len, on_record, m);
	if (r != TD_OK && f->conn)
		note_nomem(f->conn, r);
}

static void on_gap(void *ctx, uint32_t missing)
{
	struct msg_ctx *m = ctx;
	struct flow *f = m->f;
	struct side *sd = &f->s[m->side];
	td_tls_stream_gap(&sd->tls);
	td_hs_reasm_reset(&sd->hs);
	f->eng->st.gap_bytes += missing;
	if (!f->conn)
		return;
	enum td_dir dir = side_dir(f, m->side);
	f->conn->side[dir].gaps++;
	f->conn->side[dir].gap_bytes += missing;
	if (f->conn->tls)
		add_simple(f, dir, TD_EV_TCP_GAP, missing);
}

static void flush_side(struct flow *f, int side)
{
	struct msg_ctx m = { f, side, false };
	struct td_reasm_cb cb = { on_bytes, on_gap, &m };
	td_reasm_flush(&f->s[side].reasm, &cb);
}

/* After the report: no more buffering for this flow (it stays a
 * tombstone in the table until it closes or goes idle). */
static void release_buffers(struct flow *f)
{
	for (int i = 0; i < 2; i++) {
		td_reasm_stop(&f->s[i].reasm);
		td_tls_stream_cleanup(&f->s[i].tls);
		td_tls_stream_init(&f->s[i].tls);
		td_hs_reasm_cleanup(&f->s[i].hs);
		td_hs_reasm_init(&f->s[i].hs);
	}
}

/* Ports where TLS is usual (RFC 6335 registrations and common practice). */
static bool well_known_tls_port(uint16_t port)
{
	static const uint16_t ports[] = { 443, 465, 636, 853, 989, 990, 992, 993, 994, 995, 2376,
					  3269, 4443, 5061, 5223, 5671, 6443, 6514, 8443, 8883,
					  9443, 10250 };
	for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
		if (ports[i] == port)
			return true;
	return false;
}

static bool tls_port_seen(const struct td_engine *e, uint16_t port)
{
	for (size_t i = 0; i < e->cfg.n_tls_ports; i++)
		if (e->cfg.tls_ports[i] == port)
			return true;
	for (size_t i = 0; i < e->n_tls_ports; i++)
		if (e->tls_ports[i] == port)
			return true;
	return false;
}

static void remember_tls_port(struct td_engine *e, uint16_t port)
{
	if (tls_port_seen(e, port))
		return;
	e->tls_ports[e->next_tls_port++ % TLS_PORTS_KEPT] = port;
	if (e->n_tls_ports < TLS_PORTS_KEPT)
		e->n_tls_ports++;
}

/* A flow without TLS is still reported when it looks like a failed TLS
 * attempt: to a TLS port (well known, or seen with TLS in this capture),
 * a SYN refused or never answered, or cleartext from the client. */
static bool failed_tls_attempt(const struct td_engine *e, const struct flow *f,
			       const struct td_conn *c)
{
	if (!well_known_tls_port(c->server_port) && !tls_port_seen(e, c->server_port))
		return false;
	bool syn = false, synack = false, server_rst = false;
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *ev = &c->events[i];
		syn = syn || (ev->kind == TD_EV_TCP_SYN && ev->dir == TD_DIR_C2S);
		synack = synack || ev->kind == TD_EV_TCP_SYNACK;
		server_rst = server_rst || (ev->kind == TD_EV_TCP_RST && ev->dir == TD_DIR_S2C);
	}
	const struct side *cs = &f->s[f->a_is_client ? 0 : 1];
	return (syn && (!synack || server_rst)) || cs->tls.prefix_len > 0;
}

static void finish_conn(struct flow *f)
{
	struct td_engine *e = f->eng;
	if (!f->conn)
		return;
	for (int i = 0; i < 2; i++)
		flush_side(f, i);
	struct td_conn *c = f->conn;
	f->conn = NULL;
	if (c->tls) {
		remember_tls_port(e, c->server_port);
	} else if (failed_tls_attempt(e, f, c)) {
		c->id = ++e->next_id;
	} else {
		td_conn_free(c);
		return;
	}
	for (int i = 0; i < 2; i++) {
		enum td_dir dir = (i == 0) == f->a_is_client ? TD_DIR_C2S : TD_DIR_S2C;
		const struct side *sd = &f->s[i];
		c->side[dir].fin = sd->fin;
		c->side[dir].rst = sd->rst;
		c->side[dir].dup_bytes = sd->reasm.dup_bytes;
		c->side[dir].cap_dropped = sd->reasm.cap_dropped;
		if (sd->tls.prefix_len > 0) {
			free(c->cleartext[dir]);
			c->cleartext[dir] = td_text_sanitize(sd->tls.prefix, sd->tls.prefix_len);
			c->cleartext_bytes[dir] = sd->tls.skipped;
			note_nomem(c, td_conn_anomaly(c, "the %s sent %llu bytes that are not TLS%s: \"%s\"",
				td_dir_from(dir), (unsigned long long)sd->tls.skipped,
				sd->tls.state == TD_TS_SYNCED ? " before TLS started" : "",
				c->cleartext[dir] ? c->cleartext[dir] : ""));
		}
		if (sd->tls.oversize)
			note_nomem(c, td_conn_anomaly(c, "the %s sent a record longer than %u bytes",
				td_dir_from(dir), TD_CAP_RECORD));
		e->st.reasm_cap_dropped += sd->reasm.cap_dropped;
	}
	if (f->first_us)
		c->start_us = c->start_us ? c->start_us : f->first_us;
	finalize_outcome(f, c);
	release_buffers(f);
	td_infer_records(c);
	if (e->cfg.diagnoser)
		note_nomem(c, td_diagnose(e->cfg.diagnoser, c));
	report(e, c);
}

static void on_evict(void *ctx, void *state, enum td_evict_reason why)
{
	struct td_engine *e = ctx;
	struct flow *f = state;
	if (why == TD_EVICT_FULL)
		e->st.flows_evicted_full++;
	else if (why == TD_EVICT_IDLE)
		e->st.flows_idle++;
	if (f->conn && why != TD_EVICT_FLUSH) {
		const char *reason = why == TD_EVICT_FULL
			? "the flow table was full (--max-flows): this flow was dropped"
			: "no packet for the idle timeout (--idle-timeout)";
		note_nomem(f->conn, td_conn_anomaly(f->conn, "%s", reason));
	}
	finish_conn(f);
	flow_free(f);
}

static struct flow *flow_new(struct td_engine *e, const struct td_segment *seg)
{
	struct flow *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->eng = e;
	f->conn = td_conn_new(0);
	if (!f->conn) {
		free(f);
		return NULL;
	}
	for (int i = 0; i < 2; i++) {
		td_reasm_init(&f->s[i].reasm, e->cfg.flow_buffer, &e->budget);
		td_tls_stream_init(&f->s[i].tls);
		td_hs_reasm_init(&f->s[i].hs);
	}
	f->s[0].addr = seg->src;
	f->s[0].port = seg->sport;
	f->s[1].addr = seg->dst;
	f->s[1].port = seg->dport;
	/* Guess: the side with the higher port is the client, until the SYN,
	 * SYN-ACK or ClientHello says. */
	f->a_is_client = seg->sport >= seg->dport;
	f->first_us = seg->ts_us;
	f->conn->start_us = seg->ts_us;
	set_endpoints(f);
	return f;
}

static void on_segment(struct td_engine *e, const struct td_segment *seg)
{
	bool from_a = true;
	struct flow *f = td_flowtab_lookup(e->flows, seg, &from_a);
	if (!f) {
		/* Only a SYN or data starts a flow: a bare ACK, FIN or RST of a
		 * flow we never saw (or just reported) carries nothing to decode. */
		if (!(seg->flags & TD_TCP_SYN) && seg->len == 0 && seg->missing == 0)
			return;
		f = flow_new(e, seg);
		if (!f || td_flowtab_add(e->flows, seg, f) != TD_OK) {
			flow_free(f);
			return;
		}
		e->st.flows++;
		from_a = true;
	}
	int side = from_a ? 0 : 1;
	struct side *sd = &f->s[side];
	if (f->conn)
		f->conn->last_us = seg->ts_us;

	if (seg->flags & TD_TCP_SYN) {
		bool synack = seg->flags & TD_TCP_ACK;
		set_client(f, side, !synack);
		td_reasm_syn(&sd->reasm, seg->seq);
		if (f->conn && f->conn->n_events < 8)
			add_simple(f, side_dir(f, side), synack ? TD_EV_TCP_SYNACK : TD_EV_TCP_SYN, 0);
	}
	if (seg->len > 0 || seg->missing > 0) {
		if (f->conn && !sd->reasm.started && !(seg->flags & TD_TCP_SYN))
			f->conn->partial = true;
		struct msg_ctx m = { f, side, false };
		struct td_reasm_cb cb = { on_bytes, on_gap, &m };
		td_reasm_segment(&sd->reasm, seg->seq + ((seg->flags & TD_TCP_SYN) ? 1u : 0u),
				 seg->payload, seg->len, seg->missing, &cb);
	}
	if ((seg->flags & TD_TCP_FIN) && !sd->fin) {
		sd->fin = true;
		add_simple(f, side_dir(f, side), TD_EV_TCP_FIN, 0);
	}
	if ((seg->flags & TD_TCP_RST) && !sd->rst) {
		sd->rst = true;
		add_simple(f, side_dir(f, side), TD_EV_TCP_RST, 0);
	}

	bool over = sd->rst || (f->s[0].fin && f->s[1].fin);
	bool grace = f->established_us && f->s[0].appdata && f->s[1].appdata &&
		     seg->ts_us > f->established_us + REPORT_GRACE_US;
	if (over) {
		(void)td_flowtab_remove(e->flows, seg);
		finish_conn(f);
		flow_free(f);
	} else if (grace && f->conn) {
		finish_conn(f);  /* the flow stays as a tombstone until it closes */
	}
}

/* ---- the public interface ------------------------------------------------ */

struct td_engine *td_engine_new(const struct td_config *cfg, struct td_sink *sink)
{
	struct td_engine *e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->cfg = *cfg;
	e->sink = sink;
	e->budget.cap = cfg->max_memory;
	e->next_report = 1;
	e->flows = td_flowtab_new(cfg->max_flows, on_evict, e);
	if (!e->flows) {
		free(e);
		return NULL;
	}
	return e;
}

void td_engine_frame(struct td_engine *e, enum td_link link, uint64_t ts_us,
		     const uint8_t *data, size_t caplen, size_t wirelen)
{
	if (ts_us > e->now_us)
		e->now_us = ts_us;
	if (data) {
		e->st.frames++;
		e->st.bytes += caplen;
		if (!e->st.first_us || ts_us < e->st.first_us)
			e->st.first_us = ts_us;
		if (ts_us > e->st.last_us)
			e->st.last_us = ts_us;
		struct td_segment seg;
		enum td_result r = td_packet_decode(link, ts_us, data, caplen, wirelen, &seg);
		if (r == TD_OK) {
			e->st.tcp_segments++;
			on_segment(e, &seg);
		} else if (r == TD_SKIP) {
			e->st.skipped_frames++;
		} else {
			e->st.malformed_frames++;
		}
	}
	if (e->cfg.idle_timeout_s)
		td_flowtab_expire(e->flows, e->now_us, (uint64_t)e->cfg.idle_timeout_s * 1000000u);
}

void td_engine_finish(struct td_engine *e)
{
	td_flowtab_flush(e->flows);
	release_ordered(e, true);
	e->st.memory_cap_dropped = e->budget.dropped;
	e->st.note = e->cfg.diagnoser ? td_diagnoser_note(e->cfg.diagnoser) : NULL;
	if (e->sink->finish)
		e->sink->finish(e->sink, &e->st);
}

const struct td_stats *td_engine_stats(const struct td_engine *e)
{
	return &e->st;
}

void td_engine_free(struct td_engine *e)
{
	if (!e)
		return;
	td_flowtab_free(e->flows);
	for (size_t i = 0; i < e->queue_n; i++)
		td_conn_free(e->queue[i].conn);
	free(e->queue);
	free(e);
}
