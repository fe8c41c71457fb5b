/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * details.c - the bottom pane's document for one connection (tui_int.h).
 *
 *   diagnoses
 *     ERROR CLIENT_CERT_UNTRUSTED at client_certificate, the server gave up
 *       The server rejected the client's certificate (unknown_ca).
 *       fix: Use a client certificate issued by ...
 *       why: the client sent 'CN=rogue-client' issued by ...
 *
 *   #1  127.0.0.1:44634 -> 127.0.0.1:8443  SNI tls-server.local
 *   TLS 1.2  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256  21.154 ms
 *   X FAILED
 *   <the ladder, ladder.c>
 *   server certificates (3)
 *     [0] O=LMT Corp,CN=tls-server.local
 *         issuer  O=LMT Corp,CN=intermediateCA ...
 *   acceptable client CAs (1)
 *   client certificates (1)
 *   anomalies
 *
 * The same facts, in the same words, as the text report (text.c,
 * textdiag.c), laid out for any width: text wraps at word boundaries to
 * the pane, names and evidence are never cut.  The document is built
 * once per (row change, width) and scrolled by the loop.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "text.h"
#include "tls_names.h"
#include "tui_int.h"
#include "render.h"

/* One line of text, cut to the pane (doc.c). */
static void add_text(struct td_tui_doc *d, const char *s, enum td_tui_attr a)
{
	td_tui_doc_text(d, s, a);
}

static void blank(struct td_tui_doc *d)
{
	add_text(d, "", TD_TUI_A_NORMAL);
}

/* ---- the connection ------------------------------------------------------- */

/* Microseconds as "12.345 ms". */
static void fmt_ms(char *buf, size_t len, int64_t us)
{
	uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " ms", us < 0 ? "-" : "", mag / 1000u,
		 mag % 1000u);
}

