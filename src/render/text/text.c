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
#include "sink.h"
#include "text.h"
#include "textdiag.h"
#include "textw.h"
#include "tls_names.h"
#include "render.h"

enum {
	IND_BLOCK = 4,   /* the lines of a connection block */
	IND_SUB = 6,     /* lines under a heading */
	IND_VALUE = 18,  /* values after a label column ("      sig algs    ") */
	IND_CERT = 10,   /* the lines of one certificate */
	LIST_SHORT = 8,  /* lines of a long list shown without --verbose */
	NARROW = 60,     /* below this width, "client offered: " parts hang at
			    IND_SUB, not under the first part: 20 columns
			    would leave room for hardly one group name */
	EVENT_ROOM = 30  /* columns a timeline event needs after its time and
			    arrow to wrap under its own start ("ServerKeyExchange
			    (552 bytes)"); with less, it hangs at IND_SUB + 2 */
};

/* "      label       " then the list: all of it wrapped when verbose. */
static void list_row(struct td_tw *t, bool verbose, const char *label,
		     const struct td_tw_items *it)
{
	td_tw_spaces(t, IND_SUB);
	td_tw_printf(t, "%-*s", IND_VALUE - IND_SUB - 1, label);
	td_tw_put(t, " ");
	if (verbose)
		td_tw_list_wrap(t, it, IND_VALUE);
	else
		td_tw_list_fit(t, it, SIZE_MAX, t->width, IND_VALUE);
	td_tw_end(t);
}

/* ---- small formatters ---- */

/* Microseconds as "12.345 ms". */
static void fmt_ms(char *buf, size_t len, int64_t us)
{
	uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " ms", us < 0 ? "-" : "", mag / 1000u,
		 mag % 1000u);
}

static bool alert_known(const struct td_event *e)
{
	return !e->encrypted || e->decrypted;
}

/* Alert level and description values the report singles out. */
enum { ALERT_FATAL = 2, ALERT_CLOSE_NOTIFY = 0 };

/* Why a failed connection failed, as the wire shows it: the event that
 * ended it (td_conn_end_event()). */
static bool fail_reason(const struct td_conn *c, char *buf, size_t len)
{
	size_t i = td_conn_end_event(c);
	if (i == SIZE_MAX)
		return false;
	const struct td_event *e = &c->events[i];
	char nb[32];
	if (e->kind == TD_EV_ALERT && alert_known(e))
		snprintf(buf, len, "%s sent fatal alert %s", td_dir_from(e->dir),
			 td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb));
	else if (e->kind == TD_EV_ALERT)
		snprintf(buf, len, "%s sent an encrypted alert", td_dir_from(e->dir));
	else if (e->kind == TD_EV_TCP_RST)
		snprintf(buf, len, "%s reset the connection", td_dir_from(e->dir));
	else
		snprintf(buf, len, "%s closed the connection", td_dir_from(e->dir));
	return true;
}

/* ---- one connection ---- */

static void print_header(struct td_tw *t, const struct td_conn *c)
{
	char cli[64], srv[64], ts[40];
	td_addr_format(cli, sizeof cli, &c->client_addr, c->client_port);
	td_addr_format(srv, sizeof srv, &c->server_addr, c->server_port);
	td_text_time(ts, sizeof ts, c->start_us);
	td_tw_printf(t, "#%" PRIu64 "  %s", c->id, cli);
	/* Two long IPv6 addresses do not share a line: the server's goes
	 * under, whole, rather than losing its port to the cut. */
	char to[80];
	snprintf(to, sizeof to, "-> %s", srv);
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
		snprintf(buf, sizeof buf, "group %s",
			 td_out_code_name(TD_REG_GROUP, group, nb, sizeof nb));
		td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RESET);
	}
	if (c->sh.present && c->sh.alpn) {
		snprintf(buf, sizeof buf, "ALPN %s", c->sh.alpn);
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
	switch (c->outcome) {
	case TD_OUTCOME_ESTABLISHED:
		td_tw_item(t, "  ", "ESTABLISHED", IND_BLOCK, TD_TW_GREEN);
		break;
	case TD_OUTCOME_FAILED: {
		char why[120];
		if (fail_reason(c, why, sizeof why))
			snprintf(buf, sizeof buf, "FAILED: %s", why);
		else
			snprintf(buf, sizeof buf, "FAILED");
		td_tw_item(t, "  ", buf, IND_BLOCK, TD_TW_RED);
		break;
	}
	case TD_OUTCOME_INCOMPLETE:
		td_tw_item(t, "  ", "INCOMPLETE", IND_BLOCK, TD_TW_YELLOW);
		break;
	}
	td_tw_end(t);
}

