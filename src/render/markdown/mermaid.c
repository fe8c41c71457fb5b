/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mermaid.c - a connection's timeline as a Mermaid sequence diagram
 * (https://mermaid.js.org/syntax/sequenceDiagram.html), which GitHub and
 * GitLab draw from a ```mermaid block:
 *
 *   sequenceDiagram
 *       autonumber
 *       participant C as Client<br/>127.0.0.1#58;51234
 *       participant S as Server<br/>127.0.0.1#58;8443<br/>tls-server.local
 *       C-->>S: TCP SYN: open a connection (+0.000 ms)
 *       C->>S: ClientHello, 508 bytes (+1.791 ms)
 *       rect rgba(255, 0, 0, 0.18)
 *       S-xC: alert certificate_required (fatal) (+9.575 ms)
 *       Note over C,S: ❌ CLIENT_CERT_MISSING<br/>The server requires ...
 *       end
 *
 * Dashed arrows are TCP events (a cross for a reset), a cross ends an
 * alert, solid arrows are TLS messages.  The root cause's timeline
 * entries (td_diagnosis.events) sit in a red band with a note.
 *
 * Mermaid reads `;` and `#` as syntax (statement end, entity code), `%%`
 * as a comment, `<...>` as HTML, and some words specially; every text is
 * therefore written with everything but letters, digits, blanks and a
 * few harmless signs as a "#NN;" entity code, which Mermaid turns back
 * into the character.  A diagram shows at most TD_MD_ARROWS arrows: the
 * first ones, the last ones and those around the root cause.
 *
 * The file also holds the timeline facts the rest of the report shares
 * (mdw.h): the outcome phrase (from the connection's fate, conn.h),
 * relative times and message names.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "caps.h"
#include "mdw.h"
#include "packet.h"
#include "quic.h"
#include "text.h"
#include "tls_names.h"
#include "render.h"

enum {
	HEAD = 32,       /* first events always drawn */
	TAIL = 8,        /* last events always drawn */
	AROUND = 2,      /* events drawn on each side of a highlighted one */
	LABEL_CP = 110,  /* code points of an arrow's text */
	NAME_CP = 48,    /* code points of a participant line */
	NOTE_CP = 240,   /* code points of the root cause's note */
	NOTE_COLS = 44   /* a note's lines are broken near this width */
};
/* HEAD + TAIL + TD_DIAG_EVENTS * (2 * AROUND + 1) <= TD_MD_ARROWS */
_Static_assert(HEAD + TAIL + TD_DIAG_EVENTS * (2 * AROUND + 1) <= TD_MD_ARROWS,
	       "the arrow cap holds");

/* ---- how a connection ended, and other timeline facts (mdw.h) ---- */

const struct td_diagnosis *td_md_root(const struct td_conn *c)
{
	return c->fate.root < c->n_diags ? &c->diags[c->fate.root] : NULL;
}

void td_md_fate(struct td_md_fate *fa, const struct td_conn *c)
{
	memset(fa, 0, sizeof *fa);
	fa->outcome = c->fate.outcome;
	fa->how = c->fate.how;
	fa->resumed = c->sh.present && (c->sh.psk || c->sh.session_id_echo);
	size_t i = c->fate.end;
	if (i < c->n_events) {
		fa->has_end = true;
		fa->end = c->events[i];
		fa->end.detail = NULL;
	}
}

void td_md_outcome(FILE *f, const struct td_md_fate *fa)
{
	switch (fa->outcome) {
	case TD_OUTCOME_ESTABLISHED:
		fputs(fa->resumed ? "✅ established (resumed session)" : "✅ established", f);
		return;
	case TD_OUTCOME_INCOMPLETE:
		fputs("⚠️ incomplete", f);
		return;
	case TD_OUTCOME_FAILED:
		break;
	}
	fputs("❌ failed", f);
	if (!fa->has_end)
		return;
	const struct td_event *e = &fa->end;
	const char *who = e->dir == TD_DIR_C2S ? "client" : "server";
	char nb[32];
	switch (fa->how) {
	case TD_END_FATAL_ALERT:
		fprintf(f, ": the %s sent the fatal alert ", who);
		td_md_code(f, td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb));
		break;
	case TD_END_ENCRYPTED_ALERT:
	case TD_END_ALERT_SIZED:
		fprintf(f, ": the %s sent an encrypted alert%s", who,
			fa->how == TD_END_ALERT_SIZED ? " (inferred)" : "");
		break;
	case TD_END_RST:
		fprintf(f, ": the %s reset the connection", who);
		break;
	case TD_END_FIN:
		fprintf(f, ": the %s closed the connection", who);
		break;
	default:
		break;
	}
}

void td_md_rel(char *buf, size_t len, int64_t us)
{
	uint64_t mag = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	const char *sign = us < 0 ? "-" : "+";
	if (mag >= 1000000u)
		snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " s", sign, mag / 1000000u,
			 mag % 1000000u / 1000u);
	else
		snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 " ms", sign, mag / 1000u, mag % 1000u);
}

