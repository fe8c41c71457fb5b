/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.c - the JSON Lines sink: one object per connection, one line each,
 * then one summary object on the last line.
 *
 * Each connection line is written when its connection is finished: to
 * the FILE at once when it is line-buffered (a live capture, a pipe on
 * stdin, a terminal: main.c), else a 64 KiB block at a time, the rest at
 * finish or free.  At the end of the run (finish) one more line holds the
 * summary: {"summary": {...}}.  A connection object always has "id"; the
 * summary has "summary" and no "id", so `jq 'select(.id)'` keeps the
 * connections and `jq 'select(.summary)'` the summary.
 *
 * SCHEMA (keys always present and in this order unless marked "only
 * when"; NAME means an IANA name from tls_names.h, "0x1a2b" (or a
 * decimal for alerts, handshake and certificate types) when the value
 * is unassigned, "GREASE" for RFC 8701 values; TIME is RFC 3339 UTC
 * with microseconds, "2024-02-29T18:40:22.123456Z"; every string is
 * valid UTF-8 with control characters escaped as \u00XX):
 *
 *   id             number   1, 2, ... in order of the first packet
 *   client         string   "192.0.2.1:51234", "[2001:db8::1]:51234"
 *   server         string   same form
 *   start          TIME     first packet of the flow
 *   duration_ms    number   last packet - first packet, 3 decimals
 *   partial        bool     the start of the TCP stream was not captured
 *   sni            string   ClientHello server_name, or null
 *   alpn           string   protocol the server selected, or null
 *   version        NAME     negotiated version ("TLS 1.3"), or null
 *   cipher         NAME     negotiated cipher suite, or null
 *   outcome        string   "established" | "failed" | "incomplete"
 *   client_hello   object or null (no ClientHello seen):
 *       record_version, legacy_version          NAME
 *       versions[]                              NAME (supported_versions)
 *       cipher_suites[], extensions[], groups[],
 *       key_share_groups[], signature_algorithms[]   NAME, wire order
 *       alpn[]                                  string
 *       session_id_len                          number
 *       session_ticket, psk, early_data, ech    bool (extension present)
 *       sslv2                                   bool (SSLv2-compatible hello)
 *   server_hello   object or null:
 *       legacy_version  NAME
 *       selected_version NAME or null (no supported_versions)
 *       cipher          NAME
 *       extensions[]    NAME
 *       key_share_group NAME or null
 *       hrr             bool (it was a HelloRetryRequest)
 *       psk             bool (a pre-shared key was accepted)
 *   timeline       array, capture order, of objects:
 *       t        number  seconds since start, 6 decimals
 *       dir      string  "c2s" | "s2c" (who sent it)
 *       event    string  "syn" | "syn-ack" | "fin" | "rst" | "gap" |
 *                        "handshake" | "change_cipher_spec" | "alert" |
 *                        "encrypted" | "application_data" |
 *                        "sslv2_client_hello" | "malformed"
 *       message  NAME    handshake only: message type ("client_hello")
 *       level, description  NAME  alert only, and only when known (not
 *                        encrypted, or decrypted with a key log)
 *       content_type NAME  encrypted only, when known: the record's type
 *       encrypted bool   handshake, alert and encrypted only
 *       decrypted bool   only when true: seen thanks to a key log
 *       length   number  handshake (body bytes), gap (bytes missing),
 *                        encrypted, application_data, sslv2_client_hello
 *                        (record bytes)
 *       detail   string  only when the decoder left one
 *   alerts         array of {from: "client"|"server", level: NAME or null,
 *                  description: NAME or null (both null when encrypted
 *                  and not decrypted),
 *                  encrypted: bool, t: number}, from the timeline
 *   server_certs, client_certs   arrays, leaf first, of objects:
 *       subject, issuer     string (RFC 4514) or null
 *       serial              string, colon-separated hex, or null
 *       not_before, not_after  string "2025-01-01T00:00:00Z" or null
 *       san[]               "DNS:x", "IP:x", "email:x", "URI:x"
 *       key                 string "RSA 4096", "EC 256 prime256v1", or null
 *       sig_alg             string or null
 *       is_ca               bool
 *       path_len            number or null (absent)
 *       key_usage[], ext_key_usage[]   string
 *       self_signed         bool
 *       sha256              string, hex of the DER's SHA-256
 *       der_len             number
 *       error               string, only when the DER did not parse
 *   server_chain, client_chain   {seen: bool (a Certificate message was
 *                  seen), encrypted: bool (it was encrypted on the wire
 *                  and read with a key log)}
 *   certificate_request  object or null: {tls13: bool,
 *                  certificate_types[]: NAME, signature_algorithms[]: NAME}
 *   acceptable_cas array of strings (RFC 4514) from the CertificateRequest
 *   anomalies      array of strings
 *   dropped        only when something was dropped by a cap: {events,
 *                  certs, list_items, anomalies, bytes}, numbers
 *   diagnoses      array of {code, severity ("error"/"warning"/"info"), stage,
 *                  gave_up ("client"/"server"/"nobody"), summary, evidence[],
 *                  events[] (indexes into timeline), fix (string or null)};
 *                  the first error is the root cause
 *
 * SUMMARY (the last line; counts over the connection lines above it,
 * so after --only-failed over the failed ones only, except "capture",
 * which counts the whole run):
 *
 *   summary        object:
 *       connections  number  connection lines written
 *       by_outcome   {established, failed, incomplete}: numbers
 *       with_errors  number  connections with an error diagnosis
 *       by_code      {CODE: number of diagnoses with that code}, codes in
 *                    byte order; every code seen, whatever its severity
 *       by_code_dropped  number, only when codes past JSON_CODES were seen
 *       capture      object, or null when the run gave no statistics:
 *           frames, bytes, tcp_segments, skipped_frames (not TCP over
 *           IP), malformed_frames, flows, tls_connections (all reported
 *           TLS connections, filtered or not), connections_with_errors
 *           (likewise), flows_idle (ended by the idle timeout), gap_bytes
 *           (stream bytes never captured): numbers;
 *           first, last: TIME of the first and last frame, or null
 *       dropped      what the caps dropped: flows_evicted (flow table
 *                    full), flow_buffer_bytes, memory_bytes (capture-wide),
 *                    and, summed over the connection lines: events, certs,
 *                    list_items, anomalies, stream_bytes: numbers
 *       note         string: what could not be checked (no trust
 *                    store...), or null
 *       truncated    bool: the capture file was cut short or damaged, the
 *                    rest never read (the exit status is then 2); when
 *                    true, frames_read (number: how far it got) and
 *                    truncated_reason (string: libpcap's words)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#ifdef HAVE___FLBF
#include <stdio_ext.h>
#endif

#include "caps.h"
#include "jsonw.h"
#include "out.h"
#include "packet.h"
#include "sink.h"
#include "text.h"
#include "tls_names.h"
#include "render.h"

/* Distinct diagnosis codes counted for the summary (the rules table
 * has far fewer; more are counted in by_code_dropped). */
#define JSON_CODES 128u

struct json_code {
	const char *code;     /* static, from the rules table */
	uint64_t n;
};

/* The last array of names written at one place of the schema, to write
 * again without a lookup per name when the next connection's list is
 * the same (clients send the same hello over and over). */
struct json_memo {
	enum td_tls_registry reg;
	size_t n;                 /* values in v, <= TD_CAP_LIST */
	uint16_t v[TD_CAP_LIST];
	size_t len;               /* bytes in json; 0: nothing remembered */
	char *json;               /* malloc'd, MEMO_JSON_MAX bytes */
};

/* The places: the hellos' and the certificate request's lists. */
enum { MEMO_CH_VERSIONS, MEMO_CH_SUITES, MEMO_CH_EXTENSIONS, MEMO_CH_GROUPS,
       MEMO_CH_KEY_SHARES, MEMO_CH_SIGALGS, MEMO_SH_EXTENSIONS, MEMO_CR_TYPES,
       MEMO_CR_SIGALGS, MEMO_PLACES };

/* An array longer than this is written afresh every time. */
#define MEMO_JSON_MAX 4096u

/* Objects written lately, keyed by every field they are made of, laid
 * end to end (struct keybuf), to write again when the next connection
 * has the same: a client sends the same hello to every server, a server
 * answers alike and sends the same chain, the same failure repeats in
 * the same words.  A changed field (a redacted name, another event
 * index) changes the key: the object is written afresh.  A few kinds
 * alternate (TLS 1.2 and 1.3 clients, resumptions, the chain's
 * certificates): each place has some slots, picked by a hash of the
 * key. */
#define OBJ_KEY_MAX 4096u
#define OBJ_JSON_MAX 8192u
#define HELLO_SLOTS 8u
#define CERT_SLOTS 32u
#define DIAG_SLOTS 32u

struct obj_memo {
	size_t klen, len;     /* len 0: nothing remembered */
	uint8_t *key;         /* malloc'd, OBJ_KEY_MAX bytes */
	char *json;           /* malloc'd, OBJ_JSON_MAX bytes */
};

struct keybuf {
	uint8_t b[OBJ_KEY_MAX];
	size_t n;
	bool full;            /* did not fit: do not remember */
};


/* The members of timeline events after "t", up to the key of "length"
 * when there is one: the same for every ClientHello, every server
 * Certificate, every fatal unknown_ca, so written from memory (a
 * timeline is half the tokens of a line).  Keyed by every field they
 * are made of (event_memo_key). */
#define EVENT_MEMO_SLOTS 256u
#define EVENT_MEMO_MAX 200u

struct event_memo {
	uint64_t key;         /* 0: empty */
	bool open_key;        /* ends with the "length" key */
	uint8_t len;
	char json[EVENT_MEMO_MAX];
	/* The members after "length": ,"decrypted":true and ,"inferred":...
	 * as written for the last event of this slot (inferred is a static
	 * label: the same pointer, the same words). */
	bool tail_known;
	bool tail_decrypted;
	const char *tail_inferred;
	uint8_t tail_len;
	char tail[96];
};


struct json_sink {
	struct td_sink base;  /* first: the engine holds a pointer to it */
	FILE *out;            /* borrowed */
	/* One writer for every line: lines gather in its buffer and go to
	 * out a buffer at a time, or at once when out is line-buffered (a
	 * live capture or a pipe, main.c); finish and free hand over the
	 * rest. */
	struct td_jsonw w;
	struct json_memo memo[MEMO_PLACES];
	struct obj_memo hello_memo[2][HELLO_SLOTS];  /* ClientHello, ServerHello */
	struct obj_memo cert_memo[CERT_SLOTS];
	struct event_memo event_memo[EVENT_MEMO_SLOTS];
	struct obj_memo diag_memo[DIAG_SLOTS];
	/* For the summary: what the connection lines said. */
	uint64_t conns;
	uint64_t outcome[3];  /* by enum td_outcome */
	uint64_t with_errors;
	struct json_code codes[JSON_CODES];
	size_t n_codes;
	uint64_t codes_dropped;
	uint64_t drop_events, drop_certs, drop_items, drop_anomalies, drop_bytes;
};

/* Names written lately, quoted: a name is a pure function of its
 * registry and value (td_out_code_name), so this memory can never be
 * wrong, only missing.  tlsdiag is single-threaded; the table is
 * shared by every JSON sink of the process. */
#define NAME_SLOTS 512u

static struct {
	uint32_t key;  /* 1 << 31 | reg << 16 | value; 0: empty */
	uint8_t len;
	char json[54];
} name_cache[NAME_SLOTS];

static void kname(struct td_jsonw *w, struct td_jkey key, enum td_tls_registry reg, uint16_t v)
{
	uint32_t k = 1u << 31 | (uint32_t)reg << 16 | v;
	size_t slot = (size_t)((k * 2654435761u) >> 23) % NAME_SLOTS;
	td_jsonw_jkey(w, key);
	if (name_cache[slot].key == k) {
		td_jsonw_raw(w, name_cache[slot].json, name_cache[slot].len);
		return;
	}
	char buf[32];
	const char *name = td_out_code_name(reg, v, buf, sizeof buf);
	uint64_t mark = td_jsonw_mark(w);
	td_jsonw_string(w, name);
	size_t len;
	const char *json = td_jsonw_since(w, mark, &len);
	if (json && len > 0 && len <= sizeof name_cache[slot].json) {
		memcpy(name_cache[slot].json, json, len);
		name_cache[slot].len = (uint8_t)len;
		name_cache[slot].key = k;
	}
}

/* A name, or null when the value is 0 ("not known / not there"). */
static void kname_or_null(struct td_jsonw *w, struct td_jkey key, enum td_tls_registry reg,
			  uint16_t v)
{
	if (v == 0)
		td_jsonw_jk_null(w, key);
	else
		kname(w, key, reg, v);
}

static bool memo_hit(const struct json_memo *m, enum td_tls_registry reg,
		     const struct td_u16list *l)
{
	return m->len > 0 && m->reg == reg && m->n == l->n &&
	       (l->n == 0 || memcmp(m->v, l->v, l->n * sizeof l->v[0]) == 0);
}

static void memo_keep(struct json_memo *m, enum td_tls_registry reg,
		      const struct td_u16list *l, const char *json, size_t len)
{
	m->len = 0;
	if (!json || len == 0 || len > MEMO_JSON_MAX || l->n > TD_CAP_LIST)
		return;
	if (!m->json && !(m->json = malloc(MEMO_JSON_MAX)))
		return;
	m->reg = reg;
	m->n = l->n;
	if (l->n)
		memcpy(m->v, l->v, l->n * sizeof l->v[0]);
	memcpy(m->json, json, len);
	m->len = len;
}

/* key: [NAME, ...]; m (may be NULL) remembers the array for next time. */
static void knames(struct td_jsonw *w, struct json_memo *m, struct td_jkey key,
		   enum td_tls_registry reg, const struct td_u16list *l)
{
	td_jsonw_jkey(w, key);
	if (m && memo_hit(m, reg, l)) {
		td_jsonw_raw(w, m->json, m->len);
		return;
	}
	uint64_t mark = td_jsonw_mark(w);
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < l->n; i++) {
		char buf[32];
		td_jsonw_string(w, td_out_code_name(reg, l->v[i], buf, sizeof buf));
	}
	td_jsonw_array_end(w);
	if (m) {
		size_t len;
		const char *json = td_jsonw_since(w, mark, &len);
		memo_keep(m, reg, l, json, len);
	}
}