/* One part of the offer summary: label and a list shortened to fit
 * part_cols columns, as a string in buf. */
static void offer_part(char *buf, size_t len, const char *label,
		       const struct td_tw_items *it, size_t part_cols, size_t width)
{
	struct td_tw m;
	td_tw_init(&m, NULL, false, width);
	td_tw_put(&m, label);
	td_tw_list_fit(&m, it, SIZE_MAX, part_cols, SIZE_MAX);  /* one line: m holds one */
	/* m.buf holds the first width columns: more than a line can show. */
	snprintf(buf, len, "%.*s", (int)m.len, m.buf);
}

/* "client offered: TLS 1.3, TLS 1.2; 31 suites; groups ...; ALPN ...",
 * its parts wrapped under the first one. */
/* The ClientHello's PSK, early data and ECH flags as list items. */
static void hello_flags(struct td_tw *t, const struct td_client_hello *ch, const char *sep,
			size_t indent)
{
	if (ch->psk)
		td_tw_item(t, sep, "PSK", indent, TD_TW_RESET);
	if (ch->early_data)
		td_tw_item(t, sep, "early data", indent, TD_TW_RESET);
	if (ch->ech)
		td_tw_item(t, sep, "ECH", indent, TD_TW_RESET);
}

static void print_offer(struct td_tw *t, const struct td_conn *c)
{
	const struct td_client_hello *ch = &c->ch;
	const size_t indent = t->width < NARROW ? IND_SUB : IND_BLOCK + sizeof "client offered: " - 1;
	const size_t part_cols = t->width - indent;
	char buf[TD_TW_BUF + 1], nb[32];
	td_tw_spaces(t, IND_BLOCK);
	td_tw_put(t, "client offered: ");
	td_tw_mark(t);
	if (ch->sslv2)
		td_tw_item(t, "; ", "SSLv2-compatible hello", indent, TD_TW_RESET);
	struct td_tw_items it = td_tw_items_u16(&ch->versions, TD_REG_VERSION, true);
	if (td_tw_items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "", &it, part_cols, t->width);
		td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	} else {
		td_tw_item(t, "; ",
			   td_out_code_name(TD_REG_VERSION, ch->legacy_version, nb, sizeof nb),
			   indent, TD_TW_RESET);
	}
	it = td_tw_items_u16(&ch->suites, TD_REG_CIPHER, true);
	/* Suites the list cap refused were offered too. */
	size_t ns = td_tw_items_count(&it) + ch->suites.dropped;
	snprintf(buf, sizeof buf, "%zu suite%s", ns, ns == 1 ? "" : "s");
	td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	it = td_tw_items_u16(&ch->groups, TD_REG_GROUP, true);
	if (td_tw_items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "groups ", &it, part_cols, t->width);
		td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	}
	it = td_tw_items_u16(&ch->key_share_groups, TD_REG_GROUP, true);
	if (td_tw_items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "key share ", &it, part_cols, t->width);
		td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	}
	it = td_tw_items_str(&ch->alpn);
	if (td_tw_items_count(&it) > 0) {
		offer_part(buf, sizeof buf, "ALPN ", &it, part_cols, t->width);
		td_tw_item(t, "; ", buf, indent, TD_TW_RESET);
	}
	hello_flags(t, ch, "; ", indent);
	td_tw_end(t);
}

