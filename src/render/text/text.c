/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * text.c - the readable report: one block per connection, then a summary.
 *
 *   #1  192.0.2.1:51234 -> 192.0.2.10:8443  tls-server.local  2026-11-27T04:49:23.123456Z
 *       TLS 1.2  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256  ALPN h2  4.200 ms
 *       FAILED: server sent fatal alert unknown_ca
 *       client offered: TLS 1.3, TLS 1.2; 4 suites; groups x25519, secp256r1, secp384r1;
 *                       key share x25519; ALPN h2, http/1.1
 *       timeline
 *         +0.000302  C -> S  ClientHello (517 bytes)     C -> S: the client sent it
 *         +0.004100  C <- S  Alert fatal unknown_ca      C <- S: the server sent it
 *       server certificates (2)
 *         [0] O=LMT Corp,CN=tls-server.local
 *             issuer  O=LMT Corp,CN=intermediateCA
 *             valid   2024-02-29 .. 2025-02-28  (expired at capture time)
 *             key     RSA 4096, signature sha256WithRSAEncryption
 *             SAN / EKU / sha256 (verbose: usage, serial, DER length too)
 *       certificate request (TLS 1.2 or older), its sig algs and cert types
 *       acceptable client CAs (1)
 *       client certificates (1) ... | none sent (empty Certificate)
 *       anomalies (N), caps dropped: ...
 *
 * then, from finish(), the run: connections by outcome, capture
 * counters, and every drop by a cap.
 *
 * Every line fits in the width main.c chose (td_text_opts.width: --width,
 * else the terminal's, else COLUMNS, else 80) and none ends in a space:
 * lists stop with "... (N more)" (all of them, wrapped, with the verbose
 * option); names, sentences and other long fields wrap at spaces and
 * commas under their own start (a name is evidence: it is never cut),
 * breaking inside a word only when the word alone is longer than the
 * line; and the line writer (textw.h) cuts anything that still
 * overflows, with "...".
 * Columns are counted in code points.  Colour, only when asked: red for
 * failure and fatal alerts, green for established, yellow for warnings,
 * dim for TCP events.  Model strings are already printable (text.h);
 * the line writer still replaces control characters so that nothing can
 * ever reach the terminal as an escape sequence.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "out.h"
#include "packet.h"
#include "quic.h"
#include "sink.h"
#include "text.h"
#include "textconn.h"
#include "textdiag.h"
#include "textw.h"
#include "tls_names.h"
#include "render.h"

/* ---- small formatters ---- */

/* Microseconds as "12.345 ms". */
static void fmt_ms(char *buf, size_t len, int64_t us)
{
	uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	unsigned frac = (unsigned)(mag % 1000u);
	char tail[] = { '.', (char)('0' + frac / 100u), (char)('0' + frac / 10u % 10u),
			(char)('0' + frac % 10u), ' ', 'm', 's', '\0' };
	char *end = buf + len;
	char *d = td_tw_cat(buf, end, us < 0 ? "-" : "");
	d = td_tw_cat_u64(d, end, mag / 1000u);
	td_tw_cat(d, end, tail);
}

static bool alert_known(const struct td_event *e)
{
	return !e->encrypted || e->decrypted;
}

/* Why a failed connection failed, as the wire shows it: the event that
 * ended it (its fate, conn.h). */
static bool fail_reason(const struct td_conn *c, char *buf, size_t len)
{
	size_t i = c->fate.end;
	if (i == SIZE_MAX)
		return false;
	const struct td_event *e = &c->events[i];
	char nb[32];
	enum td_end how = c->fate.how;
	char *end = buf + len;
	char *d = td_tw_cat(buf, end, td_dir_from(e->dir));
	if (how == TD_END_FATAL_ALERT) {
		d = td_tw_cat(d, end, " sent fatal alert ");
		td_tw_cat(d, end, td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb));
	} else if (how == TD_END_ENCRYPTED_ALERT || how == TD_END_ALERT_SIZED) {
		d = td_tw_cat(d, end, " sent an encrypted alert");
		if (how == TD_END_ALERT_SIZED)
			td_tw_cat(d, end, " (inferred)");
	} else if (how == TD_END_RST) {
		td_tw_cat(d, end, " reset the connection");
	} else {
		td_tw_cat(d, end, " closed the connection");
	}
	return true;
}

/* ---- one connection ---- */