/* ---- escaping ---- */

static bool mm_safe(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr(" .,_+()/'[]=*@!?", ch) != NULL);
}

/* s as Mermaid text, at most max code points ("…" ending a cut one). */
static void mm_put(FILE *f, const char *s, size_t max)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), i = 0, total = 0;
	for (size_t j = 0; j < n; total++) {
		uint32_t cp;
		size_t k = td_text_utf8(p + j, n - j, &cp);
		j += k ? k : 1;
	}
	size_t limit = total > max ? max - 1 : total;
	for (size_t cps = 0; i < n && cps < limit; cps++) {
		uint32_t cp = 0;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		if (k == 0) {
			fputc('?', f);
			i++;
			continue;
		}
		if (td_text_is_control(cp))
			fputc(' ', f);
		else if (k > 1)
			fwrite(p + i, 1, k, f);
		else if (mm_safe((char)cp))
			fputc((int)cp, f);
		else
			fprintf(f, "#%u;", (unsigned)cp);
		i += k;
	}
	if (i < n)
		fputs("…", f);
}

/* s as a note: escaped, lines broken at blanks near NOTE_COLS with <br/>. */
static void mm_note_text(FILE *f, const char *s)
{
	char line[NOTE_COLS * 4 + 64];
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), i = 0;
	bool first = true;
	while (i < n) {
		/* One line: whole words up to NOTE_COLS code points (a longer
		 * word alone). */
		size_t j = i, cols = 0, brk = 0;
		while (j < n) {
			uint32_t cp;
			size_t k = td_text_utf8(p + j, n - j, &cp);
			if (k == 0)
				k = 1;
			if (p[j] == ' ' && cols > 0)
				brk = j;
			if (cols >= NOTE_COLS && brk > i)
				break;
			j += k;
			cols++;
		}
		size_t end = j >= n ? n : brk > i ? brk : j;
		size_t len = end - i < sizeof line - 1 ? end - i : sizeof line - 1;
		memcpy(line, s + i, len);
		line[len] = '\0';
		if (!first)
			fputs("<br/>", f);
		mm_put(f, line, SIZE_MAX);
		first = false;
		i = end;
		while (i < n && p[i] == ' ')
			i++;
	}
}

/* ---- which events are drawn ---- */

struct plan {
	size_t n;                     /* events considered (at most TD_CAP_EVENTS) */
	bool shown[TD_CAP_EVENTS];
	bool hl[TD_CAP_EVENTS];       /* the root cause points at it */
	size_t last_hl;               /* SIZE_MAX: none */
};

static void plan_make(struct plan *pl, const struct td_conn *c)
{
	memset(pl, 0, sizeof *pl);
	pl->n = c->n_events < TD_CAP_EVENTS ? c->n_events : TD_CAP_EVENTS;
	pl->last_hl = SIZE_MAX;
	/* The red band marks where a failure happened (the fate's root
	 * cause, else its end event), nothing on other connections. */
	bool failed = c->fate.outcome == TD_OUTCOME_FAILED;
	const struct td_diagnosis *d = failed ? td_md_root(c) : NULL;
	if (d && d->n_events > 0) {
		for (size_t i = 0; i < d->n_events && i < TD_DIAG_EVENTS; i++)
			if (d->events[i] < pl->n)
				pl->hl[d->events[i]] = true;
	} else if (failed) {
		size_t e = c->fate.end;
		if (e < pl->n)
			pl->hl[e] = true;
	}
	for (size_t i = 0; i < pl->n; i++) {
		if (!pl->hl[i])
			continue;
		pl->last_hl = i;
		size_t lo = i > AROUND ? i - AROUND : 0;
		for (size_t k = lo; k <= i + AROUND && k < pl->n; k++)
			pl->shown[k] = true;
	}
	for (size_t i = 0; i < pl->n; i++)
		if (i < HEAD || i + TAIL >= pl->n)
			pl->shown[i] = true;
}

