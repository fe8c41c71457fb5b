/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mdconn.c - one connection's section of the Markdown report (mdw.h):
 *
 *   ### Connection N
 *   one line of facts: endpoints, SNI, version, suite, start, duration, outcome
 *   **What happened.**  the story in plain words, built from the model
 *   #### Why it failed and what to do   the diagnoses: summary, fix, evidence
 *   #### The handshake, step by step    the Mermaid diagram (mermaid.c)
 *   #### What each side proposed        offered and chosen parameters
 *   #### Certificates                   each chain as a table; acceptable CAs
 *   #### Anomalies                      and what the caps dropped
 *
 * The plain-words account is for a reader who never heard of TLS: who
 * connected to whom, what was asked, what was shown, who hung up and
 * how.  It states facts only; the diagnoses that follow say why.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "caps.h"
#include "mdw.h"
#include "packet.h"
#include "text.h"
#include "tls_names.h"
#include "render.h"

enum {
	LIST_SHOW = 8,     /* items of a list shown before "N more" */
	CA_SHOW = 32,      /* acceptable CA names listed */
	CLEAR_CP = 80      /* code points of a cleartext answer quoted */
};

static const char *side_name(enum td_dir d)
{
	return d == TD_DIR_C2S ? "client" : "server";
}

static bool event_kind_seen(const struct td_conn *c, enum td_event_kind k, enum td_dir d)
{
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == k && c->events[i].dir == d)
			return true;
	return false;
}

/* The lowest and highest real version the client offered. */
static void offered_range(const struct td_conn *c, uint16_t *lo, uint16_t *hi)
{
	*lo = *hi = 0;
	const struct td_u16list *v = &c->ch.versions;
	for (size_t i = 0; i < v->n; i++) {
		if (td_tls_is_grease(v->v[i]) || !td_tls_lookup(TD_REG_VERSION, v->v[i]))
			continue;
		if (!*lo || v->v[i] < *lo)
			*lo = v->v[i];
		if (v->v[i] > *hi)
			*hi = v->v[i];
	}
	if (!*hi)
		*lo = *hi = c->ch.legacy_version;
}

/* ---- the facts line ---- */

static void facts_line(FILE *f, const struct td_conn *c)
{
	char cli[64], srv[64], nb[40], ts[40];
	td_addr_format(cli, sizeof cli, &c->client_addr, c->client_port);
	td_addr_format(srv, sizeof srv, &c->server_addr, c->server_port);
	fputs("**Client** ", f);
	td_md_text(f, cli);
	fputs(" → **Server** ", f);
	td_md_text(f, srv);
	fputs(" · **SNI** ", f);
	if (c->ch.present && c->ch.sni)
		td_md_code(f, c->ch.sni);
	else
		fputs("none", f);
	if (c->version) {
		fputs(" · ", f);
		td_md_text(f, td_out_code_name(TD_REG_VERSION, c->version, nb, sizeof nb));
	}
	if (c->cipher) {
		fputs(" · ", f);
		td_md_code(f, td_out_code_name(TD_REG_CIPHER, c->cipher, nb, sizeof nb));
	}
	td_text_time(ts, sizeof ts, c->start_us);
	fprintf(f, " · started %s", ts);
	td_md_rel(nb, sizeof nb, td_out_rel_us(c, c->last_us));
	fprintf(f, ", lasted %s", nb + 1);
	if (c->partial)
		fputs(" · ⚠️ the capture began after the connection had started", f);
	fputs(" · ", f);
	struct td_md_fate fa;
	td_md_fate(&fa, c);
	fputs("**", f);
	td_md_outcome(f, &fa);
	fputs("**\n\n", f);
}

/* ---- what happened, in plain words ---- */