static void print_hellos_verbose(struct td_tw *t, const struct td_conn *c)
{
	const struct td_client_hello *ch = &c->ch;
	const struct td_server_hello *sh = &c->sh;
	char a[32], b[32];
	char buf[64];
	td_tw_spaces(t, IND_BLOCK);
	/* Items from the block's indent on (mark 0), so the first one gets
	 * its "  " too. */
	td_tw_put(t, "client hello");
	snprintf(buf, sizeof buf, "record %s",
		 td_out_code_name(TD_REG_VERSION, ch->record_version, a, sizeof a));
	td_tw_item(t, "  ", buf, IND_VALUE, TD_TW_RESET);
	snprintf(buf, sizeof buf, "legacy_version %s",
		 td_out_code_name(TD_REG_VERSION, ch->legacy_version, b, sizeof b));
	td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	snprintf(buf, sizeof buf, "session id %u bytes", (unsigned)ch->session_id_len);
	td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	if (ch->sslv2)
		td_tw_item(t, ", ", "SSLv2-compatible", IND_VALUE, TD_TW_RESET);
	td_tw_end(t);
	struct td_tw_items it = td_tw_items_u16(&ch->versions, TD_REG_VERSION, false);
	list_row(t, true, "versions", &it);
	it = td_tw_items_u16(&ch->suites, TD_REG_CIPHER, false);
	list_row(t, true, "suites", &it);
	it = td_tw_items_u16(&ch->extensions, TD_REG_EXTENSION, false);
	list_row(t, true, "extensions", &it);
	it = td_tw_items_u16(&ch->groups, TD_REG_GROUP, false);
	list_row(t, true, "groups", &it);
	it = td_tw_items_u16(&ch->key_share_groups, TD_REG_GROUP, false);
	list_row(t, true, "key shares", &it);
	it = td_tw_items_u16(&ch->sig_algs, TD_REG_SIGALG, false);
	list_row(t, true, "sig algs", &it);
	it = td_tw_items_str(&ch->alpn);
	list_row(t, true, "ALPN", &it);
	if (ch->session_ticket || ch->psk || ch->early_data || ch->ech) {
		td_tw_spaces(t, IND_SUB);
		td_tw_printf(t, "%-*s", IND_VALUE - IND_SUB, "flags");
		td_tw_mark(t);
		if (ch->session_ticket)
			td_tw_item(t, ", ", ch->session_ticket_data ? "session ticket (resuming)"
				: "session ticket", IND_VALUE, TD_TW_RESET);
		hello_flags(t, ch, ", ", IND_VALUE);
		td_tw_end(t);
	}
	if (!sh->present)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_put(t, sh->hrr ? "server hello (HelloRetryRequest)" : "server hello");
	snprintf(buf, sizeof buf, "legacy_version %s",
		 td_out_code_name(TD_REG_VERSION, sh->legacy_version, a, sizeof a));
	td_tw_item(t, "  ", buf, IND_VALUE, TD_TW_RESET);
	if (sh->selected_version) {
		snprintf(buf, sizeof buf, "selected %s",
			 td_out_code_name(TD_REG_VERSION, sh->selected_version, a, sizeof a));
		td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	}
	if (sh->key_share_group) {
		snprintf(buf, sizeof buf, "key share %s",
			 td_out_code_name(TD_REG_GROUP, sh->key_share_group, a, sizeof a));
		td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
	}
	if (sh->psk)
		td_tw_item(t, ", ", "PSK accepted", IND_VALUE, TD_TW_RESET);
	if (sh->session_id_echo)
		td_tw_item(t, ", ", "session id echoed (resumption)", IND_VALUE, TD_TW_RESET);
	td_tw_end(t);
	it = td_tw_items_u16(&sh->extensions, TD_REG_EXTENSION, false);
	list_row(t, true, "extensions", &it);
}