size_t td_md_mermaid_step(const struct td_conn *c, size_t idx)
{
	struct plan pl;
	plan_make(&pl, c);
	if (idx >= pl.n || !pl.shown[idx])
		return 0;
	size_t step = 0;
	for (size_t i = 0; i <= idx; i++)
		step += pl.shown[i];
	return step;
}

/* ---- one arrow ---- */

static const char *arrow(const struct td_conn *c, const struct td_event *e)
{
	switch (e->kind) {
	case TD_EV_TCP_SYN:
	case TD_EV_TCP_SYNACK:
	case TD_EV_TCP_FIN:
		return "-->>";
	case TD_EV_TCP_RST:
		return "--x";
	case TD_EV_TCP_GAP:
		return "--)";
	case TD_EV_ALERT:
		/* A cross for what ends a handshake: a fatal alert, or one
		 * that cannot be read on a failed connection. */
		if (e->encrypted && !e->decrypted)
			return c->fate.outcome == TD_OUTCOME_FAILED ? "-x" : "->>";
		return e->alert_level == TD_ALERT_LEVEL_FATAL ? "-x" : "->>";
	default:
		return "->>";
	}
}

/* Per direction: a ChangeCipherSpec was sent, and the Finished that
 * follows it was named. */
struct flow_state {
	bool ccs[2], finished[2];
};

static void handshake_label(char *buf, size_t len, const struct td_conn *c,
			    const struct td_event *e)
{
	char name[48], extra[64] = "";
	td_tls_message_name(name, sizeof name, e->hs_type);
	const struct td_chain *ch = e->dir == TD_DIR_C2S ? &c->client_chain : &c->server_chain;
	if (td_tls_is_certificate_msg(e->hs_type) && ch->present) {
		size_t n = ch->n + ch->dropped;
		if (n == 0)
			snprintf(extra, sizeof extra, ": empty, no certificate");
		else
			snprintf(extra, sizeof extra, ": %zu certificate%s", n, n == 1 ? "" : "s");
	} else if (e->hs_type == TD_HS_CERTIFICATE_REQUEST) {
		snprintf(extra, sizeof extra, ": asks for a client certificate");
	}
	snprintf(buf, len, "%s%s, %" PRIu32 " bytes%s", e->decrypted ? "🔓 " : "", name, e->length,
		 extra);
}