static void print_header(struct td_tw *t, const struct td_conn *c)
{
	char cli[64], srv[64], ts[40];
	td_addr_format(cli, sizeof cli, &c->client_addr, c->client_port);
	td_addr_format(srv, sizeof srv, &c->server_addr, c->server_port);
	td_text_time(ts, sizeof ts, c->start_us);
	td_tw_put(t, "#");
	td_tw_uint(t, c->id);
	td_tw_put(t, "  ");
	td_tw_put(t, cli);
	/* Two long IPv6 addresses do not share a line: the server's goes
	 * under, whole, rather than losing its port to the cut. */
	char to[80];
	td_tw_cat(td_tw_cat(to, to + sizeof to, "-> "), to + sizeof to, srv);
	td_tw_item(t, " ", to, IND_BLOCK, TD_TW_RESET);
	const char *sni = c->ch.present ? c->ch.sni : NULL;
	const char *name = sni ? sni : "(no SNI)";
	/* The name is whole on this line or the next (it is what a
	 * hostname mismatch is about); only a name longer than a line is
	 * cut.  The time follows it, or goes under when it does not fit. */
	if (t->cols + 2 + td_tw_str_cols(name) > t->width) {
		td_tw_end(t);
		td_tw_spaces(t, IND_BLOCK);
	} else {
		td_tw_put(t, "  ");
	}
	td_tw_mark(t);
	td_tw_put_max(t, name, t->width - IND_BLOCK);
	td_tw_item(t, "  ", ts, IND_BLOCK, TD_TW_RESET);
	td_tw_end(t);
}

static void print_summary(struct td_tw *t, const struct td_conn *c)
{
	char nb[32], buf[160];
	td_tw_spaces(t, IND_BLOCK);
	td_tw_mark(t);
	if (c->version)
		td_tw_item(t, "  ", td_out_code_name(TD_REG_VERSION, c->version, nb, sizeof nb),
			IND_BLOCK, TD_TW_RESET);
	else
		td_tw_item(t, "  ", "version unknown", IND_BLOCK, TD_TW_RESET);
	if (c->cipher || c->sh.present)
		td_tw_item(t, "  ", td_out_code_name(TD_REG_CIPHER, c->cipher, nb, sizeof nb),
			IND_BLOCK, TD_TW_RESET);
	uint16_t group = c->sh.key_share_group ? c->sh.key_share_group : c->ske_group;
	if (group) {
		td_tw_cat(td_tw_cat(buf, buf + sizeof buf, "group "), buf + sizeof buf,
			  td_out_code_name(TD_REG_GROUP, group, nb, sizeof nb));
		td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RESET);
	}
	if (c->sh.present && c->sh.alpn) {
		td_tw_cat(td_tw_cat(buf, buf + sizeof buf, "ALPN "), buf + sizeof buf, c->sh.alpn);
		td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RESET);
	}
	fmt_ms(buf, sizeof buf, td_out_rel_us(c, c->last_us));
	td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RESET);
	if (c->sh.present && c->sh.hrr)
		td_tw_item(t, "  ", "HelloRetryRequest", IND_BLOCK, TD_TW_RESET);
	if (c->sh.present && (c->sh.psk || c->sh.session_id_echo))
		td_tw_item(t, "  ", "resumed", IND_BLOCK, TD_TW_RESET);
	if (c->partial)
		td_tw_item(t, "  ", "partial capture", IND_BLOCK, TD_TW_YELLOW);
	switch (c->fate.outcome) {
	case TD_OUTCOME_ESTABLISHED:
		td_tw_item(t, "  ", "ESTABLISHED", IND_BLOCK, TD_TW_GREEN);
		break;
	case TD_OUTCOME_FAILED: {
		char why[120];
		char *d = td_tw_cat(buf, buf + sizeof buf, "FAILED");
		if (fail_reason(c, why, sizeof why))
			td_tw_cat(td_tw_cat(d, buf + sizeof buf, ": "), buf + sizeof buf, why);
		td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RED);
		break;
	}
	case TD_OUTCOME_INCOMPLETE:
		td_tw_item(t, "  ", "INCOMPLETE", IND_BLOCK, TD_TW_YELLOW);
		break;
	}
	td_tw_end(t);
}