static void kstrings(struct td_jsonw *w, struct td_jkey key, const struct td_strlist *l)
{
	td_jsonw_jkey(w, key);
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < l->n; i++)
		td_jsonw_string(w, l->v[i]);
	td_jsonw_array_end(w);
}

/* Certificate validity, RFC 3339 to the second; null when unknown. */
static void kcert_time(struct td_jsonw *w, struct td_jkey key, const struct td_cert *cert,
		       int64_t secs)
{
	char buf[40];
	if (cert->parsed && td_out_cert_time(buf, sizeof buf, secs, false))
		td_jsonw_jk_string(w, key, buf);
	else
		td_jsonw_jk_null(w, key);
}

static void key_put(struct keybuf *k, const void *p, size_t n)
{
	if (k->full || n > sizeof k->b - k->n) {
		k->full = true;
		return;
	}
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

static void key_u64(struct keybuf *k, uint64_t v)
{
	key_put(k, &v, sizeof v);
}

static void key_u16list(struct keybuf *k, const struct td_u16list *l)
{
	key_u64(k, l->n);
	if (l->n)
		key_put(k, l->v, l->n * sizeof l->v[0]);
}

static void key_str(struct keybuf *k, const char *s)
{
	if (!s) {
		key_u64(k, UINT64_MAX);
		return;
	}
	size_t n = strlen(s);
	key_u64(k, n);
	key_put(k, s, n);
}

static void key_strlist(struct keybuf *k, const struct td_strlist *l)
{
	key_u64(k, l->n);
	for (size_t i = 0; i < l->n; i++)
		key_str(k, l->v[i]);
}

/* The slot of key k among n (FNV-1a over its 8-byte words). */
static struct obj_memo *obj_slot(struct obj_memo *slots, size_t n, const struct keybuf *k)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i + 8 <= k->n; i += 8) {
		uint64_t x;
		memcpy(&x, k->b + i, 8);
		h = (h ^ x) * 0x100000001b3u;
	}
	h ^= h >> 29;
	return &slots[h % n];
}