static void event_label(char *buf, size_t len, const struct td_conn *c,
			const struct td_event *e, struct flow_state *fs)
{
	char nb[32], lv[32];
	size_t d = e->dir == TD_DIR_C2S ? 0 : 1;
	switch (e->kind) {
	case TD_EV_TCP_SYN:
		snprintf(buf, len, "TCP SYN: open a connection");
		return;
	case TD_EV_TCP_SYNACK:
		snprintf(buf, len, "TCP SYN-ACK: accept it");
		return;
	case TD_EV_TCP_FIN:
		snprintf(buf, len, "TCP FIN: close");
		return;
	case TD_EV_TCP_RST:
		snprintf(buf, len, "TCP RST: abort");
		return;
	case TD_EV_TCP_GAP:
		snprintf(buf, len, "⚠️ %" PRIu32 " bytes not captured", e->length);
		return;
	case TD_EV_HANDSHAKE:
		handshake_label(buf, len, c, e);
		return;
	case TD_EV_CCS:
		fs->ccs[d] = true;
		snprintf(buf, len, "ChangeCipherSpec");
		return;
	case TD_EV_ALERT:
		if (e->encrypted && !e->decrypted) {
			snprintf(buf, len, "🔒 encrypted alert");
			return;
		}
		snprintf(buf, len, "%s%salert %s (%s%s)", e->decrypted ? "🔓 " : "",
			 e->alert_level == TD_ALERT_LEVEL_FATAL ? "❌ " : "",
			 td_tls_name(TD_REG_ALERT, e->alert_desc, nb, sizeof nb),
			 td_tls_name(TD_REG_ALERT_LEVEL, e->alert_level, lv, sizeof lv),
			 e->alert_desc == TD_ALERT_CLOSE_NOTIFY ? ": a normal goodbye" : "");
		return;
	case TD_EV_ENCRYPTED:
		if (e->inferred) {
			/* What its size and position say it holds (infer.h). */
			snprintf(buf, len, "🔒 %s (inferred), %" PRIu32 " bytes", e->inferred,
				 e->length);
			return;
		}
		if (e->content_type == TD_CT_HANDSHAKE && fs->ccs[d] && !fs->finished[d] &&
		    !td_tls_version_is_13(c->version)) {
			/* TLS 1.2 and older: the first handshake record after a
			 * ChangeCipherSpec is that side's Finished (RFC 5246 7.4.9). */
			fs->finished[d] = true;
			snprintf(buf, len, "🔒 Finished (inferred), %" PRIu32 " bytes", e->length);
			return;
		}
		snprintf(buf, len, "🔒 encrypted %srecord, %" PRIu32 " bytes",
			 e->content_type == TD_CT_HANDSHAKE ? "handshake " : "", e->length);
		return;
	case TD_EV_APPDATA:
		snprintf(buf, len, "%s application data, %" PRIu32 " bytes",
			 e->decrypted ? "🔓" : "🔒", e->length);
		return;
	case TD_EV_SSLV2_HELLO:
		snprintf(buf, len, "SSLv2-compatible ClientHello, %" PRIu32 " bytes", e->length);
		return;
	case TD_EV_APPLICATION: {
		/* The words follow as the detail (td_app_describe). */
		char brief[64] = "application";
		if (e->app)
			td_app_brief(e->app, brief, sizeof brief);
		snprintf(buf, len, "🔓 %s%s", e->app && td_app_is_error(e->app) ? "⚠️ " : "", brief);
		return;
	}
	case TD_EV_MALFORMED:
		snprintf(buf, len, "⚠️ malformed: %s", e->detail ? e->detail : "decoding stopped");
		return;
	case TD_EV_QUIC_PACKET:
		snprintf(buf, len, "QUIC %s packet, %" PRIu32 " bytes",
			 td_quic_ptype_label((enum td_quic_ptype)e->quic_type), e->length);
		return;
	case TD_EV_QUIC_CLOSE:
		snprintf(buf, len, "⚠️ QUIC close");  /* the detail follows */
		return;
	case TD_EV_STARTTLS:
		/* A plaintext step before TLS (issue 17); its words follow. */
		snprintf(buf, len, "%s%s", e->content_type == TD_STLS_AFTER ? "⚠️ " : "",
			 c->starttls.proto ? td_starttls_proto_label(c->starttls.proto)
			 : "plaintext");
		return;
	}
	snprintf(buf, len, "event %d", (int)e->kind);
}

/* hl: the root cause points at this event; when it could not be read,
 * what the diagnosis says of it is an inference, and the label says so. */
static void write_arrow(FILE *f, const struct td_conn *c, const struct td_event *e,
			struct flow_state *fs, bool hl)
{
	char label[TD_CAP_STRING + 160], when[32];
	event_label(label, sizeof label, c, e, fs);
	td_md_rel(when, sizeof when, td_out_rel_us(c, e->ts_us));
	bool c2s = e->dir == TD_DIR_C2S;
	fprintf(f, "    %s%s%s: ", c2s ? "C" : "S", arrow(c, e), c2s ? "S" : "C");
	mm_put(f, label, LABEL_CP);
	if (e->detail && e->kind != TD_EV_MALFORMED) {
		fputs(" - ", f);
		mm_put(f, e->detail, LABEL_CP / 2);
	}
	if (hl && (e->kind == TD_EV_ENCRYPTED || (e->kind == TD_EV_ALERT && e->encrypted &&
						  !e->decrypted)))
		fputs(" - meaning inferred, see the note", f);
	fputs(" (", f);
	mm_put(f, when, 32);
	fputs(")\n", f);
}

