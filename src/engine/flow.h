/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.h - inside the engine: one connection being analysed, shared by
 * the engine's files.  Not part of the engine's interface (engine.h).
 *
 * The calls go one way:
 *
 *   engine.c   flows, TCP (the transport today), reporting
 *      |       hands each side's bytes to the TLS layer through its
 *      v       seam (tls_input.h), and nothing else of it
 *   records.c  the TLS layer: records and handshake messages into the
 *      |       connection model, one switch for clear and decrypted
 *      v       records, the replay of held records
 *   decrypt.c  key-log keys: opens a protected record, or holds it
 *              until its secret arrives, or says it failed
 *
 * and each of them may call flow.c (a flow's life, and the helpers they
 * share), which calls none of them.
 */
#ifndef TD_ENGINE_FLOW_H
#define TD_ENGINE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "caps.h"
#include "conn.h"
#include "dynbuf.h"
#include "engine.h"
#include "flowtab.h"
#include "reader.h"
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

/* Where a side's key-log decryption stands (decrypt.c): TLS 1.3 handshake
 * then application keys, or TLS <= 1.2 keys from the master secret after
 * ChangeCipherSpec; waiting for a secret (a live key log); off. */
enum key_state { KEYS_NONE, KEYS_HANDSHAKE, KEYS_APPLICATION, KEYS_TLS12, KEYS_PENDING,
		 KEYS_OFF };

/* A side's key-log decryption (decrypt.c): allocated when it is first
 * keyed (td_fl_set_keys) or tries the 0-RTT keys, by td_fl_side_keys;
 * most flows never are (no key log, or a SYN of a flood), and these are
 * 1.5 KiB of every flow's 2.7 KiB. */
struct side_keys {
	/* TLS 1.3 handshake then application keys, or TLS <= 1.2 keys from
	 * the master secret after ChangeCipherSpec */
	struct td_tls13_keys keys;
	struct td_tls12_keys keys12;
	/* KEYS_PENDING (live): the secret awaited, the state it leads to, and
	 * the records held meanwhile (each: 8-byte time, type, version, length,
	 * body) */
	enum td_keylog_label want_label;
	enum key_state want_state;
	struct td_dynbuf held;
	/* TLS 1.3 0-RTT: the keys that opened an early record (side.early_keyed) */
	struct td_tls13_keys early;
};

struct side {
	/* The transport's (engine.c): TCP */
	struct td_reasm reasm;
	bool fin, rst;
	bool syn_seen;        /* flight.c: its SYN (or SYN-ACK) went by... */
	uint32_t data_seq;    /* ...and its first data byte has this number */
	uint16_t port;
	struct td_addr addr;
	/* The TLS layer's (records.c, decrypt.c) */
	struct td_tls_stream tls;
	struct td_hs_reasm hs;
	bool encrypted;       /* records from this side are protected now */
	bool appdata;         /* sent application data after the handshake */
	uint32_t enc_events;  /* encrypted records put in the timeline */
	uint16_t record_version; /* version field of the last record */
	/* Key-log decryption: where it stands, and the keys (k).
	 * Invariant: k is not NULL when key_state is neither KEYS_NONE nor
	 * KEYS_OFF (td_fl_set_keys allocates it first). */
	enum key_state key_state;
	struct side_keys *k;     /* owned, NULL until needed (td_fl_side_keys) */
	uint32_t app_decrypted;  /* application records decrypted (a few, then sparse) */
	bool sparse;             /* past them: only the records that may be alerts or
				    KeyUpdates are opened, the rest take their
				    sequence number only (decrypt.c) */
	/* TLS 1.3 0-RTT, the client's side (decrypt.c): its ClientHello
	 * offered early_data, so records protected with the early traffic
	 * secret may come, until its EndOfEarlyData or its first record that
	 * opens with the handshake keys (at most EARLY_RECORDS_MAX tried). */
	bool early_window;
	bool early_keyed;        /* k->early holds the keys that opened one */
	uint32_t early_tried;    /* records tried in the window */
};

/* TLS 1.3 without keys: a protected record after the handshake (later.c). */
struct late_rec {
	uint64_t ts_us;
	uint32_t len;
	enum td_dir dir;
	bool shown;              /* it is in the timeline already */
};
/* The last LATE_RING of them are kept. */
#define LATE_RING 8u