/* Issue 17: the plaintext protocol a connection upgraded from, and how. */
static void print_starttls(struct td_tw *t, const struct td_conn *c)
{
	const struct td_starttls *st = &c->starttls;
	if (st->proto == TD_STLS_NONE)
		return;
	char buf[64];
	snprintf(buf, sizeof buf, "STARTTLS %s: %s", td_starttls_proto_label(st->proto),
		 td_starttls_result_name(st->result));
	td_tw_spaces(t, IND_BLOCK);
	td_tw_text(t, buf, st->result == TD_STLS_UPGRADED ? TD_TW_RESET : TD_TW_YELLOW, true,
		   IND_BLOCK + 2);
	if (st->plaintext_after)
		td_tw_item(t, "  ", "then plaintext", IND_BLOCK, TD_TW_RED);
	td_tw_end(t);
}

/* The description of one timeline event and its colour. */
static enum td_tw_color event_text(const struct td_event *e, char *buf, size_t len)
{
	char nb[32], name[48];
	char *end = buf + len, *d = buf;
	*d = '\0';
	switch (e->kind) {
	case TD_EV_TCP_SYN:
		td_tw_cat(d, end, "TCP SYN");
		return TD_TW_DIM;
	case TD_EV_TCP_SYNACK:
		td_tw_cat(d, end, "TCP SYN-ACK");
		return TD_TW_DIM;
	case TD_EV_TCP_FIN:
		td_tw_cat(d, end, "TCP FIN");
		return TD_TW_DIM;
	case TD_EV_TCP_RST:
		td_tw_cat(d, end, "TCP RST");
		return TD_TW_DIM;
	case TD_EV_TCP_GAP:
		d = td_tw_cat(d, end, "TCP gap: ");
		d = td_tw_cat_u64(d, end, e->length);
		td_tw_cat(d, end, " bytes not captured");
		return TD_TW_YELLOW;
	case TD_EV_HANDSHAKE:
		td_tls_message_name(name, sizeof name, e->hs_type);
		d = td_tw_cat(d, end, name);
		d = td_tw_cat(d, end, " (");
		d = td_tw_cat_u64(d, end, e->length);
		td_tw_cat(d, end, e->decrypted ? " bytes, decrypted)"
			  : e->encrypted ? " bytes, encrypted)" : " bytes)");
		return TD_TW_RESET;
	case TD_EV_CCS:
		td_tw_cat(d, end, "ChangeCipherSpec");
		return TD_TW_RESET;
	case TD_EV_ALERT:
		if (!alert_known(e)) {
			td_tw_cat(d, end, "Alert (encrypted)");
			return TD_TW_YELLOW;
		}
		d = td_tw_cat(d, end, "Alert ");
		d = td_tw_cat(d, end, td_tls_name(TD_REG_ALERT_LEVEL, e->alert_level, name, sizeof name));
		d = td_tw_cat(d, end, " ");
		d = td_tw_cat(d, end, td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb));
		td_tw_cat(d, end, e->decrypted ? " (decrypted)" : "");
		if (e->alert_level == TD_ALERT_LEVEL_FATAL)
			return TD_TW_RED;
		/* close_notify is the normal end of a connection. */
		return e->alert_desc == TD_ALERT_CLOSE_NOTIFY ? TD_TW_RESET : TD_TW_YELLOW;
	case TD_EV_ENCRYPTED:
		d = td_tw_cat(d, end, e->content_type == TD_CT_HANDSHAKE ? "encrypted handshake record, "
			      : "encrypted record, ");
		d = td_tw_cat_u64(d, end, e->length);
		d = td_tw_cat(d, end, " bytes");
		if (e->inferred) {
			/* An alert-sized record is worth the reader's eye. */
			d = td_tw_cat(d, end, ": ");
			d = td_tw_cat(d, end, e->inferred);
			td_tw_cat(d, end, " (inferred)");
			return strcmp(e->inferred, "alert") == 0 ? TD_TW_YELLOW : TD_TW_RESET;
		}
		return TD_TW_RESET;
	case TD_EV_APPDATA:
		d = td_tw_cat(d, end, "application data, ");
		d = td_tw_cat_u64(d, end, e->length);
		td_tw_cat(d, end, " bytes");
		return TD_TW_RESET;
	case TD_EV_APPLICATION: {
		/* Its words are the detail (td_app_describe), printed after. */
		char brief[64] = "application";
		if (e->app)
			td_app_brief(e->app, brief, sizeof brief);
		d = td_tw_cat(d, end, brief);
		td_tw_cat(d, end, " (decrypted)");
		return e->app && td_app_is_error(e->app) ? TD_TW_YELLOW : TD_TW_RESET;
	}
	case TD_EV_SSLV2_HELLO:
		d = td_tw_cat(d, end, "SSLv2-compatible ClientHello (");
		d = td_tw_cat_u64(d, end, e->length);
		td_tw_cat(d, end, " bytes)");
		return TD_TW_RESET;
	case TD_EV_MALFORMED:
		td_tw_cat(d, end, "malformed");  /* its detail follows (print_timeline) */
		return TD_TW_YELLOW;
	case TD_EV_QUIC_PACKET:
		d = td_tw_cat(d, end, "QUIC ");
		d = td_tw_cat(d, end, td_quic_ptype_label((enum td_quic_ptype)e->quic_type));
		d = td_tw_cat(d, end, " packet (");
		d = td_tw_cat_u64(d, end, e->length);
		td_tw_cat(d, end, " bytes)");
		return TD_TW_DIM;
	case TD_EV_QUIC_CLOSE:
		td_tw_cat(d, end, "QUIC close");  /* its detail follows */
		return TD_TW_YELLOW;
	case TD_EV_STARTTLS:
		/* A plaintext step, as its sender said it: "S: 220 ready". */
		d = td_tw_cat(d, end, e->dir == TD_DIR_C2S ? "C: " : "S: ");
		td_tw_cat(d, end, e->detail ? e->detail : "");
		return e->content_type == TD_STLS_AFTER ? TD_TW_RED : TD_TW_DIM;
	}
	snprintf(buf, len, "event %d", (int)e->kind);
	return TD_TW_RESET;
}

