/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecs.c - the ECS sink (-o ecs): one JSON object per connection, one
 * line each, in Elastic Common Schema form, for a log pipeline (Filebeat,
 * Vector, Fluent Bit, an OpenTelemetry collector) to ship into
 * Elasticsearch or OpenSearch without a mapping of its own.
 *
 * Written as the JSON sink writes (jsonw.h, the same buffering: at once
 * when the FILE is line-buffered, else in 64 KiB blocks).  Objects are
 * nested ({"tls": {"client": {...}}}), as Elastic's shippers write them;
 * a field whose value is not known is left out, never null.  There is no
 * summary line: a run's summary is not an event (the exit status says
 * whether a handshake had an error).
 *
 * FIELDS (ECS names; every one is defined by ECS with this type, which
 * tests/e2e/ecs-fields.py checks against ECS's field reference):
 *
 *   @timestamp              date      the flow's first packet (RFC 3339, µs)
 *   ecs.version             keyword   "8.0.0": the ECS version whose fields
 *                                     these are (all exist since 8.0)
 *   event.kind              "event"
 *   event.category          ["network"]
 *   event.type              ["connection", "protocol"], and "start" on the
 *                           first record of a connection reported when
 *                           its handshake ended (streaming: live or a
 *                           pipe), "end" on the whole record of its end
 *                           (tlsdiag.type "tls_end", tlsdiag.first_outcome)
 *   event.outcome           "success" (established) | "failure" (failed) |
 *                           "unknown" (incomplete): the one outcome (conn.h)
 *   event.duration          long      nanoseconds, first to last packet
 *   source.ip, source.port            the client
 *   destination.ip, destination.port  the server
 *   network.transport       "tcp", or "udp" for QUIC
 *   network.community_id    Community ID v1 (render.h)
 *   tls.version             "1.2", "1.3", "3.0"...; tls.version_protocol
 *                           "tls" or "ssl"; both only when negotiated
 *   tls.cipher              the suite's IANA name
 *   tls.curve               the key exchange group's name ("x25519")
 *   tls.established, tls.resumed   boolean
 *   tls.next_protocol       the ALPN protocol the server selected
 *   tls.client.server_name  the SNI
 *   tls.client.supported_ciphers   the ClientHello's suites (GREASE as
 *                           "GREASE", as the JSON output writes them)
 *   tls.client.x509.*, tls.server.x509.*   the leaf certificates (ecsconn.h)
 *   tls.server.certificate_chain   base64 DER, leaf first
 *   tls.server.hash.sha256  the server leaf's SHA-256, uppercase hex
 *   observer.product "tlsdiag", observer.type "sensor", observer.version,
 *   observer.hostname (not with --redact), observer.ingress.interface.name
 *                           (a live capture's interface)
 *
 * tls.client.ja3 is not written: tlsdiag computes JA4, which ECS has no
 * field for.  What ECS lacks is under "tlsdiag":
 *
 *   tlsdiag.type "tls", tlsdiag.schema (TD_JSON_SCHEMA), tlsdiag.id
 *   tlsdiag.outcome         "established" | "failed" | "incomplete"
 *   tlsdiag.partial         the start of the TCP stream was not captured
 *   tlsdiag.transport, tlsdiag.quic   QUIC only, as the JSON output's
 *   tlsdiag.starttls        {protocol, result}, only after a STARTTLS
 *   tlsdiag.ja4, tlsdiag.ja4_r        when computed
 *   tlsdiag.alerts          as the JSON output's "alerts"
 *   tlsdiag.diagnoses       [{code, severity, stage, side (who ended the
 *                           handshake: the JSON output's gave_up),
 *                           confidence, summary, evidence[], fix}], root
 *                           cause first; fix only when there is one
 *   tlsdiag.anomalies       [{code, message}]
 *   tlsdiag.timeline        as the JSON output's "timeline" (t in seconds)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ecsconn.h"
#include "jsonconn.h"
#include "jsonw.h"
#include "out.h"
#include "render.h"
#include "text.h"
#include "tls_names.h"

/* The ECS release whose field set this sink writes (all its fields, and
 * their types, exist unchanged since 8.0). */
#define ECS_VERSION "8.0.0"

struct ecs_sink {
	struct td_sink base;  /* first: the engine holds a pointer to it */
	FILE *out;            /* borrowed */
	struct td_ecs_opts opts;  /* strings borrowed */
	struct td_jsonw w;
};

/* tls.version and tls.version_protocol: ECS's "1.2" and "tls". */
static void write_version(struct td_jsonw *w, uint16_t v)
{
	const char *num = NULL, *proto = "tls";
	if (td_tls_version_is_13(v))
		num = "1.3";
	else if (v == TD_VERSION_TLS12)
		num = "1.2";
	else if (v == TD_VERSION_TLS11)
		num = "1.1";
	else if (v == TD_VERSION_TLS10)
		num = "1.0";
	else if (v == TD_VERSION_SSL3 || v == TD_VERSION_SSL2) {
		num = v == TD_VERSION_SSL3 ? "3.0" : "2.0";
		proto = "ssl";
	}
	if (!num)
		return;  /* not negotiated, or a value of no known version */
	td_jsonw_jk_word(w, TD_JKEY("version"), num);
	td_jsonw_jk_word(w, TD_JKEY("version_protocol"), proto);
}

/* key: {"ip": ..., "port": ...} of one endpoint. */
static void write_endpoint(struct td_jsonw *w, struct td_jkey key, const struct td_addr *a,
			   uint16_t port)
{
	char ip[64];
	td_jsonw_jkey(w, key);
	td_jsonw_object_begin(w);
	if (td_out_ip(ip, sizeof ip, a))
		td_jsonw_jk_word(w, TD_JKEY("ip"), ip);
	td_jsonw_jk_uint(w, TD_JKEY("port"), port);
	td_jsonw_object_end(w);
}

/* Every record begins so: its time, the ECS version, then "event":
 * {kind, category: ["network"], type: [...]: left open for the caller's
 * types, then td_jsonw_array_end()}. */
static void record_begin(struct td_jsonw *w, uint64_t ts_us, const char *kind)
{
	char buf[64];
	td_jsonw_object_begin(w);
	td_text_time(buf, sizeof buf, ts_us);
	td_jsonw_jk_word(w, TD_JKEY("@timestamp"), buf);
	td_jsonw_jkey(w, TD_JKEY("ecs"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("version"), ECS_VERSION);
	td_jsonw_object_end(w);
	td_jsonw_jkey(w, TD_JKEY("event"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("kind"), kind);
	td_jsonw_jkey(w, TD_JKEY("category"));
	td_jsonw_array_begin(w);
	td_jsonw_plain(w, "network", 7);
	td_jsonw_array_end(w);
	td_jsonw_jkey(w, TD_JKEY("type"));
	td_jsonw_array_begin(w);
}

/* The rest of "event" of a connection's record.  end: the record of its
 * end after its early one (streaming: sink.h), whose event.type says
 * "start". */
static void write_event(struct td_jsonw *w, const struct td_conn *c, bool end)
{
	static const char *const outcome[] = {
		[TD_OUTCOME_INCOMPLETE] = "unknown",
		[TD_OUTCOME_ESTABLISHED] = "success",
		[TD_OUTCOME_FAILED] = "failure",
	};
	td_jsonw_plain(w, "connection", 10);
	td_jsonw_plain(w, "protocol", 8);
	if (end)
		td_jsonw_plain(w, "end", 3);
	else if (c->early.reported)
		td_jsonw_plain(w, "start", 5);
	td_jsonw_array_end(w);
	unsigned o = (unsigned)c->fate.outcome;
	td_jsonw_jk_word(w, TD_JKEY("outcome"), o < 3 ? outcome[o] : "unknown");
	/* Nanoseconds, as ECS defines event.duration; a clock that went
	 * backwards gives 0, not a negative duration. */
	int64_t us = td_out_rel_us(c, c->last_us);
	uint64_t ns = us <= 0 ? 0 : (uint64_t)us > UINT64_MAX / 1000 ? UINT64_MAX : (uint64_t)us * 1000;
	td_jsonw_jk_uint(w, TD_JKEY("duration"), ns);
	td_jsonw_object_end(w);
}

static void write_tls_client(struct td_jsonw *w, const struct td_conn *c)
{
	const struct td_client_hello *ch = &c->ch;
	const struct td_cert *leaf = c->client_chain.n ? c->client_chain.certs[0] : NULL;
	if (!ch->present && !leaf)
		return;
	td_jsonw_jkey(w, TD_JKEY("client"));
	td_jsonw_object_begin(w);
	if (ch->present && ch->sni)
		td_jsonw_jk_string(w, TD_JKEY("server_name"), ch->sni);
	if (ch->present && ch->suites.n)
		knames(w, TD_JKEY("supported_ciphers"), TD_REG_CIPHER, &ch->suites);
	td_ecs_x509(w, leaf);
	td_jsonw_object_end(w);
}

static void write_tls_server(struct td_jsonw *w, const struct td_conn *c)
{
	const struct td_cert *leaf = c->server_chain.n ? c->server_chain.certs[0] : NULL;
	if (!leaf)
		return;
	td_jsonw_jkey(w, TD_JKEY("server"));
	td_jsonw_object_begin(w);
	td_ecs_x509(w, leaf);
	td_ecs_chain(w, &c->server_chain);
	td_ecs_hash(w, leaf);
	td_jsonw_object_end(w);
}

static void write_tls(struct td_jsonw *w, const struct td_conn *c)
{
	td_jsonw_jkey(w, TD_JKEY("tls"));
	td_jsonw_object_begin(w);
	write_version(w, c->version);
	if (c->cipher)
		kname(w, TD_JKEY("cipher"), TD_REG_CIPHER, c->cipher);
	uint16_t group = c->sh.key_share_group ? c->sh.key_share_group : c->ske_group;
	if (group)
		kname(w, TD_JKEY("curve"), TD_REG_GROUP, group);
	td_jsonw_jk_bool(w, TD_JKEY("established"), c->fate.outcome == TD_OUTCOME_ESTABLISHED);
	td_jsonw_jk_bool(w, TD_JKEY("resumed"), td_out_resumed(c));
	if (c->sh.present && c->sh.alpn)
		td_jsonw_jk_string(w, TD_JKEY("next_protocol"), c->sh.alpn);
	write_tls_client(w, c);
	write_tls_server(w, c);
	td_jsonw_object_end(w);
}

static void write_observer(struct td_jsonw *w, const struct td_ecs_opts *o)
{
	td_jsonw_jkey(w, TD_JKEY("observer"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("product"), "tlsdiag");
	td_jsonw_jk_word(w, TD_JKEY("type"), "sensor");
	if (o->version)
		td_jsonw_jk_string(w, TD_JKEY("version"), o->version);
	if (o->hostname)
		td_jsonw_jk_string(w, TD_JKEY("hostname"), o->hostname);
	if (o->interface) {
		td_jsonw_jkey(w, TD_JKEY("ingress"));
		td_jsonw_object_begin(w);
		td_jsonw_jkey(w, TD_JKEY("interface"));
		td_jsonw_object_begin(w);
		td_jsonw_jk_string(w, TD_JKEY("name"), o->interface);
		td_jsonw_object_end(w);
		td_jsonw_object_end(w);
	}
	td_jsonw_object_end(w);
}

static void write_diagnoses(struct td_jsonw *w, const struct td_conn *c)
{
	td_jsonw_jkey(w, TD_JKEY("diagnoses"));
	td_jsonw_array_begin(w);
	for (size_t i = 0; i < c->n_diags; i++) {
		const struct td_diagnosis *d = &c->diags[i];
		td_jsonw_object_begin(w);
		td_jsonw_jk_string(w, TD_JKEY("code"), d->code);
		td_jsonw_jk_word(w, TD_JKEY("severity"), td_severity_name(d->severity));
		td_jsonw_jk_word(w, TD_JKEY("stage"), td_stage_name(d->stage));
		td_jsonw_jk_word(w, TD_JKEY("side"), td_party_name(d->gave_up));
		td_jsonw_jk_word(w, TD_JKEY("confidence"), td_confidence_name(d->confidence));
		td_jsonw_jk_string(w, TD_JKEY("summary"), d->summary);
		kstrings(w, TD_JKEY("evidence"), &d->evidence);
		if (d->fix)
			td_jsonw_jk_string(w, TD_JKEY("fix"), d->fix);
		td_jsonw_object_end(w);
	}
	td_jsonw_array_end(w);
}

/* What ECS has no field for. */
static void write_tlsdiag(struct td_jsonw *w, const struct td_conn *c, bool end)
{
	td_jsonw_jkey(w, TD_JKEY("tlsdiag"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("type"), end ? TD_JSON_TYPE_TLS_END : TD_JSON_TYPE_TLS);
	td_jsonw_jk_uint(w, TD_JKEY("schema"), TD_JSON_SCHEMA);
	td_jsonw_jk_uint(w, TD_JKEY("id"), c->id);
	td_jsonw_jk_word(w, TD_JKEY("outcome"), td_outcome_name(c->fate.outcome));
	if (end)
		td_jsonw_jk_word(w, TD_JKEY("first_outcome"), td_outcome_name(c->early.outcome));
	td_jsonw_jk_bool(w, TD_JKEY("partial"), c->partial);
	td_json_quic(w, c);
	if (c->starttls.proto != TD_STLS_NONE) {
		td_jsonw_jkey(w, TD_JKEY("starttls"));
		td_jsonw_object_begin(w);
		td_jsonw_jk_word(w, TD_JKEY("protocol"), td_starttls_proto_name(c->starttls.proto));
		td_jsonw_jk_word(w, TD_JKEY("result"), td_starttls_result_name(c->starttls.result));
		td_jsonw_object_end(w);
	}
	if (c->ch.present && c->ch.ja4[0]) {
		td_jsonw_jk_string(w, TD_JKEY("ja4"), c->ch.ja4);
		if (c->ch.ja4_r)
			td_jsonw_jk_string(w, TD_JKEY("ja4_r"), c->ch.ja4_r);
	}
	td_json_alerts(w, c);
	write_diagnoses(w, c);
	td_json_anomalies(w, &c->anomalies);
	td_json_timeline(w, c);
	td_jsonw_object_end(w);
}

static void write_record(struct td_jsonw *w, const struct td_ecs_opts *o, const struct td_conn *c,
			 bool end)
{
	record_begin(w, c->start_us, "event");
	write_event(w, c, end);
	write_endpoint(w, TD_JKEY("source"), &c->client_addr, c->client_port);
	write_endpoint(w, TD_JKEY("destination"), &c->server_addr, c->server_port);
	td_jsonw_jkey(w, TD_JKEY("network"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("transport"), c->quic.present ? "udp" : "tcp");
	char cid[TD_COMMUNITY_ID_SIZE];
	if (td_out_community_id(cid, c) == TD_OK)
		td_jsonw_jk_word(w, TD_JKEY("community_id"), cid);
	td_jsonw_object_end(w);
	write_tls(w, c);
	write_observer(w, o);
	write_tlsdiag(w, c, end);
	td_jsonw_object_end(w);
}

/* A live run's periodic statistics (--stats-interval) as an ECS metric
 * event; the counts, which ECS has no fields for, under tlsdiag.stats
 * as the JSON "stats" line has them. */
static void write_stats_record(struct td_jsonw *w, const struct td_ecs_opts *o,
			       const struct td_stats *st)
{
	record_begin(w, st->now_us, "metric");
	td_jsonw_plain(w, "info", 4);
	td_jsonw_array_end(w);
	td_jsonw_object_end(w);
	write_observer(w, o);
	td_jsonw_jkey(w, TD_JKEY("tlsdiag"));
	td_jsonw_object_begin(w);
	td_jsonw_jk_word(w, TD_JKEY("type"), TD_JSON_TYPE_STATS);
	td_jsonw_jk_uint(w, TD_JKEY("schema"), TD_JSON_SCHEMA);
	td_json_stats(w, st);
	td_jsonw_object_end(w);
	td_jsonw_object_end(w);
}

static void ecs_record(struct td_sink *s, const struct td_conn *c, bool end)
{
	struct ecs_sink *es = (struct ecs_sink *)s;
	td_jsonw_next(&es->w);
	write_record(&es->w, &es->opts, c, end);
	/* As the JSON sink: misuse is ruled out by the unit tests, an I/O
	 * error stays on the FILE for its owner to check. */
	enum td_result r = td_jsonw_value_status(&es->w);
	(void)r;
	td_jsonw_line_end(&es->w);
}

static void ecs_conn_done(struct td_sink *s, const struct td_conn *c)
{
	ecs_record(s, c, false);
}

/* Streaming: a whole record again, of the connection's final state
 * (event.type "end", tlsdiag.type "tls_end"): a log store keeps
 * documents, not deltas. */
static void ecs_conn_end(struct td_sink *s, const struct td_conn *c)
{
	ecs_record(s, c, true);
}

static void ecs_stats(struct td_sink *s, const struct td_stats *st)
{
	struct ecs_sink *es = (struct ecs_sink *)s;
	td_jsonw_next(&es->w);
	write_stats_record(&es->w, &es->opts, st);
	td_jsonw_line_end(&es->w);
}

static void ecs_finish(struct td_sink *s, const struct td_stats *st)
{
	struct ecs_sink *es = (struct ecs_sink *)s;
	(void)st;  /* no summary line: see the top of this file */
	td_jsonw_flush(&es->w);
	fflush(es->out);
}

static void ecs_flush(struct td_sink *s)
{
	struct ecs_sink *es = (struct ecs_sink *)s;
	td_jsonw_flush(&es->w);
	fflush(es->out);
}

static void ecs_free(struct td_sink *s)
{
	struct ecs_sink *es = (struct ecs_sink *)s;
	td_jsonw_flush(&es->w);
	free(es);
}

struct td_sink *td_ecs_sink_new(FILE *out, const struct td_ecs_opts *opts)
{
	struct ecs_sink *es = calloc(1, sizeof *es);
	if (!es)
		return NULL;
	es->out = out;
	if (opts)
		es->opts = *opts;
	td_jsonw_init(&es->w, out);
	es->base.conn_update = NULL;
	es->base.conn_done = ecs_conn_done;
	es->base.conn_end = ecs_conn_end;
	es->base.stats = ecs_stats;
	es->base.finish = ecs_finish;
	es->base.flush = ecs_flush;
	es->base.free = ecs_free;
	return &es->base;
}