/* Returns true when it told how the connection ended (refused). */
static bool story_tcp(FILE *f, const struct td_conn *c, const char *srv)
{
	bool syn = event_kind_seen(c, TD_EV_TCP_SYN, TD_DIR_C2S);
	bool synack = event_kind_seen(c, TD_EV_TCP_SYNACK, TD_DIR_S2C);
	bool srv_rst = event_kind_seen(c, TD_EV_TCP_RST, TD_DIR_S2C);
	char cli[64];
	td_addr_format(cli, sizeof cli, &c->client_addr, c->client_port);
	fputs("The client (", f);
	td_md_text(f, cli);
	fputs(") ", f);
	if (c->partial)
		fputs("was already talking to ", f);
	else
		fputs(syn && !synack ? "tried to connect to " : "connected to ", f);
	fputs("the server (", f);
	td_md_text(f, srv);
	fputs(")", f);
	if (c->partial)
		fputs(" when the capture began", f);
	fputs(". ", f);
	if (syn && !synack && !c->ch.present) {
		if (srv_rst) {
			fputs("The server's machine refused the connection at once (a TCP reset): no "
			      "program was accepting connections on that port. ", f);
			return true;
		}
		fputs("The server never answered. ", f);
	}
	return false;
}

static void story_hello(FILE *f, const struct td_conn *c)
{
	char a[40], b[40];
	if (!c->ch.present) {
		if (c->cleartext[TD_DIR_C2S]) {
			fputs("Instead of starting TLS, the client sent plain text: “", f);
			td_md_text_max(f, c->cleartext[TD_DIR_C2S], CLEAR_CP);
			fputs("”. ", f);
		} else if (event_kind_seen(c, TD_EV_TCP_SYNACK, TD_DIR_S2C)) {
			fputs("No TLS handshake was seen. ", f);
		}
		return;
	}
	fputs("The client then started a TLS handshake (the exchange that sets up encryption) ", f);
	if (c->ch.sni) {
		fputs("for the server name ", f);
		td_md_code(f, c->ch.sni);
	} else {
		fputs("without naming the server it wanted (no SNI)", f);
	}
	uint16_t lo, hi;
	offered_range(c, &lo, &hi);
	if (hi && lo != hi)
		fprintf(f, ", offering versions %s to %s",
			td_out_code_name(TD_REG_VERSION, lo, a, sizeof a),
			td_out_code_name(TD_REG_VERSION, hi, b, sizeof b));
	else if (hi)
		fprintf(f, ", offering %s only", td_out_code_name(TD_REG_VERSION, hi, a, sizeof a));
	fputs(". ", f);
	if (c->cleartext[TD_DIR_S2C]) {
		fputs("The server answered in plain text, not TLS: “", f);
		td_md_text_max(f, c->cleartext[TD_DIR_S2C], CLEAR_CP);
		fputs("”. ", f);
		return;
	}
	if (!c->sh.present) {
		fputs("The server never agreed on how to encrypt (it sent no ServerHello). ", f);
		return;
	}
	if (c->sh.hrr)
		fputs("The server first asked the client to try again with other settings "
		      "(HelloRetryRequest). ", f);
	if (c->version)
		fprintf(f, "The server agreed to use %s",
			td_out_code_name(TD_REG_VERSION, c->version, a, sizeof a));
	else
		fputs("The server answered", f);
	if (c->sh.psk || c->sh.session_id_echo)
		fputs(", resuming an earlier session (so no certificates were needed)", f);
	fputs(". ", f);
	/* TLS 1.3 resumption and 0-RTT, worded as in the text report. */
	char res[320];
	if (td_out_resumption(res, sizeof res, c)) {
		fputs("Resumption: ", f);
		td_md_text_max(f, res, sizeof res);
		fputs(". ", f);
	}
	if (c->sh.ech_retry)
		fputs(TD_OUT_ECH_REJECTED ". ", f);
}

/* The connection ended with something the client sent. */
static bool client_ended(const struct td_conn *c)
{
	return c->fate.by == TD_PARTY_CLIENT;
}