/* A later handshake's entry says so (unless its inferred label does). */
static void phase_tag(const struct td_event *e, char *buf, size_t len)
{
	const char *tag = e->phase == TD_PHASE_RENEGOTIATION ? " [renegotiation]"
			: e->phase == TD_PHASE_POST_HANDSHAKE_AUTH ? " [post-handshake auth]" : NULL;
	if (tag && !strstr(buf, "renegotiation"))
		td_tw_cat(buf + strlen(buf), buf + len, tag);
}

/* The timeline from event `from` on (0: whole; a connection's end
 * after an early report: what came since). */
static void print_timeline(struct td_tw *t, const struct td_conn *c, size_t from)
{
	if (c->n_events <= from && c->dropped_events == 0)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_put(t, from ? "timeline (continued)" : "timeline");
	td_tw_end(t);
	/* Right-align the times so the arrows line up. */
	size_t tcols = 0;
	char ts[32];
	for (size_t i = from; i < c->n_events; i++) {
		td_text_rel_time(ts, sizeof ts, td_out_rel_us(c, c->events[i].ts_us));
		size_t n = strlen(ts);
		if (n > tcols)
			tcols = n;
	}
	for (size_t i = from; i < c->n_events; i++) {
		/* The event and its detail wrap under their own start, in
		 * both modes: cut, "Alert fatal ..." at a narrow width would
		 * hide the one word that matters.  The engine's details are
		 * short (a malformed message's is at most 160 bytes), so this
		 * costs a line or two. */
		const struct td_event *e = &c->events[i];
		char desc[TD_CAP_STRING + 128];
		enum td_tw_color col = event_text(e, desc, sizeof desc);
		phase_tag(e, desc, sizeof desc);
		td_text_rel_time(ts, sizeof ts, td_out_rel_us(c, e->ts_us));
		td_tw_spaces(t, IND_SUB);
		size_t n = strlen(ts);
		if (n < tcols)
			td_tw_spaces(t, tcols - n);
		td_tw_putn(t, ts, n);
		td_tw_put(t, e->dir == TD_DIR_C2S ? "  C -> S  " : "  C <- S  ");
		size_t at = t->cols + EVENT_ROOM <= t->width ? t->cols : IND_SUB + 2;
		td_tw_text(t, desc, col, true, at);
		if (e->detail && e->kind != TD_EV_STARTTLS) {
			bool bad = e->kind == TD_EV_MALFORMED;
			td_tw_colored(t, bad ? col : TD_TW_RESET, bad ? ": " : " - ");
			td_tw_text(t, e->detail, bad ? col : TD_TW_RESET, true, at);
		}
		td_tw_end(t);
	}
	if (c->dropped_events) {
		td_tw_spaces(t, IND_SUB);
		char buf[96];
		snprintf(buf, sizeof buf, "... %zu later events not kept (cap %u per connection)",
			 c->dropped_events, TD_CAP_EVENTS);
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_SUB + 4);
		td_tw_end(t);
	}
}