static void obj_free(struct obj_memo *slots, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(slots[i].key);
		free(slots[i].json);
	}
}

static void key_init(struct keybuf *k)
{
	k->n = 0;
	k->full = false;
}

/* Before an object is written for key k (a value, or an array item):
 * true when it was written from memory.  Otherwise *m is its slot (NULL
 * without slots) and *mark where it starts: the caller writes it, then
 * obj_remember(). */
static bool obj_recall(struct td_jsonw *w, struct obj_memo *slots, size_t n,
		       const struct keybuf *k, struct obj_memo **m, uint64_t *mark)
{
	*m = slots ? obj_slot(slots, n, k) : NULL;
	*mark = td_jsonw_mark(w);
	const struct obj_memo *o = *m;
	if (!o || k->full || o->len == 0 || o->klen != k->n || memcmp(o->key, k->b, k->n) != 0)
		return false;
	td_jsonw_raw(w, o->json, o->len);
	return true;
}

/* Keep what was written since mark as the object for key k. */
static void obj_remember(const struct td_jsonw *w, struct obj_memo *m, const struct keybuf *k,
			 uint64_t mark)
{
	if (!m)
		return;
	m->len = 0;
	size_t len;
	const char *json = td_jsonw_since_item(w, mark, &len);
	if (k->full || !json || len == 0 || len > OBJ_JSON_MAX)
		return;
	if (!m->key && !(m->key = malloc(OBJ_KEY_MAX)))
		return;
	if (!m->json && !(m->json = malloc(OBJ_JSON_MAX)))
		return;
	memcpy(m->key, k->b, k->n);
	m->klen = k->n;
	memcpy(m->json, json, len);
	m->len = len;
}