static void story_certs(FILE *f, const struct td_conn *c, const struct td_md_opts *o)
{
	const struct td_chain *sc = &c->server_chain, *cc = &c->client_chain;
	bool tls13 = td_tls_version_is_13(c->version);
	if (sc->present && sc->n > 0 && sc->certs[0]->parsed) {
		fputs("It showed its certificate (its electronic ID card) for ", f);
		td_md_code(f, sc->certs[0]->subject ? sc->certs[0]->subject : "?");
		fputs(", issued by ", f);
		td_md_code(f, sc->certs[0]->issuer ? sc->certs[0]->issuer : "?");
		fputs(". ", f);
	} else if (!sc->present && tls13 && !c->decrypted && c->sh.present &&
		   !(c->sh.psk || c->sh.session_id_echo)) {
		fputs(o->keylog ? "From there TLS 1.3 encrypts the handshake, and the key log holds "
		      "no secret of this connection, so the certificates cannot be read. "
		      : "From there TLS 1.3 encrypts the handshake, so the certificates cannot be "
		      "read without a key log. ", f);
	}
	if (c->cr.present) {
		fputs("The server then asked the client to prove who it is with a certificate of its "
		      "own", f);
		if (c->cr.ca_names.n == 1) {
			fputs(", issued by ", f);
			td_md_code(f, c->cr.ca_names.v[0]);
		} else if (c->cr.ca_names.n > 1) {
			fprintf(f, ", issued by one of %zu certificate authorities (listed below)",
				c->cr.ca_names.n + c->cr.ca_names.dropped);
		} else {
			fputs(" (it named no CA: any one it trusts)", f);
		}
		fputs(". ", f);
		if (cc->present && cc->n == 0 && cc->dropped == 0) {
			fputs("**The client sent none** (an empty certificate message). ", f);
		} else if (cc->present && cc->n > 0) {
			fputs("The client sent ", f);
			td_md_code(f, cc->certs[0]->subject ? cc->certs[0]->subject : "?");
			fputs(", issued by ", f);
			td_md_code(f, cc->certs[0]->issuer ? cc->certs[0]->issuer : "?");
			fputs(". ", f);
		} else if (tls13 && !c->decrypted) {
			fputs("Whether the client sent one cannot be seen without a key log. ", f);
		} else if (!client_ended(c)) {
			/* When the client hung up first, the end of the story says so. */
			fputs("The client sent no certificate message at all. ", f);
		}
	}
}

/* What an alert says, in plain words (RFC 8446 6.2, RFC 5246 7.2).  The
 * sender complains about its peer: "the other side". */
static const char *alert_meaning(uint8_t desc)
{
	switch (desc) {
	case TD_ALERT_CLOSE_NOTIFY: return "a normal goodbye";
	case TD_ALERT_UNEXPECTED_MESSAGE: return "a message came out of order";
	case TD_ALERT_BAD_RECORD_MAC: return "a message failed its integrity check";
	case TD_ALERT_HANDSHAKE_FAILURE:
		return "no acceptable security settings in common (in TLS 1.2 also: a "
			"required client certificate is missing)";
	case TD_ALERT_BAD_CERTIFICATE: return "the other side's certificate was rejected";
	case TD_ALERT_UNSUPPORTED_CERTIFICATE:
		return "the other side's certificate is not of a kind or use it accepts";
	case TD_ALERT_CERTIFICATE_REVOKED: return "the other side's certificate was revoked";
	case TD_ALERT_CERTIFICATE_EXPIRED: return "the other side's certificate is out of date";
	case TD_ALERT_CERTIFICATE_UNKNOWN: return "the other side's certificate was rejected";
	case TD_ALERT_ILLEGAL_PARAMETER: return "a value in a message was wrong";
	case TD_ALERT_UNKNOWN_CA:
		return "the other side's certificate comes from a CA it does not trust";
	case TD_ALERT_ACCESS_DENIED: return "access denied";
	case TD_ALERT_DECODE_ERROR: return "a message could not be decoded";
	case TD_ALERT_DECRYPT_ERROR: return "a signature or key check failed";
	case TD_ALERT_PROTOCOL_VERSION: return "no TLS version in common";
	case TD_ALERT_INSUFFICIENT_SECURITY: return "the other side's settings are too weak";
	case TD_ALERT_INTERNAL_ERROR: return "it hit an internal problem or gave up on its own";
	case TD_ALERT_INAPPROPRIATE_FALLBACK: return "an unwanted downgrade was detected";
	case TD_ALERT_USER_CANCELED: return "the user cancelled";
	case TD_ALERT_MISSING_EXTENSION: return "a required extension is missing";
	case TD_ALERT_UNSUPPORTED_EXTENSION: return "an extension was not expected";
	case TD_ALERT_UNRECOGNIZED_NAME: return "it does not serve the server name asked for";
	case TD_ALERT_UNKNOWN_PSK_IDENTITY: return "it does not know the pre-shared key";
	case TD_ALERT_CERTIFICATE_REQUIRED: return "a certificate was required and none was sent";
	case TD_ALERT_NO_APPLICATION_PROTOCOL: return "no application protocol (ALPN) in common";
	default: return NULL;
	}
}