static void print_anomalies(struct td_tw *t, const struct td_conn *c)
{
	const struct td_anomalies *a = &c->anomalies;
	char msg[TD_ANOMALY_SHOWN];
	if (a->n == 0 && a->dropped == 0)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_printf(t, "anomalies (%zu)", a->n + a->dropped);
	td_tw_end(t);
	for (size_t i = 0; i < a->n; i++) {
		td_tw_spaces(t, IND_SUB);
		td_anomaly_format(&a->v[i], msg, sizeof msg);
		td_tw_text(t, msg, TD_TW_YELLOW, true, IND_SUB + 2);
		td_tw_end(t);
	}
	if (a->dropped) {
		char buf[96];
		td_tw_spaces(t, IND_SUB);
		snprintf(buf, sizeof buf, "... %zu more not kept (cap %u)", a->dropped,
			 TD_CAP_ANOMALIES);
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_SUB + 4);
		td_tw_end(t);
	}
}

/* What the caps dropped on this connection. */
struct drops {
	uint64_t events, certs, items, anomalies, bytes;
};

static struct drops conn_drops(const struct td_conn *c)
{
	return (struct drops){
		.events = c->dropped_events,
		.certs = c->server_chain.dropped + c->client_chain.dropped,
		.items = td_out_list_dropped(c),
		.anomalies = c->anomalies.dropped,
		.bytes = c->side[TD_DIR_C2S].cap_dropped + c->side[TD_DIR_S2C].cap_dropped,
	};
}