static void write_client_hello(struct td_jsonw *w, struct json_memo *memo, struct obj_memo *om,
			       const struct td_client_hello *ch)
{
	td_jsonw_jkey(w, TD_JKEY("client_hello"));
	if (!ch->present) {
		td_jsonw_null(w);
		return;
	}
	/* Every field written below. */
	struct keybuf k;
	key_init(&k);
	uint64_t flags = (uint64_t)ch->session_ticket | (uint64_t)ch->psk << 1 |
			 (uint64_t)ch->early_data << 2 | (uint64_t)ch->ech << 3 |
			 (uint64_t)ch->sslv2 << 4;
	key_u64(&k, (uint64_t)ch->record_version << 32 | ch->legacy_version);
	key_u64(&k, ch->session_id_len);
	key_u64(&k, flags);
	key_u16list(&k, &ch->versions);
	key_u16list(&k, &ch->suites);
	key_u16list(&k, &ch->extensions);
	key_u16list(&k, &ch->groups);
	key_u16list(&k, &ch->key_share_groups);
	key_u16list(&k, &ch->sig_algs);
	key_strlist(&k, &ch->alpn);
	struct obj_memo *m;
	uint64_t mark;
	if (obj_recall(w, om, HELLO_SLOTS, &k, &m, &mark))
		return;
	td_jsonw_object_begin(w);
	kname(w, TD_JKEY("record_version"), TD_REG_VERSION, ch->record_version);
	kname(w, TD_JKEY("legacy_version"), TD_REG_VERSION, ch->legacy_version);
	knames(w, &memo[MEMO_CH_VERSIONS], TD_JKEY("versions"), TD_REG_VERSION, &ch->versions);
	knames(w, &memo[MEMO_CH_SUITES], TD_JKEY("cipher_suites"), TD_REG_CIPHER, &ch->suites);
	knames(w, &memo[MEMO_CH_EXTENSIONS], TD_JKEY("extensions"), TD_REG_EXTENSION, &ch->extensions);
	knames(w, &memo[MEMO_CH_GROUPS], TD_JKEY("groups"), TD_REG_GROUP, &ch->groups);
	knames(w, &memo[MEMO_CH_KEY_SHARES], TD_JKEY("key_share_groups"), TD_REG_GROUP,
	       &ch->key_share_groups);
	knames(w, &memo[MEMO_CH_SIGALGS], TD_JKEY("signature_algorithms"), TD_REG_SIGALG, &ch->sig_algs);
	kstrings(w, TD_JKEY("alpn"), &ch->alpn);
	td_jsonw_jk_uint(w, TD_JKEY("session_id_len"), ch->session_id_len);
	td_jsonw_jk_bool(w, TD_JKEY("session_ticket"), ch->session_ticket);
	td_jsonw_jk_bool(w, TD_JKEY("psk"), ch->psk);
	td_jsonw_jk_bool(w, TD_JKEY("early_data"), ch->early_data);
	td_jsonw_jk_bool(w, TD_JKEY("ech"), ch->ech);
	td_jsonw_jk_bool(w, TD_JKEY("sslv2"), ch->sslv2);
	td_jsonw_object_end(w);
	obj_remember(w, m, &k, mark);
}

static void write_server_hello(struct td_jsonw *w, struct json_memo *memo, struct obj_memo *om,
			       const struct td_server_hello *sh)
{
	td_jsonw_jkey(w, TD_JKEY("server_hello"));
	if (!sh->present) {
		td_jsonw_null(w);
		return;
	}
	/* Every field written below. */
	struct keybuf k;
	key_init(&k);
	key_u64(&k, (uint64_t)sh->legacy_version << 48 | (uint64_t)sh->selected_version << 32 |
		    (uint64_t)sh->cipher << 16 | sh->key_share_group);
	key_u64(&k, (uint64_t)sh->hrr | (uint64_t)sh->psk << 1);
	key_u16list(&k, &sh->extensions);
	struct obj_memo *m;
	uint64_t mark;
	if (obj_recall(w, om, HELLO_SLOTS, &k, &m, &mark))
		return;
	td_jsonw_object_begin(w);
	kname(w, TD_JKEY("legacy_version"), TD_REG_VERSION, sh->legacy_version);
	kname_or_null(w, TD_JKEY("selected_version"), TD_REG_VERSION, sh->selected_version);
	kname(w, TD_JKEY("cipher"), TD_REG_CIPHER, sh->cipher);
	knames(w, &memo[MEMO_SH_EXTENSIONS], TD_JKEY("extensions"), TD_REG_EXTENSION, &sh->extensions);
	kname_or_null(w, TD_JKEY("key_share_group"), TD_REG_GROUP, sh->key_share_group);
	td_jsonw_jk_bool(w, TD_JKEY("hrr"), sh->hrr);
	td_jsonw_jk_bool(w, TD_JKEY("psk"), sh->psk);
	td_jsonw_object_end(w);
	obj_remember(w, m, &k, mark);
}

static const char *event_name(enum td_event_kind k)
{
	switch (k) {
	case TD_EV_TCP_SYN: return "syn";
	case TD_EV_TCP_SYNACK: return "syn-ack";
	case TD_EV_TCP_FIN: return "fin";
	case TD_EV_TCP_RST: return "rst";
	case TD_EV_TCP_GAP: return "gap";
	case TD_EV_HANDSHAKE: return "handshake";
	case TD_EV_CCS: return "change_cipher_spec";
	case TD_EV_ALERT: return "alert";
	case TD_EV_ENCRYPTED: return "encrypted";
	case TD_EV_APPDATA: return "application_data";
	case TD_EV_SSLV2_HELLO: return "sslv2_client_hello";
	case TD_EV_MALFORMED: break;
	}
	return "malformed";
}

/* An alert's level and description are known unless it stayed encrypted. */
static bool alert_known(const struct td_event *e)
{
	return !e->encrypted || e->decrypted;
}

/* The members after "t" up to the "length" key (written, not its value);
 * returns whether "length" follows.  Everything written here must come
 * from the fields event_memo_key() puts in the key. */
static bool write_event_head(struct td_jsonw *w, const struct td_event *e)
{
	td_jsonw_jk_string(w, TD_JKEY("dir"), e->dir == TD_DIR_C2S ? "c2s" : "s2c");
	td_jsonw_jk_string(w, TD_JKEY("event"), event_name(e->kind));
	switch (e->kind) {
	case TD_EV_HANDSHAKE:
		kname(w, TD_JKEY("message"), TD_REG_HANDSHAKE, e->hs_type);
		td_jsonw_jk_bool(w, TD_JKEY("encrypted"), e->encrypted);
		td_jsonw_jkey(w, TD_JKEY("length"));
		return true;
	case TD_EV_ALERT:
		if (alert_known(e)) {
			kname(w, TD_JKEY("level"), TD_REG_ALERT_LEVEL, e->alert_level);
			kname(w, TD_JKEY("description"), TD_REG_ALERT, e->alert_desc);
		}
		td_jsonw_jk_bool(w, TD_JKEY("encrypted"), e->encrypted);
		return false;
	case TD_EV_ENCRYPTED:
		if (e->content_type != 0)
			kname(w, TD_JKEY("content_type"), TD_REG_CONTENT_TYPE, e->content_type);
		/* The kind says it: an encrypted record is encrypted even if
		 * the decoder did not also set the flag. */
		td_jsonw_jk_bool(w, TD_JKEY("encrypted"), true);
		td_jsonw_jkey(w, TD_JKEY("length"));
		return true;
	case TD_EV_TCP_GAP:
	case TD_EV_APPDATA:
	case TD_EV_SSLV2_HELLO:
		td_jsonw_jkey(w, TD_JKEY("length"));
		return true;
	case TD_EV_TCP_SYN:
	case TD_EV_TCP_SYNACK:
	case TD_EV_TCP_FIN:
	case TD_EV_TCP_RST:
	case TD_EV_CCS:
	case TD_EV_MALFORMED:
		break;
	}
	return false;
}