/* Handshakes after the first (later.c).  reneg_begin clears the fields
 * before `events`. */
struct later {
	bool open;               /* one is under way */
	bool ccs[2], fin[2];     /* by td_dir: renegotiation: the side's CCS, then its
				    Finished (a handshake record after the CCS) */
	bool client_fin;         /* post-handshake authentication: the client's Finished */
	bool client_etm;         /* the later ClientHello offers encrypt_then_mac */
	uint32_t events[2];      /* by td_dir: encrypted renegotiation records in the timeline */
	struct late_rec ring[LATE_RING];
	size_t ring_n;
};

struct flow {
	struct td_engine *eng;
	struct td_conn *conn;  /* NULL once reported (the flow is a tombstone) */
	struct side s[2];      /* [0] = side A, [1] = side B */
	bool a_is_client;
	bool roles_known;
	bool client_flight_seen; /* TLS 1.3: client sent a protected record */
	bool server_small_after; /* TLS 1.3 without keys: then the server sent one
				    larger than an alert but within the margin
				    for padding (data, or a padded alert) */
	bool client_finished;    /* the client's Finished went by (seen or inferred) */
	bool client_alert_after; /* ...then the client sent an alert */
	bool client_data_after;  /* ...then the client sent application data */
	uint64_t established_us; /* 0 until the handshake is known to have succeeded */
	uint8_t client_random[32]; /* of the latest ClientHello (renegotiation: not c->ch's) */
	/* What the current TLS <= 1.2 keys are made of (decrypt.c): the latest
	 * ServerHello's random, version, suite, and encrypt_then_mac in both
	 * latest hellos.  A renegotiation changes them (later.c); c->sh,
	 * c->version and c->cipher stay the first handshake's. */
	struct {
		uint8_t server_random[32];
		uint16_t version, cipher;
		bool etm;
	} hello;
	struct later later;      /* renegotiation, post-handshake authentication */
	bool suite_noted;        /* "cannot decrypt this suite" said once */
	bool replaying;          /* held records are being replayed (records.c) */
	/* The first ClientHello while it is incomplete (records.c): the bytes
	 * of its body seen so far, its declared length (0: none seen), the
	 * side that sends it and when its last bytes came.  Reported at the
	 * end if it never completes. */
	uint32_t hello_seen, hello_declared;
	int hello_side;
	uint64_t hello_us;
	uint64_t first_us;
	/* The application recogniser (appdata.c): made at the first
	 * decrypted application bytes, NULL before and once done with
	 * (app_over); when each direction last fed it. */
	struct td_app *app;
	bool app_over;
	uint64_t app_us[2];
	uint64_t notified;       /* conn->changes when the sink last heard (td_fl_notify) */
	struct quic_state *quic; /* owned: QUIC's (quic_in.c), NULL for a TCP flow */
	struct td_stls *stls;    /* owned: the STARTTLS recogniser (stls_in.c), NULL
				    until a stream starts with something else than
				    TLS, and once the flow's facts are taken */
	bool stls_off;           /* no recogniser for this flow */
	bool stls_clear[2];      /* FTP CCC: by td_dir, this direction's TLS ended and
				    its control channel went on in plaintext */
	uint64_t stls_clear_bytes[2]; /* ...the plaintext bytes since, not read */
	/* Streaming (engine.h: td_config.stream): the flow is on the engine's
	 * list of handshakes that succeeded and wait out the report grace,
	 * oldest first (flow.c); a fatal alert asks for the early report at
	 * the end of the packet (td_engine.report_now). */
	struct flow *due_prev, *due_next;
	bool due_listed;
};

struct held {
	uint64_t id;
	struct td_conn *conn;
};

/* What kind of TCP connection without TLS (struct td_tcp_port's counts). */
enum nontls_kind { NONTLS_PLAINTEXT, NONTLS_REFUSED, NONTLS_UNANSWERED, NONTLS_CLOSED };

struct candidate {
	struct td_conn *conn;
	enum nontls_kind kind;  /* counted as this if dropped */
};