/* The description of one timeline event and its colour. */
static enum td_tw_color event_text(const struct td_event *e, char *buf, size_t len)
{
	char nb[32], name[48];
	switch (e->kind) {
	case TD_EV_TCP_SYN:
		snprintf(buf, len, "TCP SYN");
		return TD_TW_DIM;
	case TD_EV_TCP_SYNACK:
		snprintf(buf, len, "TCP SYN-ACK");
		return TD_TW_DIM;
	case TD_EV_TCP_FIN:
		snprintf(buf, len, "TCP FIN");
		return TD_TW_DIM;
	case TD_EV_TCP_RST:
		snprintf(buf, len, "TCP RST");
		return TD_TW_DIM;
	case TD_EV_TCP_GAP:
		snprintf(buf, len, "TCP gap: %" PRIu32 " bytes not captured", e->length);
		return TD_TW_YELLOW;
	case TD_EV_HANDSHAKE:
		td_tls_message_name(name, sizeof name, e->hs_type);
		snprintf(buf, len, "%s (%" PRIu32 " bytes%s)", name, e->length,
			 e->decrypted ? ", decrypted" : e->encrypted ? ", encrypted" : "");
		return TD_TW_RESET;
	case TD_EV_CCS:
		snprintf(buf, len, "ChangeCipherSpec");
		return TD_TW_RESET;
	case TD_EV_ALERT:
		if (!alert_known(e)) {
			snprintf(buf, len, "Alert (encrypted)");
			return TD_TW_YELLOW;
		}
		snprintf(buf, len, "Alert %s %s%s",
			 td_tls_name(TD_REG_ALERT_LEVEL, e->alert_level, name, sizeof name),
			 td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb),
			 e->decrypted ? " (decrypted)" : "");
		if (e->alert_level == ALERT_FATAL)
			return TD_TW_RED;
		/* close_notify is the normal end of a connection. */
		return e->alert_desc == ALERT_CLOSE_NOTIFY ? TD_TW_RESET : TD_TW_YELLOW;
	case TD_EV_ENCRYPTED:
		if (e->inferred) {
			/* An alert-sized record is worth the reader's eye. */
			snprintf(buf, len, "encrypted %srecord, %" PRIu32 " bytes: %s (inferred)",
				 e->content_type == TD_CT_HANDSHAKE ? "handshake " : "", e->length,
				 e->inferred);
			return strcmp(e->inferred, "alert") == 0 ? TD_TW_YELLOW : TD_TW_RESET;
		}
		snprintf(buf, len, "encrypted %srecord, %" PRIu32 " bytes",
			 e->content_type == TD_CT_HANDSHAKE ? "handshake " : "", e->length);
		return TD_TW_RESET;
	case TD_EV_APPDATA:
		snprintf(buf, len, "application data, %" PRIu32 " bytes", e->length);
		return TD_TW_RESET;
	case TD_EV_SSLV2_HELLO:
		snprintf(buf, len, "SSLv2-compatible ClientHello (%" PRIu32 " bytes)", e->length);
		return TD_TW_RESET;
	case TD_EV_MALFORMED:
		snprintf(buf, len, "malformed");  /* its detail follows (print_timeline) */
		return TD_TW_YELLOW;
	}
	snprintf(buf, len, "event %d", (int)e->kind);
	return TD_TW_RESET;
}