/* What write_event_head() writes depends on, packed; never 0. */
static uint64_t event_memo_key(const struct td_event *e)
{
	uint64_t k = (uint64_t)(e->kind & 0xff) | (uint64_t)(e->dir == TD_DIR_C2S) << 8 | 1u << 9;
	switch (e->kind) {
	case TD_EV_HANDSHAKE:
		k |= (uint64_t)e->hs_type << 16 | (uint64_t)e->encrypted << 24;
		break;
	case TD_EV_ALERT:
		k |= (uint64_t)e->encrypted << 24 | (uint64_t)alert_known(e) << 25;
		if (alert_known(e))
			k |= (uint64_t)e->alert_level << 32 | (uint64_t)e->alert_desc << 40;
		break;
	case TD_EV_ENCRYPTED:
		k |= (uint64_t)e->content_type << 48;
		break;
	default:
		break;
	}
	return k;
}

static void write_event(struct td_jsonw *w, struct event_memo *memo, const struct td_conn *c,
			const struct td_event *e)
{
	uint64_t key = event_memo_key(e);
	/* The slot also depends on what follows "length", so that events
	 * that differ only there (records of one kind with another inferred
	 * label) do not take each other's place; the key stays exact. */
	uint64_t pick = key ^ (uint64_t)(uintptr_t)e->inferred * 0x9e3779b97f4a7c15u ^ e->decrypted;
	pick *= 0x9e3779b97f4a7c15u;  /* every bit of the key into the top ones */
	struct event_memo *m = memo ? &memo[(pick >> 40) % EVENT_MEMO_SLOTS] : NULL;
	if (m && m->key == key && m->tail_known && !e->detail &&
	    m->tail_decrypted == e->decrypted && m->tail_inferred == e->inferred) {
		/* All of it remembered but the two numbers: put the object
		 * together here and write it as one value. */
		char ev[8 + TD_JSONW_NUM_MAX + EVENT_MEMO_MAX + TD_JSONW_NUM_MAX + 96 + 2];
		size_t n = 0;
		memcpy(ev, "{\"t\":", 5);
		n = 5;
		n += td_jsonw_fmt_fixed(ev + n, td_out_rel_us(c, e->ts_us), 6);
		ev[n++] = ',';
		memcpy(ev + n, m->json, m->len);
		n += m->len;
		if (m->open_key)
			n += td_jsonw_fmt_uint(ev + n, e->length);
		memcpy(ev + n, m->tail, m->tail_len);
		n += m->tail_len;
		ev[n++] = '}';
		td_jsonw_raw(w, ev, n);
		return;
	}
	td_jsonw_object_begin(w);
	td_jsonw_jkey(w, TD_JKEY("t"));
	td_jsonw_fixed(w, td_out_rel_us(c, e->ts_us), 6);
	bool open;
	if (m && m->key == key) {
		td_jsonw_members_raw(w, m->json, m->len, m->open_key);
		open = m->open_key;
	} else {
		uint64_t mark = td_jsonw_mark(w);
		open = write_event_head(w, e);
		size_t len;
		const char *json = m ? td_jsonw_since_item(w, mark, &len) : NULL;
		if (json && len > 0 && len <= EVENT_MEMO_MAX) {
			memcpy(m->json, json, len);
			m->len = (uint8_t)len;
			m->open_key = open;
			m->key = key;
			m->tail_known = false;
		}
	}
	if (open)
		td_jsonw_uint(w, e->length);
	uint64_t mark = td_jsonw_mark(w);
	if (e->decrypted)
		td_jsonw_jk_bool(w, TD_JKEY("decrypted"), true);
	if (e->inferred)
		td_jsonw_jk_string(w, TD_JKEY("inferred"), e->inferred);
	if (m && m->key == key) {
		size_t len;
		const char *json = td_jsonw_since(w, mark, &len);
		m->tail_known = json && len <= sizeof m->tail;
		if (m->tail_known) {
			memcpy(m->tail, json, len);
			m->tail_len = (uint8_t)len;
			m->tail_decrypted = e->decrypted;
			m->tail_inferred = e->inferred;
		}
	}
	if (e->detail)
		td_jsonw_jk_string(w, TD_JKEY("detail"), e->detail);
	td_jsonw_object_end(w);
}

static void write_alerts(struct td_jsonw *w, const struct td_conn *c)
{
	td_jsonw_jkey(w, TD_JKEY("alerts"));
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < c->n_events; i++) {
		const struct td_event *e = &c->events[i];
		if (e->kind != TD_EV_ALERT)
			continue;
		td_jsonw_object_begin(w);
		td_jsonw_jk_string(w, TD_JKEY("from"), td_dir_from(e->dir));
		if (alert_known(e)) {
			kname(w, TD_JKEY("level"), TD_REG_ALERT_LEVEL, e->alert_level);
			kname(w, TD_JKEY("description"), TD_REG_ALERT, e->alert_desc);
		} else {
			td_jsonw_jk_null(w, TD_JKEY("level"));
			td_jsonw_jk_null(w, TD_JKEY("description"));
		}
		td_jsonw_jk_bool(w, TD_JKEY("encrypted"), e->encrypted);
		td_jsonw_jkey(w, TD_JKEY("t"));
		td_jsonw_fixed(w, td_out_rel_us(c, e->ts_us), 6);
		td_jsonw_object_end(w);
	}
	td_jsonw_array_end(w);
}