static void story_end(FILE *f, const struct td_conn *c)
{
	char nb[32], when[32];
	size_t i = c->fate.end;
	if (c->fate.outcome == TD_OUTCOME_ESTABLISHED) {
		fputs("The handshake succeeded: the connection was set up and encrypted", f);
		/* (a client that refused the server has a failed outcome) */
		if (c->fate.quit == TD_QUIT_CLOSED)
			fputs(", then the client closed it without sending anything, as a probe or "
			      "a health check does", f);
		fputs(". ", f);
		return;
	}
	if (i == SIZE_MAX) {
		if (c->fate.outcome == TD_OUTCOME_INCOMPLETE)
			fputs("The capture ends before the handshake did. ", f);
		return;
	}
	const struct td_event *e = &c->events[i];
	td_md_rel(when, sizeof when, td_out_rel_us(c, e->ts_us));
	const char *who = side_name(e->dir);
	switch (c->fate.how) {
	case TD_END_ENCRYPTED_ALERT:
	case TD_END_ALERT_SIZED:
		fprintf(f, "Then the %s sent an encrypted error message (an alert whose reason "
			"cannot be read%s) and the connection ended, %s after it began. ", who,
			c->fate.how == TD_END_ALERT_SIZED ? ", known by its size" : "", when + 1);
		break;
	case TD_END_FATAL_ALERT: {
		const char *meaning = alert_meaning(e->alert_desc);
		fprintf(f, "Then **the %s hung up with the error ", who);
		td_md_code(f, td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb));
		fprintf(f, "** (a fatal alert%s%s), %s after the connection began. ",
			meaning ? ", meaning " : "", meaning ? meaning : "", when + 1);
		break;
	}
	case TD_END_RST:
		fprintf(f, "Then **the %s cut the connection** (a TCP reset), %s after it began. ",
			who, when + 1);
		break;
	case TD_END_FIN:
		fprintf(f, "Then **the %s closed the connection**%s, %s after it began. ", who,
			c->handshake_done ? "" : " before the handshake was over", when + 1);
		break;
	default:
		break;
	}
}

static void what_happened(FILE *f, const struct td_conn *c, const struct td_md_opts *o)
{
	char srv[64];
	td_addr_format(srv, sizeof srv, &c->server_addr, c->server_port);
	fputs("**What happened.** ", f);
	bool ended = story_tcp(f, c, srv);
	story_hello(f, c);
	if (c->sh.present)
		story_certs(f, c, o);
	if (!ended)
		story_end(f, c);
	const struct td_diagnosis *d = td_md_root(c);
	if (d && d->severity == TD_SEV_ERROR && d->summary) {
		fputs("In short: ", f);
		td_md_text(f, d->summary);
	}
	fputs("\n\n", f);
}

/* ---- diagnoses ---- */