/* ---- the diagram ---- */

static void participants(FILE *f, const struct td_conn *c)
{
	char a[64];
	td_addr_format(a, sizeof a, &c->client_addr, c->client_port);
	fputs("    participant C as Client<br/>", f);
	mm_put(f, a, NAME_CP);
	fputs("\n    participant S as Server<br/>", f);
	td_addr_format(a, sizeof a, &c->server_addr, c->server_port);
	mm_put(f, a, NAME_CP);
	if (c->ch.present && c->ch.sni) {
		fputs("<br/>", f);
		mm_put(f, c->ch.sni, NAME_CP);
	}
	fputc('\n', f);
}

static void root_note(FILE *f, const struct td_conn *c)
{
	const struct td_diagnosis *d = td_md_root(c);
	char text[NOTE_CP * 4 + 8];
	fputs("    Note over C,S: ", f);
	if (d && d->severity == TD_SEV_ERROR) {
		fputs("❌ ", f);
		mm_put(f, d->code, NOTE_COLS);
		fputs("<br/>", f);
		/* The note's text is cut first, so that the cut never falls
		 * inside an entity code. */
		const uint8_t *p = (const uint8_t *)(d->summary ? d->summary : "");
		size_t n = strlen((const char *)p), i = 0;
		for (size_t cps = 0; i < n && cps < NOTE_CP; cps++) {
			uint32_t cp;
			size_t k = td_text_utf8(p + i, n - i, &cp);
			i += k ? k : 1;
		}
		snprintf(text, sizeof text, "%.*s%s", (int)i, (const char *)p, i < n ? "…" : "");
		mm_note_text(f, text);
	} else {
		fputs("❌ the connection ended here", f);
	}
	fputc('\n', f);
}

static void skipped_note(FILE *f, size_t n)
{
	/* Fixed text: no character Mermaid reads as syntax. */
	fprintf(f, "    Note over C,S: … %zu event%s not drawn (a diagram shows at most %d: the "
		"first, the last and those around the failure)\n", n, n == 1 ? "" : "s",
		TD_MD_ARROWS);
}

void td_md_mermaid(FILE *f, const struct td_conn *c)
{
	struct plan pl;
	struct flow_state fs = { 0 };
	plan_make(&pl, c);
	fputs("```mermaid\nsequenceDiagram\n    autonumber\n", f);
	participants(f, c);
	if (c->partial)
		fputs("    Note over C,S: the capture began after the connection had started\n", f);
	if (c->n_events == 0)
		fputs("    Note over C,S: no packet of this connection was kept\n", f);
	size_t skipped = 0;
	for (size_t i = 0; i < pl.n; i++) {
		const struct td_event *e = &c->events[i];
		if (!pl.shown[i]) {
			/* Keep the inference state right for the events drawn. */
			char scratch[TD_CAP_STRING + 160];
			event_label(scratch, sizeof scratch, c, e, &fs);
			skipped++;
			continue;
		}
		if (skipped) {
			skipped_note(f, skipped);
			skipped = 0;
		}
		bool open = pl.hl[i] && (i == 0 || !pl.hl[i - 1]);
		bool close = pl.hl[i] && (i + 1 == pl.n || !pl.hl[i + 1]);
		if (open)
			fputs("    rect rgba(255, 0, 0, 0.18)\n", f);
		write_arrow(f, c, e, &fs, pl.hl[i]);
		if (close) {
			if (i == pl.last_hl)
				root_note(f, c);
			fputs("    end\n", f);
		}
	}
	if (skipped)
		skipped_note(f, skipped);
	if (c->n_events > pl.n || c->dropped_events > 0)
		fprintf(f, "    Note over C,S: %zu later events not kept (at most %u per "
			"connection)\n", c->n_events - pl.n + c->dropped_events, TD_CAP_EVENTS);
	if (pl.last_hl == SIZE_MAX && c->fate.outcome == TD_OUTCOME_FAILED)
		root_note(f, c);
	fputs("```\n\n", f);
}