static void write_cert_fresh(struct td_jsonw *w, const struct td_cert *cert)
{
	td_jsonw_object_begin(w);
	td_jsonw_jk_string(w, TD_JKEY("subject"), cert->subject);
	td_jsonw_jk_string(w, TD_JKEY("issuer"), cert->issuer);
	td_jsonw_jk_string(w, TD_JKEY("serial"), cert->serial);
	kcert_time(w, TD_JKEY("not_before"), cert, cert->not_before);
	kcert_time(w, TD_JKEY("not_after"), cert, cert->not_after);
	kstrings(w, TD_JKEY("san"), &cert->san);
	char key[160];
	td_jsonw_jk_string(w, TD_JKEY("key"), td_out_cert_key(key, sizeof key, cert) ? key : NULL);
	td_jsonw_jk_string(w, TD_JKEY("sig_alg"), cert->sig_alg);
	td_jsonw_jk_bool(w, TD_JKEY("is_ca"), cert->is_ca);
	td_jsonw_jkey(w, TD_JKEY("path_len"));
	if (cert->path_len >= 0)
		td_jsonw_int(w, cert->path_len);
	else
		td_jsonw_null(w);
	kstrings(w, TD_JKEY("key_usage"), &cert->key_usage);
	kstrings(w, TD_JKEY("ext_key_usage"), &cert->ext_key_usage);
	td_jsonw_jk_bool(w, TD_JKEY("self_signed"), cert->self_signed);
	td_jsonw_jk_string(w, TD_JKEY("sha256"), cert->sha256);
	td_jsonw_jk_uint(w, TD_JKEY("der_len"), cert->der_len);
	if (!cert->parsed)
		td_jsonw_jk_string(w, TD_JKEY("error"), cert->error ? cert->error : "unparsable");
	td_jsonw_object_end(w);
}

/* Every field write_cert_fresh() reads, into k. */
static void key_cert(struct keybuf *k, const struct td_cert *cert)
{
	key_u64(k, (uint64_t)cert->parsed | (uint64_t)cert->is_ca << 1 |
		   (uint64_t)cert->self_signed << 2);
	key_u64(k, cert->der_len);
	key_u64(k, (uint64_t)cert->not_before);
	key_u64(k, (uint64_t)cert->not_after);
	key_u64(k, cert->key_bits);
	key_u64(k, (uint64_t)(int64_t)cert->path_len);
	key_str(k, cert->sha256);
	key_str(k, cert->subject);
	key_str(k, cert->issuer);
	key_str(k, cert->serial);
	key_str(k, cert->key_type);
	key_str(k, cert->key_curve);
	key_str(k, cert->sig_alg);
	key_str(k, cert->error);
	key_strlist(k, &cert->san);
	key_strlist(k, &cert->key_usage);
	key_strlist(k, &cert->ext_key_usage);
}

static void write_cert(struct td_jsonw *w, struct obj_memo *memo, const struct td_cert *cert)
{
	struct keybuf k;
	key_init(&k);
	key_cert(&k, cert);
	struct obj_memo *m;
	uint64_t mark;
	if (obj_recall(w, memo, CERT_SLOTS, &k, &m, &mark))
		return;
	write_cert_fresh(w, cert);
	obj_remember(w, m, &k, mark);
}

static void write_certs(struct td_jsonw *w, struct obj_memo *memo, struct td_jkey key,
			const struct td_chain *ch)
{
	td_jsonw_jkey(w, key);
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < ch->n; i++)
		write_cert(w, memo, ch->certs[i]);
	td_jsonw_array_end(w);
}

static void write_chain_flags(struct td_jsonw *w, struct td_jkey key, const struct td_chain *ch)
{
	td_jsonw_jkey(w, key);
	td_jsonw_object_begin(w);
	td_jsonw_jk_bool(w, TD_JKEY("seen"), ch->present);
	td_jsonw_jk_bool(w, TD_JKEY("encrypted"), ch->encrypted);
	td_jsonw_object_end(w);
}

static void write_cert_request(struct td_jsonw *w, struct json_memo *memo,
			       const struct td_cert_request *cr)
{
	td_jsonw_jkey(w, TD_JKEY("certificate_request"));
	if (!cr->present) {
		td_jsonw_null(w);
		return;
	}
	td_jsonw_object_begin(w);
	td_jsonw_jk_bool(w, TD_JKEY("tls13"), cr->tls13);
	knames(w, &memo[MEMO_CR_TYPES], TD_JKEY("certificate_types"), TD_REG_CERT_TYPE, &cr->cert_types);
	knames(w, &memo[MEMO_CR_SIGALGS], TD_JKEY("signature_algorithms"), TD_REG_SIGALG, &cr->sig_algs);
	td_jsonw_object_end(w);
}

/* diagnoses: [{code, severity, stage, gave_up, summary, evidence[], events[], fix}] */
static void write_diagnosis_fresh(struct td_jsonw *w, const struct td_diagnosis *d)
{
	td_jsonw_object_begin(w);
	td_jsonw_jk_string(w, TD_JKEY("code"), d->code);
	td_jsonw_jk_string(w, TD_JKEY("severity"), td_severity_name(d->severity));
	td_jsonw_jk_string(w, TD_JKEY("stage"), td_stage_name(d->stage));
	td_jsonw_jk_string(w, TD_JKEY("gave_up"), td_party_name(d->gave_up));
	td_jsonw_jk_string(w, TD_JKEY("summary"), d->summary);
	kstrings(w, TD_JKEY("evidence"), &d->evidence);
	td_jsonw_jkey(w, TD_JKEY("events"));
	td_jsonw_array_begin(w);
	for (size_t k = 0; k < d->n_events; k++)
		td_jsonw_uint(w, d->events[k]);
	td_jsonw_array_end(w);
	if (d->fix)
		td_jsonw_jk_string(w, TD_JKEY("fix"), d->fix);
	else
		td_jsonw_jk_null(w, TD_JKEY("fix"));
	td_jsonw_object_end(w);
}

/* Every field write_diagnosis_fresh() reads, into k. */
static void key_diag(struct keybuf *k, const struct td_diagnosis *d)
{
	key_u64(k, (uint64_t)d->severity << 32 | (uint64_t)d->stage << 16 | (uint64_t)d->gave_up);
	key_str(k, d->code);
	key_str(k, d->summary);
	key_str(k, d->fix);
	key_strlist(k, &d->evidence);
	size_t n = d->n_events < TD_DIAG_EVENTS ? d->n_events : TD_DIAG_EVENTS;
	key_u64(k, n);
	for (size_t i = 0; i < n; i++)
		key_u64(k, d->events[i]);
}

static void write_diagnoses(struct td_jsonw *w, struct obj_memo *memo, const struct td_conn *c)
{
	td_jsonw_jkey(w, TD_JKEY("diagnoses"));
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < c->n_diags; i++) {
		const struct td_diagnosis *d = &c->diags[i];
		struct keybuf k;
		key_init(&k);
		key_diag(&k, d);
		struct obj_memo *m;
		uint64_t mark;
		if (obj_recall(w, memo, DIAG_SLOTS, &k, &m, &mark))
			continue;
		write_diagnosis_fresh(w, d);
		obj_remember(w, m, &k, mark);
	}
	td_jsonw_array_end(w);
}