static void print_timeline(struct td_tw *t, const struct td_conn *c)
{
	if (c->n_events == 0 && c->dropped_events == 0)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_put(t, "timeline");
	td_tw_end(t);
	/* Right-align the times so the arrows line up. */
	size_t tcols = 0;
	char ts[32];
	for (size_t i = 0; i < c->n_events; i++) {
		td_text_rel_time(ts, sizeof ts, td_out_rel_us(c, c->events[i].ts_us));
		if (strlen(ts) > tcols)
			tcols = strlen(ts);
	}
	for (size_t i = 0; i < c->n_events; i++) {
		/* The event and its detail wrap under their own start, in
		 * both modes: cut, "Alert fatal ..." at a narrow width would
		 * hide the one word that matters.  The engine's details are
		 * short (a malformed message's is at most 160 bytes), so this
		 * costs a line or two. */
		const struct td_event *e = &c->events[i];
		char desc[TD_CAP_STRING + 128];
		enum td_tw_color col = event_text(e, desc, sizeof desc);
		td_text_rel_time(ts, sizeof ts, td_out_rel_us(c, e->ts_us));
		td_tw_spaces(t, IND_SUB);
		td_tw_printf(t, "%*s  %s  ", (int)tcols, ts,
			     e->dir == TD_DIR_C2S ? "C -> S" : "C <- S");
		size_t at = t->cols + EVENT_ROOM <= t->width ? t->cols : IND_SUB + 2;
		td_tw_text(t, desc, col, true, at);
		if (e->detail) {
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

/* "          label   " for a certificate field. */
static void cert_label(struct td_tw *t, const char *label)
{
	td_tw_spaces(t, IND_CERT);
	td_tw_printf(t, "%-*s", IND_VALUE - IND_CERT, label);
	td_tw_mark(t);
}

/* The certificate's SHA-256 after its label, or on the next line when
 * the 64 digits do not fit after it (80 columns): whole on one line, to
 * be copied or searched for, wherever the width allows. */
static void cert_hash(struct td_tw *t, const char *sha256)
{
	cert_label(t, "sha256");
	td_tw_text(t, sha256, TD_TW_RESET, true, IND_CERT + 2);
	td_tw_end(t);
}

/* A labelled list of a certificate: wrapped when verbose, else fitted to
 * the line; shown when not empty, or always when verbose; verbose_only
 * lists (key usage) only with verbose. */
static void cert_list(struct td_tw *t, const char *label, const struct td_strlist *l,
		      bool verbose, bool verbose_only)
{
	if (!verbose && (verbose_only || l->n == 0))
		return;
	struct td_tw_items it = td_tw_items_str(l);
	cert_label(t, label);
	if (verbose)
		td_tw_list_wrap(t, &it, IND_VALUE);
	else
		td_tw_list_fit(t, &it, SIZE_MAX, t->width, IND_VALUE);
	td_tw_end(t);
}

static void print_cert(struct td_tw *t, const struct td_conn *c, const struct td_cert *cert,
		       size_t idx, bool verbose)
{
	char buf[256];
	td_tw_spaces(t, IND_SUB);
	td_tw_printf(t, "[%zu] ", idx);
	if (!cert->parsed) {
		snprintf(buf, sizeof buf, "unparsable certificate, %zu bytes: %s", cert->der_len,
			 cert->error ? cert->error : "unknown error");
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_CERT);
		td_tw_end(t);
		cert_hash(t, cert->sha256);
		return;
	}
	char tags[64] = "";
	if (cert->self_signed || cert->is_ca) {
		char pl[32] = "";
		if (cert->is_ca && cert->path_len >= 0)
			snprintf(pl, sizeof pl, ", path length %d", cert->path_len);
		snprintf(tags, sizeof tags, "(%s%s%s%s)", cert->self_signed ? "self-signed" : "",
			 cert->self_signed && cert->is_ca ? ", " : "", cert->is_ca ? "CA" : "", pl);
	}
	const char *subject = cert->subject ? cert->subject : "(no subject)";
	td_tw_mark(t);
	/* Names are evidence (an issuer is matched against a CA list): they
	 * wrap, never cut. */
	td_tw_text(t, subject, TD_TW_RESET, true, IND_CERT);
	if (tags[0])
		td_tw_item(t, "  ", tags, IND_CERT, TD_TW_RESET);
	td_tw_end(t);

	cert_label(t, "issuer");
	td_tw_text(t, cert->issuer ? cert->issuer : "(none)", TD_TW_RESET, true, IND_VALUE);
	td_tw_end(t);

	char nb[40], na[40];
	cert_label(t, "valid");
	if (!td_out_cert_time(nb, sizeof nb, cert->not_before, !verbose))
		snprintf(nb, sizeof nb, "?");
	if (!td_out_cert_time(na, sizeof na, cert->not_after, !verbose))
		snprintf(na, sizeof na, "?");
	td_tw_put(t, nb);
	td_tw_item(t, " .. ", na, IND_VALUE, TD_TW_RESET);
	int64_t now = (int64_t)(c->start_us / 1000000u);
	if (now > cert->not_after)
		td_tw_item(t, "  ", "(expired at capture time)", IND_VALUE, TD_TW_YELLOW);
	else if (now < cert->not_before)
		td_tw_item(t, "  ", "(not yet valid at capture time)", IND_VALUE, TD_TW_YELLOW);
	td_tw_end(t);

	if (cert->key_type || cert->sig_alg) {
		cert_label(t, "key");
		if (td_out_cert_key(buf, sizeof buf, cert))
			td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
		if (cert->sig_alg) {
			snprintf(buf, sizeof buf, "signature %s", cert->sig_alg);
			td_tw_item(t, ", ", buf, IND_VALUE, TD_TW_RESET);
		}
		td_tw_end(t);
	}

	cert_list(t, "SAN", &cert->san, verbose, false);
	cert_list(t, "usage", &cert->key_usage, verbose, true);
	cert_list(t, "EKU", &cert->ext_key_usage, verbose, false);
	if (verbose) {
		cert_label(t, "serial");
		td_tw_text(t, cert->serial ? cert->serial : "?", TD_TW_RESET, true, IND_VALUE);
		td_tw_end(t);
		cert_label(t, "DER");
		td_tw_printf(t, "%zu bytes", cert->der_len);
		td_tw_end(t);
	}
	cert_hash(t, cert->sha256);
}

static void print_chain(struct td_tw *t, const struct td_conn *c, const struct td_chain *ch,
			const char *who, bool verbose)
{
	td_tw_spaces(t, IND_BLOCK);
	if (ch->n == 0 && ch->dropped == 0) {
		td_tw_printf(t, "%s certificates: ", who);
		/* An empty client Certificate after a request is the classic
		 * mTLS failure: the client had no certificate the server takes. */
		td_tw_text(t, "none sent (empty Certificate)",
			   c->cr.present ? TD_TW_YELLOW : TD_TW_RESET, true, IND_SUB);
		if (ch->encrypted)
			td_tw_item(t, " ", "(decrypted)", IND_SUB, TD_TW_RESET);
		td_tw_end(t);
		return;
	}
	td_tw_printf(t, "%s certificates (%zu)%s", who, ch->n + ch->dropped,
		     ch->encrypted ? " (decrypted)" : "");
	td_tw_end(t);
	for (size_t i = 0; i < ch->n; i++)
		print_cert(t, c, ch->certs[i], i, verbose);
	if (ch->dropped) {
		char buf[96];
		td_tw_spaces(t, IND_SUB);
		snprintf(buf, sizeof buf, "... %zu more certificates not kept (cap %u per chain)",
			 ch->dropped, TD_CAP_CHAIN);
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_SUB + 4);
		td_tw_end(t);
	}
}

/* A line saying why a chain is not shown; nothing when there is no
 * reason to expect one. */
static void print_no_chain(struct td_tw *t, const struct td_conn *c, bool server)
{
	const char *who = server ? "server" : "client";
	const char *why = NULL;
	enum td_tw_color col = TD_TW_RESET;
	if (td_tls_version_is_13(c->version))
		why = "not visible (encrypted in TLS 1.3; a key log would show them)";
	else if (c->sh.present && (c->sh.psk || c->sh.session_id_echo))
		why = "none (resumed session)";
	else if (!server && c->cr.present) {
		why = "no Certificate message seen after the request";
		col = TD_TW_YELLOW;
	} else if (!server && c->sh.present)
		why = "not requested";
	else if (server && c->sh.present)
		why = "none seen";
	if (!why)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_printf(t, "%s certificates: ", who);
	td_tw_text(t, why, col, true, IND_SUB);
	td_tw_end(t);
}

static void print_cert_request(struct td_tw *t, const struct td_conn *c, bool verbose)
{
	const struct td_cert_request *cr = &c->cr;
	if (!cr->present)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_text(t, cr->tls13 ? "certificate request (TLS 1.3)"
		   : "certificate request (TLS 1.2 or older)", TD_TW_RESET, true, IND_SUB);
	td_tw_end(t);
	struct td_tw_items it = td_tw_items_u16(&cr->sig_algs, TD_REG_SIGALG, false);
	list_row(t, verbose, "sig algs", &it);
	if (!cr->tls13 || cr->cert_types.n > 0) {
		it = td_tw_items_u16(&cr->cert_types, TD_REG_CERT_TYPE, false);
		list_row(t, verbose, "cert types", &it);
	}
	td_tw_spaces(t, IND_BLOCK);
	if (cr->ca_names.n == 0 && cr->ca_names.dropped == 0) {
		td_tw_text(t, "acceptable client CAs: none listed (any CA the server trusts)",
			   TD_TW_RESET, true, IND_SUB);
		td_tw_end(t);
		return;
	}
	td_tw_printf(t, "acceptable client CAs (%zu)", cr->ca_names.n + cr->ca_names.dropped);
	td_tw_end(t);
	size_t show = verbose ? cr->ca_names.n : LIST_SHORT;
	for (size_t i = 0; i < cr->ca_names.n && i < show; i++) {
		td_tw_spaces(t, IND_SUB);
		td_tw_text(t, cr->ca_names.v[i], TD_TW_RESET, true, IND_SUB + 2);
		td_tw_end(t);
	}
	if (cr->ca_names.n > show) {
		td_tw_spaces(t, IND_SUB);
		td_tw_printf(t, "... (%zu more)", cr->ca_names.n - show);
		td_tw_end(t);
	}
	if (cr->ca_names.dropped) {
		char buf[96];
		td_tw_spaces(t, IND_SUB);
		snprintf(buf, sizeof buf, "... %zu more names not kept (cap %u)",
			 cr->ca_names.dropped, TD_CAP_CA_NAMES);
		td_tw_text(t, buf, TD_TW_YELLOW, true, IND_SUB + 4);
		td_tw_end(t);
	}
}

static void print_anomalies(struct td_tw *t, const struct td_conn *c)
{
	const struct td_strlist *a = &c->anomalies;
	if (a->n == 0 && a->dropped == 0)
		return;
	td_tw_spaces(t, IND_BLOCK);
	td_tw_printf(t, "anomalies (%zu)", a->n + a->dropped);
	td_tw_end(t);
	for (size_t i = 0; i < a->n; i++) {
		td_tw_spaces(t, IND_SUB);
		td_tw_text(t, a->v[i], TD_TW_YELLOW, true, IND_SUB + 2);
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
	if ((unsigned)c->outcome < 3)
		ts->outcome[c->outcome]++;
	struct drops d = conn_drops(c);
	ts->drops.events += d.events;
	ts->drops.certs += d.certs;
	ts->drops.items += d.items;
	ts->drops.anomalies += d.anomalies;
	ts->drops.bytes += d.bytes;

	print_header(&t, c);
	print_summary(&t, c);
	td_code_counts_add(&ts->codes, c);
	td_text_diagnoses(&t, c, verbose);
	if (!c->ch.present) {
		td_tw_spaces(&t, IND_BLOCK);
		td_tw_text(&t, c->partial
			   ? "no ClientHello seen (the start of the stream was not captured)"
			   : "no ClientHello seen", TD_TW_RESET, true, IND_SUB);
		td_tw_end(&t);
	} else if (verbose) {
		print_hellos_verbose(&t, c);
	} else {
		print_offer(&t, c);
	}
	print_timeline(&t, c);
	if (c->server_chain.present)
		print_chain(&t, c, &c->server_chain, "server", verbose);
	else
		print_no_chain(&t, c, true);
	print_cert_request(&t, c, verbose);
	if (c->client_chain.present)
		print_chain(&t, c, &c->client_chain, "client", verbose);
	else
		print_no_chain(&t, c, false);
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

/* One "label: item, item, ..." line of the summary, items wrapped. */
static void stat_item(struct td_tw *t, uint64_t n, const char *what, enum td_tw_color c)
{
	if (n == 0)
		return;
	char buf[128];
	snprintf(buf, sizeof buf, "%" PRIu64 " %s", n, what);
	td_tw_item(t, ", ", buf, IND_BLOCK, c);
}

static void text_finish(struct td_sink *s, const struct td_stats *st)
{
	struct text_sink *ts = (struct text_sink *)s;
	struct td_tw t;
	td_tw_init(&t, ts->out, ts->opts.color, ts->opts.width);

	td_tw_printf(&t, "%" PRIu64 " TLS connection%s: ", ts->conns, ts->conns == 1 ? "" : "s");
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
	stat_item(&t, st->flows, st->flows == 1 ? "TCP flow" : "TCP flows", TD_TW_RESET);
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
	    st->hs_messages_dropped || drops_any(&ts->drops)) {
		td_tw_put(&t, "dropped by caps: ");
		td_tw_mark(&t);
		stat_item(&t, st->flows_evicted_full, "flows evicted (flow table full)",
			  TD_TW_YELLOW);
		stat_item(&t, st->reasm_cap_dropped, "bytes (per-flow buffer cap)", TD_TW_YELLOW);
		stat_item(&t, st->memory_cap_dropped, "bytes (memory cap)", TD_TW_YELLOW);
		stat_item(&t, st->hs_messages_dropped, "handshake messages (over 256 KiB)",
			  TD_TW_YELLOW);
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
	ts->base.finish = text_finish;
	ts->base.free = text_free;
	return &ts->base;
}