static const char *stage_words(enum td_stage s)
{
	switch (s) {
	case TD_STAGE_TCP: return "while connecting (TCP)";
	case TD_STAGE_CLIENT_HELLO: return "at the client's first message (ClientHello)";
	case TD_STAGE_SERVER_HELLO: return "at the server's answer (ServerHello)";
	case TD_STAGE_SERVER_CERTIFICATE: return "at the server's certificate";
	case TD_STAGE_CLIENT_CERTIFICATE: return "at the client's certificate";
	case TD_STAGE_FINISHED: return "at the end of the handshake (Finished)";
	case TD_STAGE_STARTTLS: return "before TLS, in the plaintext upgrade (STARTTLS)";
	case TD_STAGE_AFTER_HANDSHAKE: break;
	}
	return "after the handshake";
}

static void diag_full(FILE *f, const struct td_conn *c, const struct td_diagnosis *d)
{
	fputs(d->severity == TD_SEV_ERROR ? "**❌ " : d->severity == TD_SEV_WARNING ? "**⚠️ "
	      : "**ℹ️ ", f);
	td_md_code(f, d->code);
	fprintf(f, "** (%s) — found %s", td_severity_name(d->severity), stage_words(d->stage));
	if (d->gave_up != TD_PARTY_NOBODY)
		fprintf(f, "; the %s gave up", td_party_name(d->gave_up));
	if (d->confidence == TD_CONF_INFERRED)
		fputs(" (inferred from record sizes and order)", f);
	fputs(".\n\n", f);
	td_md_text_start(f, d->summary ? d->summary : "");
	fputs("\n\n", f);
	if (d->fix) {
		fputs("**What to do:** ", f);
		td_md_text(f, d->fix);
		fputs("\n\n", f);
	}
	if (d->evidence.n == 0 && d->n_events == 0)
		return;
	fputs("Evidence:\n\n", f);
	for (size_t i = 0; i < d->evidence.n; i++) {
		fputs("- ", f);
		td_md_text_start(f, d->evidence.v[i]);
		fputc('\n', f);
	}
	if (d->n_events > 0) {
		fputs("- in the diagram: ", f);
		for (size_t i = 0; i < d->n_events && i < TD_DIAG_EVENTS; i++) {
			size_t idx = d->events[i];
			if (i)
				fputs(", ", f);
			if (idx >= c->n_events) {
				fputs("an event not kept", f);
				continue;
			}
			char when[32];
			td_md_rel(when, sizeof when, td_out_rel_us(c, c->events[idx].ts_us));
			size_t step = td_md_mermaid_step(c, idx);
			if (step)
				fprintf(f, "step %zu (%s)", step, when);
			else
				fprintf(f, "%s (not drawn)", when);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void diagnoses(FILE *f, const struct td_conn *c)
{
	bool fail = c->fate.outcome == TD_OUTCOME_FAILED;
	fputs(fail ? "#### Why it failed and what to do\n\n" : "#### Diagnosis\n\n", f);
	if (c->n_diags == 0) {
		fputs(fail ? "No rule explains this failure; the diagram shows where it stopped.\n\n"
		      : "Nothing to report: no rule found a problem.\n\n", f);
		return;
	}
	size_t brief = 0;
	for (size_t i = 0; i < c->n_diags; i++) {
		const struct td_diagnosis *d = &c->diags[i];
		if (d->severity == TD_SEV_ERROR || !fail)
			diag_full(f, c, d);
		else
			brief++;
	}
	if (brief == 0)
		return;
	fputs("Also noted:\n\n", f);
	for (size_t i = 0; i < c->n_diags; i++) {
		const struct td_diagnosis *d = &c->diags[i];
		if (d->severity == TD_SEV_ERROR)
			continue;
		fputs(d->severity == TD_SEV_WARNING ? "- ⚠️ " : "- ℹ️ ", f);
		td_md_code(f, d->code);
		fprintf(f, " (%s): ", td_severity_name(d->severity));
		td_md_text(f, d->summary ? d->summary : "");
		if (d->fix) {
			fputs(" *What to do:* ", f);
			td_md_text(f, d->fix);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

/* ---- what each side proposed ---- */

/* At most LIST_SHOW names of l (GREASE left out), then "N more". */
static void u16_cell(struct td_md_table *t, const struct td_u16list *l, enum td_tls_registry reg)
{
	if (!td_md_cell(t))
		return;
	size_t shown = 0, total = l->dropped;
	char nb[48];
	for (size_t i = 0; i < l->n; i++) {
		if (td_tls_is_grease(l->v[i]))
			continue;
		total++;
		if (shown == LIST_SHOW)
			continue;
		fputs(shown ? ", " : "", t->f);
		if (reg == TD_REG_VERSION)
			td_md_text(t->f, td_tls_name(reg, l->v[i], nb, sizeof nb));
		else  /* IANA names: TLS_AES_128_GCM_SHA256 reads better as code */
			td_md_code(t->f, td_tls_name(reg, l->v[i], nb, sizeof nb));
		shown++;
	}
	if (total > shown)
		fprintf(t->f, "%s%zu more", shown ? ", " : "", total - shown);
	if (total == 0)
		fputs("—", t->f);
}

static void str_cell(struct td_md_table *t, const struct td_strlist *l)
{
	if (!td_md_cell(t))
		return;
	size_t shown = 0;
	for (size_t i = 0; i < l->n && shown < LIST_SHOW; i++, shown++) {
		fputs(shown ? ", " : "", t->f);
		td_md_code(t->f, l->v[i]);
	}
	if (l->n + l->dropped > shown)
		fprintf(t->f, "%s%zu more", shown ? ", " : "", l->n + l->dropped - shown);
	if (l->n + l->dropped == 0)
		fputs("—", t->f);
}

static void name_cell(struct td_md_table *t, enum td_tls_registry reg, uint16_t v, bool known)
{
	char nb[48];
	if (known && v && reg == TD_REG_VERSION)
		td_md_cell_text(t, td_out_code_name(reg, v, nb, sizeof nb));
	else if (known && v)
		td_md_cell_code(t, td_out_code_name(reg, v, nb, sizeof nb));
	else
		td_md_cell_text(t, "—");
}

static void negotiation(FILE *f, const struct td_conn *c)
{
	static const char *const head[] = { "Parameter", "Client offered", "Server chose" };
	if (!c->ch.present)
		return;
	const struct td_client_hello *ch = &c->ch;
	const struct td_server_hello *sh = &c->sh;
	fputs("#### What each side proposed\n\n", f);
	struct td_md_table t;
	td_md_table_begin(&t, f, head, "lll", 3);

	td_md_row_begin(&t);
	td_md_cell_text(&t, "Version");
	if (ch->versions.n)
		u16_cell(&t, &ch->versions, TD_REG_VERSION);
	else
		name_cell(&t, TD_REG_VERSION, ch->legacy_version, true);
	name_cell(&t, TD_REG_VERSION, c->version, sh->present);
	td_md_row_end(&t);

	td_md_row_begin(&t);
	td_md_cell_text(&t, "Cipher suite");
	u16_cell(&t, &ch->suites, TD_REG_CIPHER);
	name_cell(&t, TD_REG_CIPHER, c->cipher, sh->present);
	td_md_row_end(&t);

	td_md_row_begin(&t);
	td_md_cell_text(&t, "Key exchange group");
	u16_cell(&t, &ch->groups, TD_REG_GROUP);
	name_cell(&t, TD_REG_GROUP, sh->key_share_group ? sh->key_share_group : c->ske_group,
		  true);
	td_md_row_end(&t);

	td_md_row_begin(&t);
	td_md_cell_text(&t, "Application protocol (ALPN)");
	str_cell(&t, &ch->alpn);
	if (sh->present && sh->alpn)
		td_md_cell_code(&t, sh->alpn);
	else
		td_md_cell_text(&t, "—");
	td_md_row_end(&t);
	td_md_table_end(&t);
}

/* ---- certificates ---- */

static const char *const chain_head[] = {
	"#", "Subject", "Issuer", "Valid (UTC)", "Names (SAN)", "Key", "Usage (EKU)", "SHA-256"
};

static void cert_row(struct td_md_table *t, const struct td_conn *c, const struct td_cert *ct,
		     size_t idx)
{
	FILE *f = t->f;
	td_md_row_begin(t);
	if (td_md_cell(t)) {
		fprintf(f, "%zu", idx);
		if (ct->parsed && (ct->self_signed || ct->is_ca))
			fputs(ct->self_signed ? " root CA" : " CA", f);
	}
	if (!ct->parsed) {
		if (td_md_cell(t)) {
			fprintf(f, "unreadable certificate (%zu bytes): ", ct->der_len);
			td_md_text(f, ct->error ? ct->error : "unknown error");
		}
		for (size_t i = 0; i < 5; i++)
			td_md_cell_text(t, "—");
		td_md_cell_code(t, ct->sha256);
		td_md_row_end(t);
		return;
	}
	td_md_cell_code(t, ct->subject ? ct->subject : "—");
	td_md_cell_code(t, ct->issuer ? ct->issuer : "—");
	if (td_md_cell(t)) {
		char nb[32], na[32];
		if (!td_out_cert_time(nb, sizeof nb, ct->not_before, true))
			snprintf(nb, sizeof nb, "?");
		if (!td_out_cert_time(na, sizeof na, ct->not_after, true))
			snprintf(na, sizeof na, "?");
		fprintf(f, "%s → %s", nb, na);
		int64_t now = (int64_t)(c->start_us / 1000000u);
		if (now > ct->not_after)
			fputs(" ⚠️ expired at capture time", f);
		else if (now < ct->not_before)
			fputs(" ⚠️ not yet valid at capture time", f);
	}
	str_cell(t, &ct->san);
	if (td_md_cell(t)) {
		char kb[96];
		if (td_out_cert_key(kb, sizeof kb, ct))
			td_md_text(f, kb);
		else
			fputs("—", f);
		if (ct->sig_alg) {
			fputs(", signed with ", f);
			td_md_text(f, ct->sig_alg);
		}
	}
	str_cell(t, &ct->ext_key_usage);
	td_md_cell_code(t, ct->sha256);
	td_md_row_end(t);
}

/* Why a chain is not shown (the text report's reasons). */
static const char *no_chain_reason(const struct td_conn *c, bool server,
				   const struct td_md_opts *o)
{
	if (td_tls_version_is_13(c->version) && !c->decrypted)
		return o->keylog ? "not visible: TLS 1.3 encrypts it and the key log holds no "
				   "secret of this connection"
				 : "not visible: TLS 1.3 encrypts it (run tlsdiag with `-k` and the "
				   "client's key log to see it)";
	if (c->sh.present && (c->sh.psk || c->sh.session_id_echo))
		return "none (resumed session)";
	if (!server && c->cr.present)
		return "**no certificate message seen after the server's request**";
	if (!server && c->sh.present)
		return "not requested by the server";
	if (server && c->sh.present)
		return "none seen";
	return NULL;
}

static void chain(FILE *f, const struct td_conn *c, const struct td_chain *ch, bool server,
		  const struct td_md_opts *o)
{
	const char *who = server ? "Server" : "Client";
	if (!ch->present) {
		const char *why = no_chain_reason(c, server, o);
		if (why)
			fprintf(f, "**%s certificate chain:** %s.\n\n", who, why);
		return;
	}
	if (ch->n == 0 && ch->dropped == 0) {
		const char *how = ch->encrypted ? ", decrypted with the key log" : "";
		if (server)
			fprintf(f, "**Server certificate chain:** empty%s%s%s.\n\n",
				how[0] ? " (" : "", how[0] ? how + 2 : "", how[0] ? ")" : "");
		else
			fprintf(f, "**Client certificate chain:** **none sent** (the client answered "
				"with an empty certificate message%s).\n\n", how);
		return;
	}
	fprintf(f, "**%s certificate chain** (%zu certificate%s, in the order sent: the %s's own "
		"first%s):\n\n", who, ch->n + ch->dropped, ch->n + ch->dropped == 1 ? "" : "s",
		server ? "server" : "client", ch->encrypted ? "; decrypted with the key log" : "");
	struct td_md_table t;
	td_md_table_begin(&t, f, chain_head, "rlllllll",
			  sizeof chain_head / sizeof chain_head[0]);
	for (size_t i = 0; i < ch->n; i++)
		cert_row(&t, c, ch->certs[i], i);
	td_md_table_end(&t);
	if (ch->dropped)
		fprintf(f, "*%zu more certificates not kept (at most %u per chain).*\n\n", ch->dropped,
			TD_CAP_CHAIN);
}

static void acceptable_cas(FILE *f, const struct td_conn *c)
{
	static const char *const head[] = { "#", "Acceptable CA (distinguished name)" };
	const struct td_strlist *l = &c->cr.ca_names;
	if (!c->cr.present)
		return;
	if (l->n == 0 && l->dropped == 0) {
		fputs("**Acceptable client CAs:** the server listed none (it takes a client "
		      "certificate from any CA it trusts).\n\n", f);
		return;
	}
	fprintf(f, "**Acceptable client CAs** (%zu): the client's certificate must be issued by "
		"one of these.\n\n", l->n + l->dropped);
	struct td_md_table t;
	td_md_table_begin(&t, f, head, "rl", 2);
	for (size_t i = 0; i < l->n && i < CA_SHOW; i++) {
		td_md_row_begin(&t);
		td_md_cell_textf(&t, "%zu", i + 1);
		td_md_cell_code(&t, l->v[i]);
		td_md_row_end(&t);
	}
	td_md_table_end(&t);
	if (l->n > CA_SHOW)
		fprintf(f, "*%zu more names not listed here.*\n\n", l->n - CA_SHOW);
	if (l->dropped)
		fprintf(f, "*%zu more names not kept (at most %u).*\n\n", l->dropped, TD_CAP_CA_NAMES);
}

static void certificates(FILE *f, const struct td_conn *c, const struct td_md_opts *o)
{
	if (!c->sh.present && !c->server_chain.present)
		return;
	fputs("#### Certificates\n\n", f);
	chain(f, c, &c->server_chain, true, o);
	acceptable_cas(f, c);
	chain(f, c, &c->client_chain, false, o);
}

static void anomalies(FILE *f, const struct td_conn *c)
{
	const struct td_anomalies *a = &c->anomalies;
	char msg[TD_ANOMALY_SHOWN];
	uint64_t drop_bytes = c->side[0].cap_dropped + c->side[1].cap_dropped;
	if (a->n == 0 && a->dropped == 0 && c->dropped_events == 0 && drop_bytes == 0)
		return;
	fputs("#### Anomalies\n\n", f);
	for (size_t i = 0; i < a->n; i++) {
		fputs("- ", f);
		td_anomaly_format(&a->v[i], msg, sizeof msg);
		td_md_text_start(f, msg);
		fputc('\n', f);
	}
	if (a->dropped)
		fprintf(f, "- %zu more anomalies not kept (at most %u)\n", a->dropped,
			TD_CAP_ANOMALIES);
	if (c->dropped_events)
		fprintf(f, "- %zu later timeline events not kept (at most %u per connection)\n",
			c->dropped_events, TD_CAP_EVENTS);
	if (drop_bytes)
		fprintf(f, "- %" PRIu64 " stream bytes dropped by the buffer caps\n", drop_bytes);
	fputc('\n', f);
}

void td_md_conn_section(FILE *f, const struct td_conn *c, const struct td_md_opts *o)
{
	static const struct td_md_opts none;
	if (!o)
		o = &none;
	fprintf(f, "### Connection %" PRIu64 "\n\n", c->id);
	facts_line(f, c);
	what_happened(f, c, o);
	diagnoses(f, c);
	fputs("#### The handshake, step by step\n\n", f);
	td_md_mermaid(f, c);
	fputs("Read it top to bottom: each arrow is one message, with its time since the first "
	      "packet. Dashed arrows are TCP (the connection itself); 🔒 marks a message that was "
	      "encrypted and could not be read, 🔓 one decrypted with the key log; a "
	      "red band and ❌ mark where it failed.\n\n", f);
	negotiation(f, c);
	certificates(f, c, o);
	anomalies(f, c);
}