static void write_dropped(struct td_jsonw *w, const struct td_conn *c)
{
	uint64_t events = c->dropped_events;
	uint64_t certs = c->server_chain.dropped + c->client_chain.dropped;
	uint64_t items = td_out_list_dropped(c);
	uint64_t anomalies = c->anomalies.dropped;
	uint64_t bytes = c->side[TD_DIR_C2S].cap_dropped + c->side[TD_DIR_S2C].cap_dropped;
	if (events == 0 && certs == 0 && items == 0 && anomalies == 0 && bytes == 0)
		return;
	td_jsonw_jkey(w, TD_JKEY("dropped"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("events"), events);
	td_jsonw_jk_uint(w, TD_JKEY("certs"), certs);
	td_jsonw_jk_uint(w, TD_JKEY("list_items"), items);
	td_jsonw_jk_uint(w, TD_JKEY("anomalies"), anomalies);
	td_jsonw_jk_uint(w, TD_JKEY("bytes"), bytes);
	td_jsonw_object_end(w);
}

static void write_conn(struct td_jsonw *w, struct json_memo *memo,
		       struct obj_memo (*hmemo)[HELLO_SLOTS],
		       struct obj_memo *cmemo, struct event_memo *emo, struct obj_memo *dmemo,
		       const struct td_conn *c)
{
	char buf[64];
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("id"), c->id);
	td_addr_format(buf, sizeof buf, &c->client_addr, c->client_port);
	td_jsonw_jk_string(w, TD_JKEY("client"), buf);
	td_addr_format(buf, sizeof buf, &c->server_addr, c->server_port);
	td_jsonw_jk_string(w, TD_JKEY("server"), buf);
	td_text_time(buf, sizeof buf, c->start_us);
	td_jsonw_jk_string(w, TD_JKEY("start"), buf);
	td_jsonw_jkey(w, TD_JKEY("duration_ms"));
	td_jsonw_fixed(w, td_out_rel_us(c, c->last_us), 3);
	td_jsonw_jk_bool(w, TD_JKEY("partial"), c->partial);
	td_jsonw_jk_string(w, TD_JKEY("sni"), c->ch.present ? c->ch.sni : NULL);
	td_jsonw_jk_string(w, TD_JKEY("alpn"), c->sh.present ? c->sh.alpn : NULL);
	kname_or_null(w, TD_JKEY("version"), TD_REG_VERSION, c->version);
	kname_or_null(w, TD_JKEY("cipher"), TD_REG_CIPHER, c->cipher);
	kname_or_null(w, TD_JKEY("key_exchange_group"), TD_REG_GROUP,
		      c->sh.key_share_group ? c->sh.key_share_group : c->ske_group);
	kname_or_null(w, TD_JKEY("client_cert_verify"), TD_REG_SIGALG, c->client_cv_scheme);
	td_jsonw_jk_string(w, TD_JKEY("outcome"), td_outcome_name(c->outcome));
	write_client_hello(w, memo, hmemo[0], &c->ch);
	write_server_hello(w, memo, hmemo[1], &c->sh);

	td_jsonw_jkey(w, TD_JKEY("timeline"));
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < c->n_events; i++)
		write_event(w, emo, c, &c->events[i]);
	td_jsonw_array_end(w);
	write_alerts(w, c);

	write_certs(w, cmemo, TD_JKEY("server_certs"), &c->server_chain);
	write_certs(w, cmemo, TD_JKEY("client_certs"), &c->client_chain);
	write_chain_flags(w, TD_JKEY("server_chain"), &c->server_chain);
	write_chain_flags(w, TD_JKEY("client_chain"), &c->client_chain);
	write_cert_request(w, memo, &c->cr);
	kstrings(w, TD_JKEY("acceptable_cas"), &c->cr.ca_names);
	kstrings(w, TD_JKEY("anomalies"), &c->anomalies);
	write_dropped(w, c);
	write_diagnoses(w, dmemo, c);
	td_jsonw_object_end(w);
}

/* Is f line-buffered?  Then each line goes out as it is written. */
static bool line_buffered(FILE *f)
{
#ifdef HAVE___FLBF
	return __flbf(f) != 0;
#else
	(void)f;
	return true;  /* cannot tell: line by line, as safe as before */
#endif
}

/* Count what this connection line says, for the summary. */
static void count_conn(struct json_sink *js, const struct td_conn *c)
{
	js->conns++;
	if ((unsigned)c->outcome < 3)
		js->outcome[c->outcome]++;
	if (td_conn_has_error(c))
		js->with_errors++;
	for (size_t i = 0; i < c->n_diags; i++) {
		const char *code = c->diags[i].code;
		if (!code)
			continue;
		size_t k = 0;
		/* Codes come from the rules table: the same pointer, mostly. */
		while (k < js->n_codes && js->codes[k].code != code &&
		       strcmp(js->codes[k].code, code) != 0)
			k++;
		if (k == js->n_codes) {
			if (k == JSON_CODES) {
				js->codes_dropped++;
				continue;
			}
			js->codes[k].code = code;
			js->codes[k].n = 0;
			js->n_codes++;
		}
		js->codes[k].n++;
	}
	js->drop_events += c->dropped_events;
	js->drop_certs += c->server_chain.dropped + c->client_chain.dropped;
	js->drop_items += td_out_list_dropped(c);
	js->drop_anomalies += c->anomalies.dropped;
	js->drop_bytes += c->side[TD_DIR_C2S].cap_dropped + c->side[TD_DIR_S2C].cap_dropped;
}

static void json_conn_done(struct td_sink *s, const struct td_conn *c)
{
	struct json_sink *js = (struct json_sink *)s;
	count_conn(js, c);
	td_jsonw_next(&js->w);
	write_conn(&js->w, js->memo, js->hello_memo, js->cert_memo, js->event_memo, js->diag_memo,
		   c);
	/* TD_ERR_USAGE would be a bug in this file, which the unit tests
	 * rule out by validating every line they make.  An I/O error stays
	 * on the FILE for whoever owns it to check with ferror(). */
	enum td_result r = td_jsonw_value_status(&js->w);
	(void)r;
	td_jsonw_newline(&js->w);
	/* Live captures and pipes: each line is available to `jq` at once. */
	if (line_buffered(js->out))
		td_jsonw_flush(&js->w);
}