struct td_engine {
	struct td_config cfg;
	struct td_sink *sink;
	struct td_flowtab *flows;
	struct td_budget budget;
	struct td_stats st;
	uint64_t keylog_decrypted;  /* reported TLS connections a key log decrypted */
	bool tls_elsewhere;      /* td_engine_note_tls_elsewhere(): another engine of the run saw TLS */
	char note[400];         /* st.note: the diagnoser's and the key log's */
	uint64_t next_id;       /* id of the next TLS connection */
	uint64_t next_report;   /* ordered mode: id the sink expects next */
	struct held *queue;     /* ordered mode: finished, waiting for earlier ids */
	size_t queue_n;
	struct candidate *candidates; /* failed TCP flows on other ports, kept while
					the capture has shown no TLS (engine.c) */
	size_t n_candidates;
	/* TCP connections without TLS that were not reported, by server
	 * port (sink.h; engine.c counts them, the summary shows them) */
	struct td_tcp_port nontls[TD_CAP_TCP_PORTS];
	size_t n_nontls;
	uint64_t now_us;
	uint64_t stats_next_us;   /* td_engine_stats_due() */
	struct flow *due_head, *due_tail; /* streaming: flow.h, due_prev */
	struct flow *report_now;  /* streaming: a fatal alert was read in this frame's flow */
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
	/* The last client Initial of a QUIC version tlsdiag cannot open
	 * (quic_in.c): it becomes a connection only when a Version
	 * Negotiation packet answers it (by value: nothing to free). */
	struct {
		bool set;
		struct td_segment seg;     /* its addresses and time (payload NULL) */
		uint32_t version;
		struct td_quic_cid dcid, scid;
		size_t size;               /* its bytes */
	} quic_unknown;
	/* The payload of the QUIC packet being opened (quic_in.c): owned,
	 * grown to the largest packet, valid until the next one is opened. */
	uint8_t *quic_buf;
	size_t quic_buf_cap;
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

/* ---- flow.c: a flow's life and the helpers every file shares ---------- */

/* A flow with an empty connection (its start at start_us) and its TLS
 * state ready, both sides; NULL when memory runs out.  The transport
 * sets up its own part (engine.c: reassembly, addresses, ports). */
struct flow *td_fl_new(struct td_engine *e, uint64_t start_us);
/* The handshake is known to have succeeded, now (established_us; the
 * first call counts).  Streaming, the flow joins the engine's list of
 * early reports due after the grace. */
void td_fl_established(struct flow *f);
/* Off that list (a no-op when not on it). */
void td_fl_due_unlink(struct flow *f);

/* ---- facts.c, stream.c ---------------------------------------------- */

/* The engine's facts for c's fate from the flow f it belongs to (or was
 * copied from): handshake_done, client_quit_after_handshake (and its
 * anomaly), then td_fate_judge(c, true). */
void td_fl_handshake_facts(const struct flow *f, struct td_conn *c);
/* Streaming: the early reports now due (the flow whose fatal alert this
 * frame read, the handshakes whose grace ran out). */
void td_fl_report_due(struct td_engine *e);
/* Free the flow's TLS state, its connection (if not reported) and the
 * flow; the transport has cleaned up its part.  Accepts NULL. */
void td_fl_free(struct flow *f);
/* The key-log decryption state of `side` (struct side_keys), allocated
 * empty on first use (its held records charged to the budget); NULL when
 * memory runs out. */
struct side_keys *td_fl_side_keys(struct flow *f, int side);
/* Give a connection's certificates' bytes back to the budget (it is
 * freed, or handed to the sink: sink.h conn_take). */
void td_fl_conn_unbudget(struct td_engine *e, const struct td_conn *c);
/* Free a connection and give its certificates' bytes back to the budget. */
void td_fl_conn_free(struct td_engine *e, struct td_conn *c);
void td_fl_add_event(struct flow *f, enum td_dir dir, struct td_event *ev);
void td_fl_add_simple(struct flow *f, enum td_dir dir, enum td_event_kind k, uint32_t len);
void td_fl_malformed(struct flow *f, enum td_dir dir, const char *what, enum td_result r);
/* Learn that `side` is the client (or the server).  When this contradicts
 * the guess, swap the roles and flip the events recorded so far. */
void td_fl_set_client(struct flow *f, int side, bool is_client);
/* Set the connection's endpoints from the roles and the sides' addresses. */
void td_fl_set_endpoints(struct flow *f);
/* Tell the sink (conn_update, live views) when the connection changed
 * since it last heard: conn->changes moved. */
void td_fl_notify(struct flow *f);
/* Put events appended out of time order (replayed records, records put
 * in at the end) back in capture order, stable for equal times.  NULL is
 * fine. */
void td_fl_sort_timeline(struct td_conn *c);

/* ---- records.c ------------------------------------------------------- */

/* The transport seam is in tls_input.h.  Forget the remembered
 * CertificateRequest (at the engine's end). */
void td_fl_cr_memo_clear(struct td_engine *e);

/* ---- quic_in.c: QUIC, the transport over UDP ------------------------------ */

/* Per-flow QUIC state, opaque outside quic_in.c. */
struct quic_state;
/* A UDP datagram: QUIC's when it belongs to a QUIC flow, or starts one (a
 * client's Initial that opens with the keys of its own Destination
 * Connection ID).  False when it is not QUIC (the caller counts it as
 * skipped). */
bool td_fl_quic_datagram(struct td_engine *e, const struct td_segment *seg);
/* Free a flow's QUIC state (NULL is fine). */
void td_fl_quic_free(struct quic_state *q);

/* ---- stls_in.c: STARTTLS, between TCP and the TLS seam ------------------ */

struct td_stls;
/* A side's in-order TCP bytes: through the STARTTLS recogniser when the
 * stream has a plaintext preamble, else straight to td_tls_in_records. */
void td_fl_stls_bytes(struct flow *f, int side, const uint8_t *data, size_t len);
/* A side lost bytes: the recogniser stands aside (before td_tls_in_gap). */
void td_fl_stls_gap(struct flow *f, int side);
/* The flow ends (after the last bytes, before td_tls_in_end): the
 * recogniser's facts into the connection (td_conn.starttls), and it is
 * freed.  Nothing for a flow without one. */
void td_fl_stls_end(struct flow *f);
/* The STARTTLS facts so far into copy (streaming: an early report),
 * the recogniser going on.  Nothing without one. */
void td_fl_stls_facts_now(const struct flow *f, struct td_conn *copy);

/* ---- appdata.c ------------------------------------------------------ */

/* n decrypted application bytes of direction dir (p borrowed): to the
 * application recognisers, and each message they find to the timeline. */
void td_fl_app_data(struct flow *f, enum td_dir dir, const uint8_t *p, size_t n);
/* The flow ends: what the recognisers still hold is reported as it
 * stands, and they are freed.  Also safe on a flow that never had any. */
void td_fl_app_end(struct flow *f);

/* ---- flight.c: the client's first flight over TCP ------------------------ */

/* Note a TCP segment of `side` (after the SYN's roles are set) in the
 * connection's flight facts (conn.h, td_tcp_flight): the client's data
 * segments, new or repeated, and how far the server acknowledged them,
 * until the server sends data. */
void td_fl_flight(struct flow *f, int side, const struct td_segment *seg);

/* ---- later.c: handshakes after the first -------------------------------- */

/* A ServerHello the next TLS <= 1.2 keys come from (flow.hello):
 * client_etm says whether the matching ClientHello offered
 * encrypt_then_mac. */
void td_fl_hello_keys(struct flow *f, const struct td_server_hello *sh, bool client_etm);
/* The phase of a handshake message of `side` (clear or decrypted),
 * before it is decoded; keeps count of later handshakes, and takes from
 * a renegotiation's hellos what the next keys need (the model keeps the
 * first handshake's: the caller does not decode a later ServerHello). */
enum td_phase td_fl_later_message(struct flow *f, int side, uint8_t type, const uint8_t *body,
				  size_t len);
/* The phase of a TLS <= 1.2 record that is no readable message: a
 * ChangeCipherSpec, or an encrypted handshake record (no keys). */
enum td_phase td_fl_later_record(struct flow *f, int side, uint8_t type);
/* Room in the timeline for one more encrypted renegotiation record from
 * direction dir (counts it). */
bool td_fl_later_event_room(struct flow *f, enum td_dir dir);
/* After each record: `inner` is its decrypted content type, -1 when it
 * was not decrypted; `shown` whether it made a timeline entry. */
void td_fl_later_after(struct flow *f, int side, const struct td_tls_record *rec, int inner,
		       bool shown);
/* The flow ends: put a refused post-handshake authentication seen only
 * by sizes in the timeline (TLS 1.3 without keys), and set
 * conn->later_unfinished. */
void td_fl_later_end(struct flow *f);

/* ---- decrypt.c ------------------------------------------------------- */

/* The key log's secret for label and this flow's client random (*len
 * bytes, borrowed until the key log changes), re-reading a growing key
 * log when it is missing (at most every 10 ms of capture time unless
 * forced); NULL without a key log or such a line.  QUIC (quic_in.c) keys
 * its packet protection from it too. */
const uint8_t *td_fl_find_secret(struct flow *f, enum td_keylog_label label, size_t *len,
				 bool force);

/* Key the side that sends in direction dir with the key log's secret for
 * label, to reach state; pending when a live key log may still bring
 * it, else off. */
void td_fl_set_keys(struct flow *f, enum td_dir dir, enum td_keylog_label label,
		    enum key_state state);

/* What td_fl_open made of a record. */
enum td_fl_opened {
	TD_FL_AS_IS,    /* no keys for it: decode the record as it came */
	TD_FL_PLAIN,    /* opened: the plaintext is in *out */
	TD_FL_HELD,     /* kept until the side's secret arrives (a live key
			   log): nothing more to do with it now */
	TD_FL_RELEASE,  /* the side's wait is over (its keys came, or never
			   will): replay what it holds, then open this
			   record again */
	TD_FL_FAILED    /* did not authenticate: decryption is off for the
			   connection (said once); decode it as it came */
};

/* A record's plaintext: its inner content type and its bytes (the
 * engine's plain buffer, valid until the next record is opened). */
struct td_fl_plain {
	bool early;          /* opened with the early traffic secret (0-RTT) */
	uint8_t type;
	const uint8_t *body;
	size_t len;
};

/* Open one record of `side` with its keys, or hold it while they are
 * pending.  Decides nothing about the model but decryption's own state
 * and anomalies; calls nothing of records.c or engine.c. */
enum td_fl_opened td_fl_open(struct flow *f, int side, const struct td_tls_record *rec,
			     struct td_fl_plain *out);
/* The next held record of a side's held bytes (read with r), at its
 * capture time *ts_us; false at the end.  rec->body points into them. */
bool td_fl_held_next(struct td_reader *r, struct td_tls_record *rec, uint64_t *ts_us);
/* Whether a side's application_data records must come with their
 * bytes (td_tls_stream.skip_appdata): while it decrypts them, or passes
 * them over with a chained CBC IV (TLS 1.0).  False without keys. */
bool td_fl_reads_appdata(const struct flow *f, int side);
/* The client (`side`) offered 0-RTT in its ClientHello: its next
 * application_data records may be early data (RFC 8446 4.2.10), opened
 * with CLIENT_EARLY_TRAFFIC_SECRET when the key log has it; those that
 * open with nothing are passed over as the server does, without saying
 * the key log is wrong.  td_fl_early_end: its EndOfEarlyData came. */
void td_fl_early_begin(struct flow *f, int side);
void td_fl_early_end(struct flow *f, int side);
/* A decrypted TLS 1.3 KeyUpdate of `side` (RFC 8446 4.6.3): its next
 * records use the next traffic secret.  Nothing for a side without
 * application keys; a failure turns the side's decryption off. */
void td_fl_key_update(struct flow *f, int side);
/* Bytes of `side` were lost (a gap): a sparse side, which no longer
 * decrypts every record, cannot know the sequence numbers any more and
 * stops decrypting. */
void td_fl_keys_lost(struct flow *f, int side);
/* The connection is ending: a pending side gets a last look in the key
 * log (turned off if its secret is still missing).  True when the side
 * was pending: the caller replays what it holds. */
bool td_fl_keys_final(struct flow *f, int side);

#endif
