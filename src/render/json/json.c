/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.c - the JSON Lines sink: one object per connection, one line each,
 * then one summary object on the last line.
 *
 * Each connection line is written when its connection is finished: to
 * the FILE at once when it is line-buffered (a live capture, a pipe on
 * stdin, a terminal: main.c), else a 64 KiB block at a time, the rest at
 * finish or free.  At the end of the run (finish) one more line holds the
 * summary: {"type": "summary", "schema": 2, "summary": {...}}.
 *
 * Every line begins with "type", what it is ("tls" a connection,
 * "tls_end" its end when streaming, "summary"; "stats" is reserved for
 * live statistics: TD_JSON_TYPE_*, out.h), and "schema", the version of this
 * schema (TD_JSON_SCHEMA, 2; a line without it is schema 1, before
 * versions: the same keys without the ones marked "schema 2").  A
 * connection object also always has "id" and the summary has "summary"
 * and no "id", so `jq 'select(.id)'` keeps the connections as before
 * (streaming, their tls_end lines too: `select(.type == "tls")`).
 *
 * Streaming (live, or a pipe: engine.h), a connection's "tls" line is
 * written when its handshake's outcome is known, and when it ends a
 * "tls_end" line with the same head (type .. duration, up to then), and:
 *   end            TIME     its last packet
 *   outcome, established   its final outcome, as in a "tls" line
 *   first_outcome  string   the outcome its "tls" line said
 *   timeline       array    the events since its "tls" line
 *   anomalies, dropped, diagnoses   whole, final (as in a "tls" line)
 *
 * TIME UNITS: an absolute time is TIME (below); every relative time and
 * duration is in seconds, a number with 6 decimals (microseconds):
 * timeline and alerts "t", "duration".  The one exception is
 * "duration_ms" (milliseconds, 3 decimals), kept as schema 1 wrote it
 * for the readers that use it; new readers take "duration".
 *
 * SCHEMA (keys always present and in this order unless marked "only
 * when"; NAME means an IANA name from tls_names.h, "0x1a2b" (or a
 * decimal for alerts, handshake and certificate types) when the value
 * is unassigned, "GREASE" for RFC 8701 values; TIME is RFC 3339 UTC
 * with microseconds, "2024-02-29T18:40:22.123456Z"; every string is
 * valid UTF-8 with control characters escaped as \u00XX):
 *
 *   type           string   "tls" (schema 2)
 *   schema         number   2 (schema 2)
 *   id             number   1, 2, ... in order of the first packet
 *   client         string   "192.0.2.1:51234", "[2001:db8::1]:51234"
 *   client_ip      string   "192.0.2.1", "2001:db8::1" (schema 2)
 *   client_port    number   51234 (schema 2)
 *   server         string   same form as client
 *   server_ip, server_port  same as client_ip, client_port (schema 2)
 *   community_id   string   Community ID v1 of the flow, seed 0 (TCP, or
 *                  UDP for QUIC), "1:" + base64: as Zeek, Suricata and
 *                  Wireshark compute it, to join their records; with
 *                  --redact, of the pseudonym addresses; null when it
 *                  cannot be computed (schema 2)
 *   start          TIME     first packet of the flow
 *   duration_ms    number   last packet - first packet, milliseconds with 3
 *                  decimals (the schema-1 unit, kept; see TIME UNITS)
 *   duration       number   the same in seconds, 6 decimals (schema 2)
 *   partial        bool     the start of the TCP stream was not captured
 *   transport      string   "quic"; only for QUIC connections (TCP has none)
 *   starttls       string   only when the connection began in plaintext and
 *                  upgraded (or tried to): "smtp" | "imap" | "pop3" | "ftp" |
 *                  "ldap" | "xmpp" | "postgres" | "mysql"
 *   starttls_result string  with starttls: "upgraded" | "refused" |
 *                  "not_offered" | "not_used" | "server_closed" |
 *                  "incomplete"
 *   starttls_dropped object only when a cap dropped some: steps (not in the
 *                  timeline), bytes (plaintext not read)
 *   quic           object, only for QUIC connections: version and
 *                  server_version (NAME "QUICv1", "QUICv2", "draft-29" or
 *                  "0x..."; server_version null until a long header from
 *                  it), original_dcid, client_scid, server_scid (hex; the
 *                  last null until seen), retry (bool),
 *                  version_negotiation[] (only when the server sent one),
 *                  packets {c2s: {TYPE: count}, s2c: {...}} (TYPE
 *                  "initial" | "0rtt" | "handshake" | "retry" |
 *                  "version_negotiation" | "1rtt" | "other", non-zero only),
 *                  initial_undecryptable (number), close (null, or the
 *                  first CONNECTION_CLOSE read: from, packet, kind
 *                  "transport" | "application", error, frame_type
 *                  (transport only), reason),
 *                  client_transport_parameters and
 *                  server_transport_parameters (null, or an object of
 *                  name -> number | true | string, quic_tp.h; with
 *                  ..._more, ..._duplicates (numbers) and ..._truncated
 *                  (true) beside them only when not zero)
 *   sni            string   ClientHello server_name, or null
 *   alpn           string   protocol the server selected, or null
 *   version        NAME     negotiated version ("TLS 1.3"), or null
 *   cipher         NAME     negotiated cipher suite, or null
 *   outcome        string   "established" | "failed" | "incomplete"
 *   established    bool     outcome is "established" (schema 2)
 *   resumed        bool     the session was resumed: TLS 1.3, the server
 *                  accepted a PSK; TLS <= 1.2, it echoed the client's
 *                  session id (schema 2)
 *   client_hello   object or null (no ClientHello seen):
 *       record_version, legacy_version          NAME
 *       versions[]                              NAME (supported_versions)
 *       cipher_suites[], extensions[], groups[],
 *       key_share_groups[], signature_algorithms[]   NAME, wire order
 *       alpn[]                                  string
 *       cert_compression[]                      NAME (RFC 8879 algorithms;
 *                                               only when offered)
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
 *       ech_retry_configs number, only when EncryptedExtensions (key log)
 *                       carried ECH retry_configs: their bytes (the
 *                       server rejected ECH)
 *   psk            only when the ClientHello offered a pre-shared key:
 *                  {offered: number (identities), obfuscated_ages[]
 *                  (numbers, the first 4), accepted: bool (the ServerHello
 *                  selected one: resumed) or null (no ServerHello),
 *                  selected: number (identity, 0-based) or null}
 *   early_data     string, only when the ClientHello offered 0-RTT:
 *                  "offered" (not visible whether the server took it) |
 *                  "accepted" | "rejected"; with early_data_inferred (bool:
 *                  judged by record sizes, no key log), early_records
 *                  (the client's 0-RTT records) and
 *                  early_records_decrypted (those opened with
 *                  CLIENT_EARLY_TRAFFIC_SECRET)
 *   later_handshakes  only when there was one: {renegotiations: number
 *                  (TLS <= 1.2 renegotiations begun), post_handshake_auth:
 *                  number (TLS 1.3 post-handshake CertificateRequests),
 *                  unfinished: bool (the last one had not finished when the
 *                  connection ended)}; client_hello, server_hello, version
 *                  and cipher stay the first handshake's
 *   timeline       array, capture order, of objects:
 *       t        number  seconds since start, 6 decimals
 *       dir      string  "c2s" | "s2c" (who sent it)
 *       event    string  "syn" | "syn-ack" | "fin" | "rst" | "gap" |
 *                        "handshake" | "change_cipher_spec" | "alert" |
 *                        "encrypted" | "application_data" |
 *                        "sslv2_client_hello" | "malformed" |
 *                        "quic_packet" | "quic_close" | "starttls" (a
 *                        plaintext step before TLS: its text is detail)
 *       step     string  starttls only, for the steps that decide: "ask" |
 *                        "answer" | "plaintext_after"
 *       packet   string  quic_packet only: its type (as quic.packets)
 *       message  NAME    handshake only: message type ("client_hello")
 *       level, description  NAME  alert only, and only when known (not
 *                        encrypted, or decrypted with a key log)
 *       content_type NAME  encrypted only, when known: the record's type
 *       encrypted bool   handshake, alert and encrypted only
 *       decrypted bool   only when true: seen thanks to a key log
 *       phase    string  only for a later handshake's entry:
 *                        "renegotiation" | "post_handshake_auth"
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
 *                  and read with a key log), later: true only when it came
 *                  in a later handshake (the first had none)}
 *   certificate_request  object or null: {tls13: bool,
 *                  certificate_types[]: NAME, signature_algorithms[]: NAME,
 *                  later: true only when sent in a later handshake}
 *   acceptable_cas array of strings (RFC 4514) from the CertificateRequest
 *   anomalies      array of {code: the anomaly's stable lower_snake name
 *                  (anomaly.h, "non_tls_bytes"), message: string}
 *   dropped        only when something was dropped by a cap: {events,
 *                  certs, list_items, anomalies, bytes}, numbers
 *   diagnoses      array of {code, severity ("error"/"warning"/"info"), stage,
 *                  gave_up ("client"/"server"/"nobody"), confidence
 *                  ("certain"/"inferred"), summary, evidence[],
 *                  events[] (indexes into timeline), fix (string or null)};
 *                  the first error is the root cause
 *
 * SUMMARY (the last line; counts over the connection lines above it,
 * so after --only-failed over the failed ones only, except "capture",
 * which counts the whole run):
 *
 *   type           string   "summary" (schema 2)
 *   schema         number   2 (schema 2)
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
 *       tcp_without_tls  only when there were any: array, earliest first,
 *                    of {port, refused, unanswered, plaintext, closed:
 *                    numbers, first: TIME}: per server port, the TCP
 *                    connections that carried no TLS and have no line
 *                    (the whole run, whatever --only-failed says)
 *       tcp_without_tls_dropped  number, only when such connections to
 *                    ports past TD_CAP_TCP_PORTS were only counted
 *       dropped      what the caps dropped: flows_evicted (flow table
 *                    full), flow_buffer_bytes, memory_bytes, hs_messages,
 *                    starttls_bytes, starttls_steps (capture-wide),
 *                    and, summed over the connection lines: events, certs,
 *                    list_items, anomalies, stream_bytes: numbers
 *       note         string: what could not be checked (no trust
 *                    store...) and a key log that decrypted nothing
 *                    (-k), or null
 *       truncated    bool: the capture file was cut short or damaged, the
 *                    rest never read (the exit status is then 2); when
 *                    true, frames_read (number: how far it got) and
 *                    truncated_reason (string: libpcap's words)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "jsonconn.h"
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

struct json_sink {
	struct td_sink base;  /* first: the engine holds a pointer to it */
	FILE *out;            /* borrowed */
	/* One writer for every line: lines gather in its buffer and go to
	 * out a buffer at a time, or at once when out is line-buffered (a
	 * live capture or a pipe, main.c); finish and free hand over the
	 * rest.  A line depends on its connection alone (jsonconn.h). */
	struct td_jsonw w;
	struct td_json_certjson *certjson;  /* NULL: none kept (out of memory) */
	struct td_json_lists *lists;        /* likewise */
	/* For the summary: what the connection lines said. */
	uint64_t conns;
	uint64_t outcome[3];  /* by enum td_outcome */
	uint64_t with_errors;
	struct json_code codes[JSON_CODES];
	size_t n_codes;
	uint64_t codes_dropped;
	uint64_t drop_events, drop_certs, drop_items, drop_anomalies, drop_bytes;
};

/* diagnoses: [{code, severity, stage, gave_up, confidence, summary, evidence[], events[], fix}] */
static void write_diagnosis(struct td_jsonw *w, const struct td_diagnosis *d)
{
	td_jsonw_object_begin(w);
	td_jsonw_jk_string(w, TD_JKEY("code"), d->code);
	td_jsonw_jk_word(w, TD_JKEY("severity"), td_severity_name(d->severity));
	td_jsonw_jk_word(w, TD_JKEY("stage"), td_stage_name(d->stage));
	td_jsonw_jk_word(w, TD_JKEY("gave_up"), td_party_name(d->gave_up));
	td_jsonw_jk_word(w, TD_JKEY("confidence"), td_confidence_name(d->confidence));
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

static void write_diagnoses(struct td_jsonw *w, const struct td_conn *c)
{
	td_jsonw_jkey(w, TD_JKEY("diagnoses"));
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < c->n_diags; i++)
		write_diagnosis(w, &c->diags[i]);
	td_jsonw_array_end(w);
}

void td_json_anomalies(struct td_jsonw *w, const struct td_anomalies *a)
{
	char msg[TD_ANOMALY_SHOWN];
	td_jsonw_jkey(w, TD_JKEY("anomalies"));
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < a->n; i++) {
		td_anomaly_format(&a->v[i], msg, sizeof msg);
		td_jsonw_object_begin(w);
		td_jsonw_jk_string(w, TD_JKEY("code"), td_anomaly_name(a->v[i].code));
		td_jsonw_jk_string(w, TD_JKEY("message"), msg);
		td_jsonw_object_end(w);
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

/* ip_key: the address alone, or null (an address of no known family);
 * port_key: the port. */
static void kendpoint(struct td_jsonw *w, struct td_jkey ip_key, struct td_jkey port_key,
		      const struct td_addr *a, uint16_t port)
{
	char ip[64];
	if (td_out_ip(ip, sizeof ip, a))
		td_jsonw_jk_word(w, ip_key, ip);  /* digits, '.', ':': plain */
	else
		td_jsonw_jk_null(w, ip_key);
	td_jsonw_jk_uint(w, port_key, port);
}

/* The members a connection's lines begin with: what the line is (schema
 * 2), which connection, its endpoints and start, and how long it lasted
 * so far. */
static void write_head(struct td_jsonw *w, const struct td_conn *c, const char *type)
{
	char buf[64];
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("type"), type);
	td_jsonw_jk_uint(w, TD_JKEY("schema"), TD_JSON_SCHEMA);
	td_jsonw_jk_uint(w, TD_JKEY("id"), c->id);
	td_addr_format(buf, sizeof buf, &c->client_addr, c->client_port);
	td_jsonw_jk_word(w, TD_JKEY("client"), buf);  /* address and port: plain */
	kendpoint(w, TD_JKEY("client_ip"), TD_JKEY("client_port"), &c->client_addr, c->client_port);
	td_addr_format(buf, sizeof buf, &c->server_addr, c->server_port);
	td_jsonw_jk_word(w, TD_JKEY("server"), buf);
	kendpoint(w, TD_JKEY("server_ip"), TD_JKEY("server_port"), &c->server_addr, c->server_port);
	char cid[TD_COMMUNITY_ID_SIZE];
	if (td_out_community_id(cid, c) == TD_OK)
		td_jsonw_jk_word(w, TD_JKEY("community_id"), cid);  /* base64: plain */
	else
		td_jsonw_jk_null(w, TD_JKEY("community_id"));
	td_text_time(buf, sizeof buf, c->start_us);
	td_jsonw_jk_word(w, TD_JKEY("start"), buf);
	int64_t duration_us = td_out_rel_us(c, c->last_us);
	td_jsonw_jkey(w, TD_JKEY("duration_ms"));
	td_jsonw_fixed(w, duration_us, 3);
	td_jsonw_jkey(w, TD_JKEY("duration"));
	td_jsonw_fixed(w, duration_us, 6);
}

static void write_conn(struct td_jsonw *w, struct td_json_certjson *cj,
		       struct td_json_lists *lm, const struct td_conn *c)
{
	write_head(w, c, TD_JSON_TYPE_TLS);
	td_jsonw_jk_bool(w, TD_JKEY("partial"), c->partial);
	td_json_quic(w, c);
	if (c->starttls.proto != TD_STLS_NONE) {
		/* Issue 17: only for a connection that began in plaintext. */
		td_jsonw_jk_word(w, TD_JKEY("starttls"), td_starttls_proto_name(c->starttls.proto));
		td_jsonw_jk_word(w, TD_JKEY("starttls_result"),
				 td_starttls_result_name(c->starttls.result));
		if (c->starttls.steps_dropped || c->starttls.cap_dropped) {
			td_jsonw_jkey(w, TD_JKEY("starttls_dropped"));
			td_jsonw_object_begin(w);
			td_jsonw_jk_uint(w, TD_JKEY("steps"), c->starttls.steps_dropped);
			td_jsonw_jk_uint(w, TD_JKEY("bytes"), c->starttls.cap_dropped);
			td_jsonw_object_end(w);
		}
	}
	td_jsonw_jk_string(w, TD_JKEY("sni"), c->ch.present ? c->ch.sni : NULL);
	td_jsonw_jk_string(w, TD_JKEY("alpn"), c->sh.present ? c->sh.alpn : NULL);
	kname_or_null(w, TD_JKEY("version"), TD_REG_VERSION, c->version);
	kname_or_null(w, TD_JKEY("cipher"), TD_REG_CIPHER, c->cipher);
	kname_or_null(w, TD_JKEY("key_exchange_group"), TD_REG_GROUP,
		      c->sh.key_share_group ? c->sh.key_share_group : c->ske_group);
	kname_or_null(w, TD_JKEY("client_cert_verify"), TD_REG_SIGALG, c->client_cv_scheme);
	td_jsonw_jk_word(w, TD_JKEY("outcome"), td_outcome_name(c->fate.outcome));
	td_jsonw_jk_bool(w, TD_JKEY("established"), c->fate.outcome == TD_OUTCOME_ESTABLISHED);
	td_jsonw_jk_bool(w, TD_JKEY("resumed"), td_out_resumed(c));
	td_json_client_hello(w, lm, &c->ch);
	td_json_server_hello(w, lm, &c->sh);
	td_json_resumption(w, c);
	td_json_later(w, c);

	td_json_timeline(w, c);
	td_json_alerts(w, c);

	td_json_certs(w, cj, TD_JKEY("server_certs"), &c->server_chain);
	td_json_certs(w, cj, TD_JKEY("client_certs"), &c->client_chain);
	td_json_chain_flags(w, TD_JKEY("server_chain"), &c->server_chain);
	td_json_chain_flags(w, TD_JKEY("client_chain"), &c->client_chain);
	td_json_cert_request(w, &c->cr);
	kstrings(w, TD_JKEY("acceptable_cas"), &c->cr.ca_names);
	td_json_anomalies(w, &c->anomalies);
	write_dropped(w, c);
	write_diagnoses(w, c);
	td_jsonw_object_end(w);
}

/* A connection's end after its early line (streaming, sink.h): the same
 * head, when it ended, its final outcome beside the first line's, the
 * timeline since the first line, and its final anomalies and diagnoses
 * (whole: a refusal after the handshake changes them). */
static void write_end(struct td_jsonw *w, const struct td_conn *c)
{
	char buf[64];
	write_head(w, c, TD_JSON_TYPE_TLS_END);
	td_text_time(buf, sizeof buf, c->last_us);
	td_jsonw_jk_word(w, TD_JKEY("end"), buf);
	td_jsonw_jk_word(w, TD_JKEY("outcome"), td_outcome_name(c->fate.outcome));
	td_jsonw_jk_bool(w, TD_JKEY("established"), c->fate.outcome == TD_OUTCOME_ESTABLISHED);
	td_jsonw_jk_word(w, TD_JKEY("first_outcome"), td_outcome_name(c->early.outcome));
	td_json_timeline_from(w, c, c->early.n_events);
	td_json_anomalies(w, &c->anomalies);
	write_dropped(w, c);
	write_diagnoses(w, c);
	td_jsonw_object_end(w);
}

/* Count c's diagnoses per code, for the summary. */
static void count_codes(struct json_sink *js, const struct td_conn *c)
{
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
}

/* Count what this connection line says, for the summary. */
static void count_conn(struct json_sink *js, const struct td_conn *c)
{
	js->conns++;
	if ((unsigned)c->fate.outcome < 3)
		js->outcome[c->fate.outcome]++;
	count_codes(js, c);
	js->drop_events += c->dropped_events;
	js->drop_certs += c->server_chain.dropped + c->client_chain.dropped;
	js->drop_items += td_out_list_dropped(c);
	js->drop_anomalies += c->anomalies.dropped;
	js->drop_bytes += c->side[TD_DIR_C2S].cap_dropped + c->side[TD_DIR_S2C].cap_dropped;
}

static void json_line(struct json_sink *js, const struct td_conn *c, bool end)
{
	td_jsonw_next(&js->w);
	if (end)
		write_end(&js->w, c);
	else
		write_conn(&js->w, js->certjson, js->lists, c);
	/* TD_ERR_USAGE would be a bug in this file, which the unit tests
	 * rule out by validating every line they make.  An I/O error stays
	 * on the FILE for whoever owns it to check with ferror(). */
	enum td_result r = td_jsonw_value_status(&js->w);
	(void)r;
	td_jsonw_line_end(&js->w);
}

static void json_conn_done(struct td_sink *s, const struct td_conn *c)
{
	struct json_sink *js = (struct json_sink *)s;
	count_conn(js, c);
	json_line(js, c, false);
}

/* Streaming: the summary counts the connection by its final outcome; a
 * connection that failed only after its first line (a refusal after the
 * handshake) counts its final diagnoses then. */
static void json_conn_end(struct td_sink *s, const struct td_conn *c)
{
	struct json_sink *js = (struct json_sink *)s;
	if (c->fate.outcome != c->early.outcome && (unsigned)c->fate.outcome < 3 &&
	    (unsigned)c->early.outcome < 3) {
		js->outcome[c->early.outcome]--;
		js->outcome[c->fate.outcome]++;
		if (c->fate.outcome == TD_OUTCOME_FAILED)
			count_codes(js, c);
	}
	json_line(js, c, true);
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

/* What the engine's caps dropped, capture-wide (summary and stats). */
static void write_cap_drops(struct td_jsonw *w, const struct td_stats *st)
{
	td_jsonw_jk_uint(w, TD_JKEY("flows_evicted"), st ? st->flows_evicted_full : 0);
	td_jsonw_jk_uint(w, TD_JKEY("flow_buffer_bytes"), st ? st->reasm_cap_dropped : 0);
	td_jsonw_jk_uint(w, TD_JKEY("memory_bytes"), st ? st->memory_cap_dropped : 0);
	td_jsonw_jk_uint(w, TD_JKEY("hs_messages"), st ? st->hs_messages_dropped : 0);
	td_jsonw_jk_uint(w, TD_JKEY("starttls_bytes"), st ? st->stls_bytes_dropped : 0);
	td_jsonw_jk_uint(w, TD_JKEY("starttls_steps"), st ? st->stls_steps_dropped : 0);
	td_jsonw_jk_uint(w, TD_JKEY("retransmitted_bytes"), st ? st->dup_bytes : 0);
}

/* "kernel": a live capture's counts (pcap_stats). */
static void write_kernel(struct td_jsonw *w, const struct td_stats *st)
{
	td_jsonw_jkey(w, TD_JKEY("kernel"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("received"), st->kernel_received);
	td_jsonw_jk_uint(w, TD_JKEY("dropped"), st->kernel_dropped);
	td_jsonw_object_end(w);
}

void td_json_stats(struct td_jsonw *w, const struct td_stats *st)
{
	td_jsonw_jkey(w, TD_JKEY("stats"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("frames"), st->frames);
	td_jsonw_jk_uint(w, TD_JKEY("bytes"), st->bytes);
	if (st->kernel)
		write_kernel(w, st);
	else
		td_jsonw_jk_null(w, TD_JKEY("kernel"));
	td_jsonw_jkey(w, TD_JKEY("flows"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("active"), st->flows_active);
	td_jsonw_jk_uint(w, TD_JKEY("max"), st->max_flows);
	td_jsonw_jk_uint(w, TD_JKEY("total"), st->flows);
	td_jsonw_object_end(w);
	td_jsonw_jkey(w, TD_JKEY("connections"));
	td_jsonw_object_begin(w);
	uint64_t n = st->reported[0] + st->reported[1] + st->reported[2];
	td_jsonw_jk_uint(w, TD_JKEY("reported"), n);
	td_jsonw_jk_uint(w, TD_JKEY("established"), st->reported[TD_OUTCOME_ESTABLISHED]);
	td_jsonw_jk_uint(w, TD_JKEY("failed"), st->reported[TD_OUTCOME_FAILED]);
	td_jsonw_jk_uint(w, TD_JKEY("incomplete"), st->reported[TD_OUTCOME_INCOMPLETE]);
	td_jsonw_object_end(w);
	td_jsonw_jkey(w, TD_JKEY("memory"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_uint(w, TD_JKEY("used"), st->memory_used);
	td_jsonw_jk_uint(w, TD_JKEY("cap"), st->memory_cap);
	td_jsonw_object_end(w);
	td_jsonw_jkey(w, TD_JKEY("dropped"));
	td_jsonw_object_begin(w);
	write_cap_drops(w, st);
	td_jsonw_object_end(w);
	td_jsonw_object_end(w);
}

/* A live run's periodic statistics: {"type": "stats", "schema": 2,
 * "time": TIME, "stats": {...}} (the schema at the top of this file). */
static void write_stats(struct td_jsonw *w, const struct td_stats *st)
{
	char buf[64];
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("type"), TD_JSON_TYPE_STATS);
	td_jsonw_jk_uint(w, TD_JKEY("schema"), TD_JSON_SCHEMA);
	td_text_time(buf, sizeof buf, st->now_us);
	td_jsonw_jk_word(w, TD_JKEY("time"), buf);
	td_json_stats(w, st);
	td_jsonw_object_end(w);
}

static void write_summary(struct td_jsonw *w, struct json_sink *js, const struct td_stats *st)
{
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("type"), TD_JSON_TYPE_SUMMARY);
	td_jsonw_jk_uint(w, TD_JKEY("schema"), TD_JSON_SCHEMA);
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

	if (st && st->n_tcp_without_tls) {
		td_jsonw_jkey(w, TD_JKEY("tcp_without_tls"));
		td_jsonw_array_begin(w);
		for (size_t i = 0; i < st->n_tcp_without_tls; i++) {
			const struct td_tcp_port *p = &st->tcp_without_tls[i];
			td_jsonw_object_begin(w);
			td_jsonw_jk_uint(w, TD_JKEY("port"), p->port);
			td_jsonw_jk_uint(w, TD_JKEY("refused"), p->refused);
			td_jsonw_jk_uint(w, TD_JKEY("unanswered"), p->unanswered);
			td_jsonw_jk_uint(w, TD_JKEY("plaintext"), p->plaintext);
			td_jsonw_jk_uint(w, TD_JKEY("closed"), p->closed);
			ktime_or_null(w, TD_JKEY("first"), p->first_us, true);
			td_jsonw_object_end(w);
		}
		td_jsonw_array_end(w);
	}
	if (st && st->tcp_without_tls_dropped)
		td_jsonw_jk_uint(w, TD_JKEY("tcp_without_tls_dropped"), st->tcp_without_tls_dropped);

	if (st && st->kernel)
		write_kernel(w, st);
	td_jsonw_jkey(w, TD_JKEY("dropped"));
	td_jsonw_object_begin(w);
	write_cap_drops(w, st);
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

static void json_stats(struct td_sink *s, const struct td_stats *st)
{
	struct json_sink *js = (struct json_sink *)s;
	td_jsonw_next(&js->w);
	write_stats(&js->w, st);
	td_jsonw_line_end(&js->w);
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

static void json_flush(struct td_sink *s)
{
	struct json_sink *js = (struct json_sink *)s;
	td_jsonw_flush(&js->w);
	fflush(js->out);
}

static void json_free(struct td_sink *s)
{
	struct json_sink *js = (struct json_sink *)s;
	td_jsonw_flush(&js->w);  /* lines not yet handed over (no finish) */
	td_json_certjson_free(js->certjson);
	td_json_lists_free(js->lists);
	free(s);
}

struct td_sink *td_json_sink_new(FILE *out)
{
	struct json_sink *js = calloc(1, sizeof *js);
	if (!js)
		return NULL;
	js->out = out;
	js->certjson = td_json_certjson_new();
	js->lists = td_json_lists_new();
	td_jsonw_init(&js->w, out);
	js->base.conn_update = NULL;
	js->base.conn_done = json_conn_done;
	js->base.conn_end = json_conn_end;
	js->base.stats = json_stats;
	js->base.finish = json_finish;
	js->base.flush = json_flush;
	js->base.free = json_free;
	return &js->base;
}