static int code_cmp(const void *a, const void *b)
{
	return strcmp(((const struct json_code *)a)->code, ((const struct json_code *)b)->code);
}

/* A capture time, or null when no frame was read. */
static void ktime_or_null(struct td_jsonw *w, struct td_jkey key, uint64_t us, bool known)
{
	char buf[40];
	if (!known) {
		td_jsonw_jk_null(w, key);
		return;
	}
	td_text_time(buf, sizeof buf, us);
	td_jsonw_jk_string(w, key, buf);
}

static void write_summary(struct td_jsonw *w, struct json_sink *js, const struct td_stats *st)
{
	td_jsonw_object_begin(w);
	td_jsonw_jkey(w, TD_JKEY("summary"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("connections"), js->conns);
	td_jsonw_jkey(w, TD_JKEY("by_outcome"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("established"), js->outcome[TD_OUTCOME_ESTABLISHED]);
	td_jsonw_jk_uint(w, TD_JKEY("failed"), js->outcome[TD_OUTCOME_FAILED]);
	td_jsonw_jk_uint(w, TD_JKEY("incomplete"), js->outcome[TD_OUTCOME_INCOMPLETE]);
	td_jsonw_object_end(w);
	td_jsonw_jk_uint(w, TD_JKEY("with_errors"), js->with_errors);
	qsort(js->codes, js->n_codes, sizeof js->codes[0], code_cmp);
	td_jsonw_jkey(w, TD_JKEY("by_code"));
	td_jsonw_object_begin(w);
	for (size_t i = 0; i < js->n_codes; i++)
		td_jsonw_kuint(w, js->codes[i].code, js->codes[i].n);
	td_jsonw_object_end(w);
	if (js->codes_dropped)
		td_jsonw_jk_uint(w, TD_JKEY("by_code_dropped"), js->codes_dropped);

	td_jsonw_jkey(w, TD_JKEY("capture"));
	if (st) {
		bool any = st->frames > 0;
		td_jsonw_object_begin(w);
		td_jsonw_jk_uint(w, TD_JKEY("frames"), st->frames);
		td_jsonw_jk_uint(w, TD_JKEY("bytes"), st->bytes);
		td_jsonw_jk_uint(w, TD_JKEY("tcp_segments"), st->tcp_segments);
		td_jsonw_jk_uint(w, TD_JKEY("skipped_frames"), st->skipped_frames);
		td_jsonw_jk_uint(w, TD_JKEY("malformed_frames"), st->malformed_frames);
		td_jsonw_jk_uint(w, TD_JKEY("flows"), st->flows);
		td_jsonw_jk_uint(w, TD_JKEY("tls_connections"), st->tls_connections);
		td_jsonw_jk_uint(w, TD_JKEY("connections_with_errors"), st->connections_with_errors);
		td_jsonw_jk_uint(w, TD_JKEY("flows_idle"), st->flows_idle);
		td_jsonw_jk_uint(w, TD_JKEY("gap_bytes"), st->gap_bytes);
		ktime_or_null(w, TD_JKEY("first"), st->first_us, any);
		ktime_or_null(w, TD_JKEY("last"), st->last_us, any);
		td_jsonw_object_end(w);
	} else {
		td_jsonw_null(w);
	}

	td_jsonw_jkey(w, TD_JKEY("dropped"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("flows_evicted"), st ? st->flows_evicted_full : 0);
	td_jsonw_jk_uint(w, TD_JKEY("flow_buffer_bytes"), st ? st->reasm_cap_dropped : 0);
	td_jsonw_jk_uint(w, TD_JKEY("memory_bytes"), st ? st->memory_cap_dropped : 0);
	td_jsonw_jk_uint(w, TD_JKEY("hs_messages"), st ? st->hs_messages_dropped : 0);
	td_jsonw_jk_uint(w, TD_JKEY("retransmitted_bytes"), st ? st->dup_bytes : 0);
	td_jsonw_jk_uint(w, TD_JKEY("events"), js->drop_events);
	td_jsonw_jk_uint(w, TD_JKEY("certs"), js->drop_certs);
	td_jsonw_jk_uint(w, TD_JKEY("list_items"), js->drop_items);
	td_jsonw_jk_uint(w, TD_JKEY("anomalies"), js->drop_anomalies);
	td_jsonw_jk_uint(w, TD_JKEY("stream_bytes"), js->drop_bytes);
	td_jsonw_object_end(w);
	td_jsonw_jk_string(w, TD_JKEY("note"), st ? st->note : NULL);
	/* A pipeline must learn that its input was cut, not only a terminal. */
	td_jsonw_jk_bool(w, TD_JKEY("truncated"), st && st->truncated);
	if (st && st->truncated) {
		td_jsonw_jk_uint(w, TD_JKEY("frames_read"), st->frames);
		td_jsonw_jk_string(w, TD_JKEY("truncated_reason"), st->truncated_reason);
	}
	td_jsonw_object_end(w);
	td_jsonw_object_end(w);
}

static void json_finish(struct td_sink *s, const struct td_stats *st)
{
	struct json_sink *js = (struct json_sink *)s;
	td_jsonw_next(&js->w);
	write_summary(&js->w, js, st);
	td_jsonw_newline(&js->w);
	/* As in json_conn_done: an I/O error stays on the FILE for its owner. */
	enum td_result r = td_jsonw_finish(&js->w);
	(void)r;
	fflush(js->out);
}

static void json_free(struct td_sink *s)
{
	struct json_sink *js = (struct json_sink *)s;
	td_jsonw_flush(&js->w);  /* lines not yet handed over (no finish) */
	for (size_t i = 0; i < MEMO_PLACES; i++)
		free(js->memo[i].json);
	for (size_t i = 0; i < 2; i++)
		obj_free(js->hello_memo[i], HELLO_SLOTS);
	obj_free(js->cert_memo, CERT_SLOTS);
	obj_free(js->diag_memo, DIAG_SLOTS);
	free(s);
}

struct td_sink *td_json_sink_new(FILE *out)
{
	struct json_sink *js = calloc(1, sizeof *js);
	if (!js)
		return NULL;
	js->out = out;
	td_jsonw_init(&js->w, out);
	js->base.conn_update = NULL;
	js->base.conn_done = json_conn_done;
	js->base.finish = json_finish;
	js->base.free = json_free;
	return &js->base;
}