static void header(struct td_tui_doc *d, const struct td_conn *c)
{
	char cli[TD_TUI_ADDR], srv[TD_TUI_ADDR], buf[TD_CAP_STRING + 256], nb[64], ms[40];
	td_addr_format(cli, sizeof cli, &c->client_addr, c->client_port);
	td_addr_format(srv, sizeof srv, &c->server_addr, c->server_port);
	const char *sni = c->ch.present ? c->ch.sni : NULL;
	snprintf(buf, sizeof buf, "#%" PRIu64 "  %s -> %s  SNI %s", c->id, cli, srv,
		 sni ? sni : "(none)");
	td_tui_doc_wrap(d, "", buf, 4, TD_TUI_A_HEAD);

	size_t o = 0;
	buf[0] = '\0';
	o += (size_t)snprintf(buf + o, sizeof buf - o, "%s",
			      c->version ? td_out_code_name(TD_REG_VERSION, c->version, nb, sizeof nb)
					 : "version unknown");
	if (c->cipher && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  %s",
				      td_out_code_name(TD_REG_CIPHER, c->cipher, nb, sizeof nb));
	if (c->sh.present && c->sh.alpn && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  ALPN %s", c->sh.alpn);
	fmt_ms(ms, sizeof ms, td_out_rel_us(c, c->last_us));
	if (o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  %s", ms);
	if (c->sh.present && (c->sh.psk || c->sh.session_id_echo) && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  resumed");
	if (c->partial && o < sizeof buf)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "  partial capture");
	(void)o;
	td_tui_doc_wrap(d, "", buf, 4, TD_TUI_A_NORMAL);
}

static void outcome_line(struct td_tui_doc *d, const struct td_conn *c, bool done)
{
	enum td_tui_state st = td_tui_state_of(c, done);
	enum td_tui_class k = td_tui_class_of(c, st, done);
	char buf[96];
	const char *what = td_tui_state_name(st, false);
	if (done)
		snprintf(buf, sizeof buf, "%c %s", td_tui_class_symbol(k),
			 c->fate.outcome == TD_OUTCOME_ESTABLISHED ? "ESTABLISHED"
			 : c->fate.outcome == TD_OUTCOME_FAILED ? "FAILED" : "INCOMPLETE");
	else
		snprintf(buf, sizeof buf, "%c in progress: %s", td_tui_class_symbol(k), what);
	add_text(d, buf, k == TD_TUI_FAIL ? TD_TUI_A_FAIL : k == TD_TUI_WARN ? TD_TUI_A_WARN
		 : k == TD_TUI_OK ? TD_TUI_A_OK : TD_TUI_A_NORMAL);
}

static enum td_tui_attr sev_attr(enum td_severity s)
{
	return s == TD_SEV_ERROR ? TD_TUI_A_FAIL : s == TD_SEV_WARNING ? TD_TUI_A_WARN
		: TD_TUI_A_DIM;
}

static void diagnoses(struct td_tui_doc *d, const struct td_conn *c, bool done)
{
	add_text(d, "diagnoses", TD_TUI_A_HEAD);
	d->diag_line = (long)d->n - 1;
	if (c->n_diags == 0) {
		add_text(d, done ? "  none: nothing to report" :
			 "  (diagnosed when the handshake is over)", TD_TUI_A_DIM);
		return;
	}
	char buf[256];
	for (size_t i = 0; i < c->n_diags; i++) {
		const struct td_diagnosis *x = &c->diags[i];
		const char *sev = x->severity == TD_SEV_ERROR ? "ERROR" :
			x->severity == TD_SEV_WARNING ? "WARNING" : "INFO";
		if (x->gave_up != TD_PARTY_NOBODY)
			snprintf(buf, sizeof buf, "%s %s at %s, the %s gave up%s", sev, x->code,
				 td_stage_name(x->stage), td_party_name(x->gave_up),
				 x->confidence == TD_CONF_INFERRED ? " (inferred)" : "");
		else
			snprintf(buf, sizeof buf, "%s %s at %s%s", sev, x->code, td_stage_name(x->stage),
				 x->confidence == TD_CONF_INFERRED ? " (inferred)" : "");
		td_tui_doc_wrap(d, "  ", buf, 4, sev_attr(x->severity));
		if (x->summary)
			td_tui_doc_wrap(d, "    ", x->summary, 4, TD_TUI_A_NORMAL);
		if (x->fix)
			td_tui_doc_wrap(d, "    fix: ", x->fix, 9, TD_TUI_A_FIX);
		for (size_t k = 0; k < x->evidence.n; k++)
			td_tui_doc_wrap(d, k == 0 ? "    why: " : "         ", x->evidence.v[k], 9,
					TD_TUI_A_DIM);
		if (x->n_events > 0) {
			size_t o = (size_t)snprintf(buf, sizeof buf, "    see: timeline");
			for (size_t k = 0; k < x->n_events && k < TD_DIAG_EVENTS; k++) {
				size_t ev = x->events[k];
				if (ev >= c->n_events || o >= sizeof buf)
					continue;
				int64_t rel = td_out_rel_us(c, c->events[ev].ts_us);
				uint64_t mag = rel < 0 ? 0 : (uint64_t)rel;
				o += (size_t)snprintf(buf + o, sizeof buf - o, "%s +%" PRIu64 ".%06" PRIu64,
						      k ? "," : "", mag / 1000000u, mag % 1000000u);
			}
			add_text(d, buf, TD_TUI_A_DIM);
		}
	}
}

static void list_line(struct td_tui_doc *d, const char *label, const struct td_strlist *l)
{
	if (l->n == 0)
		return;
	char buf[TD_CAP_STRING * 2];
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < l->n && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ", " : "", l->v[i]);
	td_tui_doc_wrap(d, label, buf, 16, TD_TUI_A_NORMAL);
}

static void cert(struct td_tui_doc *d, const struct td_conn *c, const struct td_cert *x,
		 size_t idx)
{
	char buf[TD_CAP_STRING + 128], a[40], b[40];
	if (!x->parsed) {
		snprintf(buf, sizeof buf, "[%zu] unparsable certificate, %zu B: %s", idx,
			 x->der_len, x->error ? x->error : "unknown error");
		td_tui_doc_wrap(d, "  ", buf, 6, TD_TUI_A_WARN);
		td_tui_doc_wrap(d, "      sha256  ", x->sha256, 16, TD_TUI_A_DIM);
		return;
	}
	char tags[64] = "";
	if (x->self_signed || x->is_ca)
		snprintf(tags, sizeof tags, "  (%s%s%s)", x->self_signed ? "self-signed" : "",
			 x->self_signed && x->is_ca ? ", " : "", x->is_ca ? "CA" : "");
	snprintf(buf, sizeof buf, "[%zu] %s%s", idx, x->subject ? x->subject : "(no subject)",
		 tags);
	td_tui_doc_wrap(d, "  ", buf, 6, TD_TUI_A_NORMAL);
	td_tui_doc_wrap(d, "      issuer  ", x->issuer ? x->issuer : "(none)", 14,
			TD_TUI_A_NORMAL);
	if (!td_out_cert_time(a, sizeof a, x->not_before, true))
		snprintf(a, sizeof a, "?");
	if (!td_out_cert_time(b, sizeof b, x->not_after, true))
		snprintf(b, sizeof b, "?");
	int64_t now = (int64_t)(c->start_us / 1000000u);
	const char *when = now > x->not_after ? "  (expired at capture time)"
		: now < x->not_before ? "  (not yet valid at capture time)" : "";
	snprintf(buf, sizeof buf, "%s .. %s%s", a, b, when);
	td_tui_doc_wrap(d, "      valid   ", buf, 14, when[0] ? TD_TUI_A_WARN : TD_TUI_A_NORMAL);
	char key[96];
	if (td_out_cert_key(key, sizeof key, x) || x->sig_alg) {
		snprintf(buf, sizeof buf, "%s%s%s", key, key[0] && x->sig_alg ? ", signature " : "",
			 x->sig_alg ? x->sig_alg : "");
		td_tui_doc_wrap(d, "      key     ", buf, 14, TD_TUI_A_NORMAL);
	}
	list_line(d, "      SAN     ", &x->san);
	list_line(d, "      EKU     ", &x->ext_key_usage);
	td_tui_doc_wrap(d, "      sha256  ", x->sha256, 14, TD_TUI_A_DIM);
}

static void chain(struct td_tui_doc *d, const struct td_conn *c, const struct td_chain *ch,
		  bool server)
{
	const char *who = server ? "server" : "client";
	char buf[160];
	if (!ch->present) {
		const char *why = NULL;
		if (td_tls_version_is_13(c->version))
			why = "not visible (encrypted in TLS 1.3; a key log would show them)";
		else if (c->sh.present && (c->sh.psk || c->sh.session_id_echo))
			why = "none (resumed session)";
		else if (!server && c->cr.present)
			why = "no Certificate message seen after the request";
		else if (!server && c->sh.present)
			why = "not requested";
		else if (server && c->sh.present)
			why = "none seen";
		if (!why)
			return;
		snprintf(buf, sizeof buf, "%s certificates: %s", who, why);
		td_tui_doc_wrap(d, "", buf, 4, !server && c->cr.present && !td_tls_version_is_13(c->version)
				? TD_TUI_A_WARN : TD_TUI_A_HEAD);
		return;
	}
	if (ch->n == 0 && ch->dropped == 0) {
		snprintf(buf, sizeof buf, "%s certificates: none sent (empty Certificate)%s", who,
			 ch->encrypted ? " (decrypted)" : "");
		td_tui_doc_wrap(d, "", buf, 4, c->cr.present ? TD_TUI_A_WARN : TD_TUI_A_HEAD);
		return;
	}
	snprintf(buf, sizeof buf, "%s certificates (%zu)%s", who, ch->n + ch->dropped,
		 ch->encrypted ? " (decrypted)" : "");
	add_text(d, buf, TD_TUI_A_HEAD);
	for (size_t i = 0; i < ch->n; i++)
		cert(d, c, ch->certs[i], i);
	if (ch->dropped) {
		snprintf(buf, sizeof buf, "  ... %zu more certificates not kept (cap %u per chain)",
			 ch->dropped, TD_CAP_CHAIN);
		add_text(d, buf, TD_TUI_A_WARN);
	}
}

static void cert_request(struct td_tui_doc *d, const struct td_conn *c)
{
	const struct td_cert_request *cr = &c->cr;
	if (!cr->present)
		return;
	char buf[96];
	snprintf(buf, sizeof buf, "certificate request (%s)", cr->tls13 ? "TLS 1.3" : "TLS 1.2 or older");
	add_text(d, buf, TD_TUI_A_HEAD);
	if (cr->ca_names.n == 0 && cr->ca_names.dropped == 0) {
		td_tui_doc_wrap(d, "  ", "acceptable client CAs: none listed (any CA the server "
				"trusts)", 4, TD_TUI_A_NORMAL);
		return;
	}
	snprintf(buf, sizeof buf, "  acceptable client CAs (%zu)", cr->ca_names.n + cr->ca_names.dropped);
	add_text(d, buf, TD_TUI_A_HEAD);
	for (size_t i = 0; i < cr->ca_names.n; i++)
		td_tui_doc_wrap(d, "    ", cr->ca_names.v[i], 6, TD_TUI_A_NORMAL);
	if (cr->ca_names.dropped) {
		snprintf(buf, sizeof buf, "    ... %zu more names not kept (cap %u)",
			 cr->ca_names.dropped, TD_CAP_CA_NAMES);
		add_text(d, buf, TD_TUI_A_WARN);
	}
}

static void anomalies(struct td_tui_doc *d, const struct td_conn *c)
{
	const struct td_anomalies *a = &c->anomalies;
	if (a->n == 0 && a->dropped == 0)
		return;
	char buf[64], msg[TD_ANOMALY_SHOWN];
	snprintf(buf, sizeof buf, "anomalies (%zu)", a->n + a->dropped);
	add_text(d, buf, TD_TUI_A_HEAD);
	for (size_t i = 0; i < a->n; i++) {
		td_anomaly_format(&a->v[i], msg, sizeof msg);
		td_tui_doc_wrap(d, "  ", msg, 4, TD_TUI_A_WARN);
	}
	if (a->dropped) {
		snprintf(buf, sizeof buf, "  ... %zu more not kept (cap %u)", a->dropped,
			 TD_CAP_ANOMALIES);
		add_text(d, buf, TD_TUI_A_WARN);
	}
}

void td_tui_details(struct td_tui_doc *d, const struct td_conn *c, bool done)
{
	/* The diagnoses first: they are what the user opened the pane for,
	 * and the pane's bar already names the connection and its state. */
	diagnoses(d, c, done);
	blank(d);
	header(d, c);
	outcome_line(d, c, done);
	blank(d);
	td_tui_ladder(d, c);
	blank(d);
	chain(d, c, &c->server_chain, true);
	cert_request(d, c);
	chain(d, c, &c->client_chain, false);
	anomalies(d, c);
}
