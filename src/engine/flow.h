/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.h - inside the engine: one TCP flow being analysed, shared by
 * src/engine/engine.c (flows, TCP, reporting), records.c (TLS records and
 * handshake messages into the connection model) and decrypt.c (key-log
 * decryption).  Not part of the engine's interface (include/engine.h).
 */
#ifndef TD_ENGINE_FLOW_H
#define TD_ENGINE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "dynbuf.h"
#include "engine.h"
#include "flowtab.h"
#include "reasm.h"
#include "tls12_crypto.h"
#include "tls_crypto.h"
#include "tls_handshake.h"
#include "tls_names.h"
#include "tls_record.h"
#include "x509.h"

/* Encrypted records put in the timeline per direction during the handshake. */
#define ENCRYPTED_EVENTS_MAX 6
/* Finished connections held back to keep capture order, at most. */
#define ORDER_QUEUE_MAX 4096u
/* Server ports remembered as speaking TLS in this capture. */
#define TLS_PORTS_KEPT 64u
/* Distinct certificates kept parsed (x509.h's cache): a few hundred
 * servers' chains. */
#define CERT_CACHE_ENTRIES 256u
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
	/* Key-log decryption: TLS 1.3 handshake then application keys, or
	 * TLS <= 1.2 keys from the master secret after ChangeCipherSpec */
	enum key_state { KEYS_NONE, KEYS_HANDSHAKE, KEYS_APPLICATION, KEYS_TLS12, KEYS_PENDING,
			 KEYS_OFF } key_state;
	struct td_tls13_keys keys;
	struct td_tls12_keys keys12;
	/* KEYS_PENDING (live): the secret awaited, the state it leads to, and
	 * the records held meanwhile (each: 8-byte time, type, version, length,
	 * body) */
	enum td_keylog_label want_label;
	enum key_state want_state;
	struct td_dynbuf held;
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
	uint8_t client_random[32]; /* of the latest ClientHello (renegotiation: not c->ch's) */
	bool suite_noted;        /* "cannot decrypt this suite" said once */
	bool replaying;          /* held records are being replayed (decrypt.c) */
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
	struct td_budget budget;
	struct td_stats st;
	uint64_t next_id;       /* id of the next TLS connection */
	uint64_t next_report;   /* ordered mode: id the sink expects next */
	struct held *queue;     /* ordered mode: finished, waiting for earlier ids */
	size_t queue_n;
	struct td_conn **candidates; /* failed TCP flows on other ports, kept while
				       the capture has shown no TLS (engine.c) */
	size_t n_candidates;
	uint64_t now_us;
	struct td_cert_cache *certs; /* parsed certificates by DER (x509.h) */
	/* The last CertificateRequest decoded, by its bytes (records.c): a
	 * server asks every client alike, and each acceptable CA name is
	 * an X.509 Name for wolfSSL to parse.  At most CR_MEMO_MAX bytes. */
	struct {
		uint8_t *body;
		size_t len;
		bool tls13, used;
		enum td_result r;
		struct td_cert_request cr;
	} cr_memo;
	uint64_t refreshed_us;  /* last keylog_refresh call (capture time) */
	uint8_t plain[TD_CAP_RECORD];       /* a decrypted record */
	uint16_t tls_ports[TLS_PORTS_KEPT]; /* server ports where TLS was seen */
	size_t n_tls_ports, next_tls_port;
};

/* The context of reassembly, record and message callbacks: a flow and
 * one of its sides. */
struct msg_ctx {
	struct flow *f;
	int side;
	bool decrypted;  /* the bytes came out of a key-log decryption */
};

/* ---- small helpers ---------------------------------------------------- */

static inline bool td_fl_is_tls13(const struct td_conn *c)
{
	return c->sh.present && td_tls_version_is_13(c->version);
}

static inline enum td_dir td_fl_side_dir(const struct flow *f, int side)
{
	bool is_client = (side == 0) == f->a_is_client;
	return is_client ? TD_DIR_C2S : TD_DIR_S2C;
}

static inline int td_fl_dir_side(const struct flow *f, enum td_dir d)
{
	return (d == TD_DIR_C2S) == f->a_is_client ? 0 : 1;
}

static inline void td_fl_nomem(struct td_conn *c, enum td_result r)
{
	/* Out of memory while recording: the connection is marked, analysis
	 * goes on with what fits. */
	if (r == TD_ERR_NOMEM)
		c->malformed = true;
}

/* engine.c */
/* Free a connection and give its certificates' bytes back to the budget. */
void td_fl_conn_free(struct td_engine *e, struct td_conn *c);
void td_fl_add_event(struct flow *f, enum td_dir dir, struct td_event *ev);
void td_fl_add_simple(struct flow *f, enum td_dir dir, enum td_event_kind k, uint32_t len);
void td_fl_malformed(struct flow *f, enum td_dir dir, const char *what, enum td_result r);
void td_fl_set_client(struct flow *f, int side, bool is_client);

/* records.c: reassembled bytes and gaps of one side (td_reasm_cb). */
void td_fl_on_bytes(void *ctx, const uint8_t *data, size_t len);
void td_fl_on_gap(void *ctx, uint32_t missing);
/* One handshake message (td_hs_reasm callback), ctx a struct msg_ctx. */
void td_fl_on_message(void *ctx, uint8_t type, const uint8_t *body, size_t len);
/* After each record (not when replayed): what its type and size say. */
void td_fl_after_record(struct flow *f, enum td_dir dir, uint8_t type, size_t len, bool protected_);
/* After each record: established yet?  What did the client send after
 * its Finished? */
void td_fl_check_established(struct flow *f, enum td_dir dir, uint8_t type, size_t len);
void td_fl_track_client(struct flow *f, uint8_t type, size_t len, bool protected_);

/* decrypt.c */
void td_fl_set_keys(struct flow *f, enum td_dir dir, enum td_keylog_label label,
		    enum key_state state);
bool td_fl_decrypt(struct flow *f, struct msg_ctx *m, const struct td_tls_record *rec);
/* records.c calls this for a record of side m->side: does it need the
 * side's keys (protected, and the side keyed or waiting for keys)? */
static inline bool td_fl_protected(const struct flow *f, const struct side *sd, uint8_t type)
{
	if (td_fl_is_tls13(f->conn))
		return type == TD_CT_APPLICATION_DATA;
	return sd->encrypted && type != TD_CT_CHANGE_CIPHER_SPEC;
}
/* A protected record of a side whose secret is pending: true when it was
 * held (or replayed with what it waited for) and needs nothing more. */
bool td_fl_hold(struct flow *f, struct msg_ctx *m, const struct td_tls_record *rec);
/* The flow is ending: a last look in the key log, then replay what is held. */
void td_fl_release_held(struct flow *f);
/* records.c: one record of side m->side (td_tls_stream callback). */
void td_fl_on_record(void *ctx, const struct td_tls_record *rec);
/* Forget the remembered CertificateRequest (records.c). */
void td_fl_cr_memo_clear(struct td_engine *e);

#endif