/* "N timeline events, N certificates, ..." items of non-zero drops. */
static void drop_items(struct td_tw *t, const struct drops *d, size_t indent)
{
	char buf[64];
	const struct { uint64_t n; const char *what; } v[] = {
		{ d->events, "timeline events" }, { d->certs, "certificates" },
		{ d->items, "list items" }, { d->anomalies, "anomalies" },
		{ d->bytes, "stream bytes" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		if (v[i].n == 0)
			continue;
		snprintf(buf, sizeof buf, "%" PRIu64 " %s", v[i].n, v[i].what);
		td_tw_item(t, ", ", buf, indent, TD_TW_YELLOW);
	}
}

static bool drops_any(const struct drops *d)
{
	return d->events || d->certs || d->items || d->anomalies || d->bytes;
}

/* ---- the sink ---- */

struct text_sink {
	struct td_sink base;       /* first: the engine holds a pointer to it */
	FILE *out;                 /* borrowed */
	struct td_text_opts opts;
	uint64_t conns;
	uint64_t stls_only;        /* of conns: STARTTLS exchanges where TLS never began */
	uint64_t outcome[3];       /* by enum td_outcome */
	struct drops drops;        /* summed over every connection */
	struct td_code_counts codes; /* diagnoses per code */
};

static void text_conn_done(struct td_sink *s, const struct td_conn *c)
{
	struct text_sink *ts = (struct text_sink *)s;
	bool verbose = ts->opts.verbose;
	struct td_tw t;
	td_tw_init(&t, ts->out, ts->opts.color, ts->opts.width);

	ts->conns++;
	if (c->starttls.proto != TD_STLS_NONE && !c->tls)
		ts->stls_only++;
	if ((unsigned)c->fate.outcome < 3)
		ts->outcome[c->fate.outcome]++;
	struct drops d = conn_drops(c);
	ts->drops.events += d.events;
	ts->drops.certs += d.certs;
	ts->drops.items += d.items;
	ts->drops.anomalies += d.anomalies;
	ts->drops.bytes += d.bytes;

	print_header(&t, c);
	print_summary(&t, c);
	print_starttls(&t, c);
	td_text_quic(&t, c);
	td_code_counts_add(&ts->codes, c);
	td_text_diagnoses(&t, c, verbose);
	if (!c->ch.present) {
		/* A ClientHello event without a decoded ClientHello: one cut
		 * short in the capture (its event says how much was seen). */
		bool cut = false;
		for (size_t i = 0; i < c->n_events && !cut; i++)
			cut = c->events[i].kind == TD_EV_HANDSHAKE &&
			      c->events[i].hs_type == TD_HS_CLIENT_HELLO;
		td_tw_spaces(&t, IND_BLOCK);
		td_tw_text(&t, cut ? "ClientHello incomplete in the capture: not decoded"
			   : c->partial
			   ? "no ClientHello seen (the start of the stream was not captured)"
			   : "no ClientHello seen", TD_TW_RESET, true, IND_SUB);
		td_tw_end(&t);
	} else if (verbose) {
		td_text_hellos_verbose(&t, c);
	} else {
		td_text_offer(&t, c);
	}
	print_timeline(&t, c, 0);
	if (c->server_chain.present)
		td_text_chain(&t, c, &c->server_chain, "server", verbose);
	else
		td_text_no_chain(&t, c, true);
	td_text_cert_request(&t, c, verbose);
	if (c->client_chain.present)
		td_text_chain(&t, c, &c->client_chain, "client", verbose);
	else
		td_text_no_chain(&t, c, false);
	print_anomalies(&t, c);
	if (drops_any(&d)) {
		td_tw_spaces(&t, IND_BLOCK);
		td_tw_put(&t, "caps dropped: ");
		td_tw_mark(&t);
		drop_items(&t, &d, IND_SUB);
		td_tw_end(&t);
	}
	/* Flushed at once when stdout is line-buffered (main.c: live
	 * captures and pipes). */
	fputc('\n', ts->out);
}

/* Streaming (sink.h): the end of a connection reported early: its header
 * marked "ended", the final summary line, the diagnoses again when the
 * outcome changed (a refusal after the handshake), and the timeline
 * since the first report. */
static void text_conn_end(struct td_sink *s, const struct td_conn *c)
{
	struct text_sink *ts = (struct text_sink *)s;
	struct td_tw t;
	td_tw_init(&t, ts->out, ts->opts.color, ts->opts.width);
	bool changed = c->fate.outcome != c->early.outcome;
	if (changed && (unsigned)c->fate.outcome < 3 && (unsigned)c->early.outcome < 3) {
		ts->outcome[c->early.outcome]--;
		ts->outcome[c->fate.outcome]++;
		td_code_counts_add(&ts->codes, c);
	}
	print_header(&t, c);
	td_tw_spaces(&t, IND_BLOCK);
	td_tw_put(&t, changed ? "ended; the outcome changed:" : "ended");
	td_tw_end(&t);
	print_summary(&t, c);
	if (changed)
		td_text_diagnoses(&t, c, ts->opts.verbose);
	print_timeline(&t, c, c->early.n_events);
	fputc('\n', ts->out);
}

/* One "label: item, item, ..." line of the summary, items wrapped. */
static void stat_item(struct td_tw *t, uint64_t n, const char *what, enum td_tw_color c)
{
	if (n == 0)
		return;
	char buf[128];
	snprintf(buf, sizeof buf, "%" PRIu64 " %s", n, what);
	td_tw_item(t, ", ", buf, IND_BLOCK, c);
}

/* What the engine's caps dropped, capture-wide, as summary items. */
static void cap_drop_items(struct td_tw *t, const struct td_stats *st)
{
	stat_item(t, st->flows_evicted_full, "flows evicted (flow table full)", TD_TW_YELLOW);
	stat_item(t, st->reasm_cap_dropped, "bytes (per-flow buffer cap)", TD_TW_YELLOW);
	stat_item(t, st->memory_cap_dropped, "bytes (memory cap)", TD_TW_YELLOW);
	stat_item(t, st->hs_messages_dropped, "handshake messages (over 256 KiB)", TD_TW_YELLOW);
	stat_item(t, st->stls_bytes_dropped, "STARTTLS plaintext bytes (preamble cap)",
		  TD_TW_YELLOW);
	stat_item(t, st->stls_steps_dropped, "STARTTLS steps (cap per connection)", TD_TW_YELLOW);
}

/* A live run's periodic statistics (--stats-interval): one wrapped line,
 * "stats TIME: ...", and the caps' drops when there were any. */
static void text_stats(struct td_sink *s, const struct td_stats *st)
{
	struct text_sink *ts = (struct text_sink *)s;
	struct td_tw t;
	td_tw_init(&t, ts->out, ts->opts.color, ts->opts.width);
	char when[40], buf[128];
	td_text_time(when, sizeof when, st->now_us);
	td_tw_printf(&t, "stats %s: ", when);
	td_tw_mark(&t);
	snprintf(buf, sizeof buf, "%" PRIu64 " frames", st->frames);
	td_tw_item(&t, ", ", buf, IND_BLOCK, TD_TW_RESET);
	if (st->kernel) {
		snprintf(buf, sizeof buf, "kernel: %" PRIu64 " received, %" PRIu64 " dropped",
			 st->kernel_received, st->kernel_dropped);
		td_tw_item(&t, ", ", buf, IND_BLOCK, st->kernel_dropped ? TD_TW_YELLOW : TD_TW_RESET);
	}
	snprintf(buf, sizeof buf, "%" PRIu64 " %s tracked of %" PRIu64, st->flows_active,
		 st->flows_active == 1 ? "flow" : "flows", st->max_flows);
	td_tw_item(&t, ", ", buf, IND_BLOCK, TD_TW_RESET);
	snprintf(buf, sizeof buf, "%" PRIu64 " connections: %" PRIu64 " established, %" PRIu64
		 " failed, %" PRIu64 " incomplete",
		 st->reported[0] + st->reported[1] + st->reported[2],
		 st->reported[TD_OUTCOME_ESTABLISHED], st->reported[TD_OUTCOME_FAILED],
		 st->reported[TD_OUTCOME_INCOMPLETE]);
	td_tw_item(&t, ", ", buf, IND_BLOCK, TD_TW_RESET);
	snprintf(buf, sizeof buf, "memory %" PRIu64 " of %" PRIu64 " bytes", st->memory_used,
		 st->memory_cap);
	td_tw_item(&t, ", ", buf, IND_BLOCK, TD_TW_RESET);
	td_tw_end(&t);
	if (st->flows_evicted_full || st->reasm_cap_dropped || st->memory_cap_dropped ||
	    st->hs_messages_dropped || st->stls_bytes_dropped || st->stls_steps_dropped) {
		td_tw_spaces(&t, IND_BLOCK);
		td_tw_put(&t, "dropped by caps: ");
		td_tw_mark(&t);
		cap_drop_items(&t, st);
		td_tw_end(&t);
	}
	fflush(ts->out);
}

static void text_finish(struct td_sink *s, const struct td_stats *st)
{
	struct text_sink *ts = (struct text_sink *)s;
	struct td_tw t;
	td_tw_init(&t, ts->out, ts->opts.color, ts->opts.width);

	/* --only-failed and -c show fewer connections than the capture had:
	 * the count says both, so "0 TLS connections" never hides healthy ones. */
	if (st && st->tls_connections > ts->conns)
		td_tw_printf(&t, "%" PRIu64 " TLS connection%s, %" PRIu64 " shown: ",
			     st->tls_connections, st->tls_connections == 1 ? "" : "s", ts->conns);
	else if (ts->stls_only)
		/* A refused or never-offered upgrade is reported (its
		 * diagnosis is the point) but is no TLS connection. */
		td_tw_printf(&t, "%" PRIu64 " TLS connection%s and %" PRIu64 " STARTTLS "
			     "exchange%s without TLS: ", ts->conns - ts->stls_only,
			     ts->conns - ts->stls_only == 1 ? "" : "s", ts->stls_only,
			     ts->stls_only == 1 ? "" : "s");
	else
		td_tw_printf(&t, "%" PRIu64 " TLS connection%s: ", ts->conns,
			     ts->conns == 1 ? "" : "s");
	td_tw_mark(&t);
	char buf[64];
	const struct { enum td_outcome o; enum td_tw_color c; } oc[] = {
		{ TD_OUTCOME_ESTABLISHED, TD_TW_GREEN }, { TD_OUTCOME_FAILED, TD_TW_RED },
		{ TD_OUTCOME_INCOMPLETE, TD_TW_YELLOW },
	};
	for (size_t i = 0; i < 3; i++) {
		uint64_t n = ts->outcome[oc[i].o];
		snprintf(buf, sizeof buf, "%" PRIu64 " %s", n, td_outcome_name(oc[i].o));
		td_tw_item(&t, ", ", buf, IND_BLOCK, n ? oc[i].c : TD_TW_RESET);
	}
	td_tw_end(&t);
	if (!st) {
		fflush(ts->out);
		return;
	}

	td_tw_put(&t, "capture: ");
	td_tw_mark(&t);
	stat_item(&t, st->frames, "frames", TD_TW_RESET);
	stat_item(&t, st->bytes, "bytes", TD_TW_RESET);
	stat_item(&t, st->tcp_segments, "TCP segments", TD_TW_RESET);
	stat_item(&t, st->flows, st->flows == 1 ? "flow" : "flows", TD_TW_RESET);  /* TCP or QUIC */
	stat_item(&t, st->tls_connections, "with TLS", TD_TW_RESET);
	if (st->last_us > st->first_us) {
		char span[40];
		td_text_rel_time(span, sizeof span, (int64_t)((st->last_us - st->first_us) > INT64_MAX
			? INT64_MAX : st->last_us - st->first_us));
		snprintf(buf, sizeof buf, "%s s", span + 1);
		td_tw_item(&t, ", ", buf, IND_BLOCK, TD_TW_RESET);
	}
	if (t.cols == t.mark)
		td_tw_put(&t, "nothing read");
	td_tw_end(&t);

	td_code_counts_print(&t, &ts->codes);
	if (st->truncated) {
		snprintf(buf, sizeof buf, "after %" PRIu64 " frame%s, the rest never read",
			 st->frames, st->frames == 1 ? "" : "s");
		td_tw_put(&t, "capture cut short: ");
		td_tw_colored(&t, TD_TW_RED, buf);
		if (st->truncated_reason)
			td_tw_put(&t, ": ");
		if (st->truncated_reason)
			td_tw_text(&t, st->truncated_reason, TD_TW_RESET, true, 6);
		td_tw_end(&t);
	}
	if (st->note) {
		td_tw_put(&t, "note: ");
		td_tw_text(&t, st->note, TD_TW_YELLOW, true, 6);
		td_tw_end(&t);
	}
	if (st->n_tcp_without_tls || st->tcp_without_tls_dropped) {
		/* Not connections of the report: what the engine left out
		 * (sink.h: td_tcp_port), so a refused port is still seen. */
		td_tw_put(&t, "TCP without TLS: ");
		td_tw_mark(&t);
		char item[160];
		for (size_t i = 0; i < st->n_tcp_without_tls; i++) {
			td_out_tcp_port(item, sizeof item, &st->tcp_without_tls[i]);
			td_tw_item(&t, "; ", item, IND_BLOCK, TD_TW_RESET);
		}
		if (st->tcp_without_tls_dropped) {
			snprintf(item, sizeof item, "%" PRIu64 " more to other ports (at most %u "
				 "ports are counted one by one)", st->tcp_without_tls_dropped,
				 TD_CAP_TCP_PORTS);
			td_tw_item(&t, "; ", item, IND_BLOCK, TD_TW_YELLOW);
		}
		td_tw_end(&t);
	}
	if (st->skipped_frames || st->malformed_frames || st->flows_idle) {
		td_tw_put(&t, "not analysed: ");
		td_tw_mark(&t);
		stat_item(&t, st->skipped_frames, "frames not TCP over IP", TD_TW_RESET);
		stat_item(&t, st->malformed_frames, "frames with malformed headers", TD_TW_YELLOW);
		stat_item(&t, st->flows_idle, "flows ended by the idle timeout", TD_TW_RESET);
		td_tw_end(&t);
	}
	if (st->gap_bytes) {
		td_tw_put(&t, "gaps: ");
		td_tw_mark(&t);
		stat_item(&t, st->gap_bytes, "stream bytes never captured", TD_TW_YELLOW);
		td_tw_end(&t);
	}
	if (st->flows_evicted_full || st->reasm_cap_dropped || st->memory_cap_dropped ||
	    st->hs_messages_dropped || st->stls_bytes_dropped || st->stls_steps_dropped ||
	    drops_any(&ts->drops)) {
		td_tw_put(&t, "dropped by caps: ");
		td_tw_mark(&t);
		cap_drop_items(&t, st);
		drop_items(&t, &ts->drops, IND_BLOCK);
		td_tw_end(&t);
	}
	if (st->dup_bytes) {
		/* Not a loss: TCP retransmissions and overlaps, where the
		 * first copy of each byte is the one analysed. */
		td_tw_put(&t, "retransmitted: ");
		td_tw_mark(&t);
		stat_item(&t, st->dup_bytes, "bytes seen twice or overlapping (the first copy kept)",
			  TD_TW_RESET);
		td_tw_end(&t);
	}
	fflush(ts->out);
}

static void text_flush(struct td_sink *s)
{
	fflush(((struct text_sink *)s)->out);
}

static void text_free(struct td_sink *s)
{
	free(s);
}

struct td_sink *td_text_sink_new(FILE *out, const struct td_text_opts *opts)
{
	struct text_sink *ts = calloc(1, sizeof *ts);
	if (!ts)
		return NULL;
	ts->out = out;
	if (opts)
		ts->opts = *opts;
	ts->base.conn_update = NULL;
	ts->base.conn_done = text_conn_done;
	ts->base.conn_end = text_conn_end;
	ts->base.stats = text_stats;
	ts->base.finish = text_finish;
	ts->base.flush = text_flush;
	ts->base.free = text_free;
	return &ts->base;
}
