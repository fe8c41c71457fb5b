/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * markdown.c - the bug report (-o markdown): a self-contained Markdown
 * document meant to be pasted into a GitHub or GitLab issue.
 *
 *   # TLS connection report
 *   - capture file, size, SHA-256; time range; filter; key log; trust stores
 *   <details> New to TLS? </details>
 *   ## Summary            one table row per connection, failures first
 *   ## In short           each failure's root cause and fix, in a line or two
 *   ## Failed connections one section per failure (mdconn.c, mermaid.c)
 *   ## Other connections  with --all only
 *   ## Capture statistics
 *
 * Memory stays bounded whatever the capture holds: each connection's
 * section is written, as soon as the connection is done, to one of two
 * temporary files (failures, the rest), and only a small summary row is
 * kept in memory, at most MD_ROWS rows (further ones are counted and the
 * report says so).  finish() writes the header and the table, then
 * copies the two spools.  Every string goes through mdw.c's escaping,
 * every table through its table writer (mdw.h).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "mdw.h"
#include "out.h"
#include "packet.h"
#include "sink.h"
#include "text.h"
#include "tls_names.h"
#include "render.h"

/*
 * The report's own limits.  They bound what the input (the number of
 * connections) can make the report keep; every one is counted and
 * reported when reached.  (Report limits rather than decoder caps, so
 * they live here; caps.h holds the decoder's.)
 */
enum {
	MD_ROWS = 2000,         /* summary rows kept (failures evict the others first) */
	MD_DETAILS = 200,       /* detailed sections per group (failures, others) */
	MD_ROW_CODES = 4,       /* diagnosis codes shown per row */
	MD_BRIEFS = 10,         /* failures summed up in "In short" */
	MD_SNI_CP = 64          /* code points of the SNI shown in the table */
};

/* ---- summary rows ---- */

struct md_row {
	uint64_t id;
	uint64_t start_us;
	char client[64], server[64];   /* td_addr_format: at least 48 */
	char sni[MD_SNI_CP * 4 + 8];   /* cut copy; "" when none */
	uint16_t version;
	bool detailed;                 /* has a section to link to */
	struct td_md_fate fate;
	const char *codes[MD_ROW_CODES]; /* static strings of the rules table */
	enum td_severity sev[MD_ROW_CODES];
	size_t n_diags;
};

struct md_rows {
	struct md_row *v;
	size_t n, alloc;
};

/* Copy s into buf, cut to max code points with "…" (buf: 4 * max + 4). */
static void cut_copy(char *buf, size_t len, const char *s, size_t max)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s), i = 0;
	for (size_t cps = 0; i < n && cps < max; cps++) {
		uint32_t cp;
		size_t k = td_text_utf8(p + i, n - i, &cp);
		i += k ? k : 1;
	}
	snprintf(buf, len, "%.*s%s", (int)i, s, i < n ? "…" : "");
}

static void row_fill(struct md_row *r, const struct td_conn *c, bool detailed)
{
	memset(r, 0, sizeof *r);
	r->id = c->id;
	r->start_us = c->start_us;
	td_addr_format(r->client, sizeof r->client, &c->client_addr, c->client_port);
	td_addr_format(r->server, sizeof r->server, &c->server_addr, c->server_port);
	if (c->ch.present && c->ch.sni)
		cut_copy(r->sni, sizeof r->sni, c->ch.sni, MD_SNI_CP);
	r->version = c->version;
	r->detailed = detailed;
	td_md_fate(&r->fate, c);
	r->n_diags = c->n_diags;
	for (size_t i = 0; i < c->n_diags && i < MD_ROW_CODES; i++) {
		r->codes[i] = c->diags[i].code;
		r->sev[i] = c->diags[i].severity;
	}
}

/* Room for one more row; false when memory runs out. */
static bool rows_grow(struct md_rows *rs)
{
	if (rs->n < rs->alloc)
		return true;
	size_t na = rs->alloc ? rs->alloc * 2 : 16;
	if (na > MD_ROWS)
		na = MD_ROWS;
	if (na <= rs->alloc)
		return false;
	struct md_row *nv = realloc(rs->v, na * sizeof *nv);
	if (!nv)
		return false;
	rs->v = nv;
	rs->alloc = na;
	return true;
}

/* ---- the sink ---- */

struct md_spool {
	FILE *f;             /* tmpfile(), NULL until the first section */
	uint64_t n;          /* sections written */
	uint64_t dropped;    /* sections left out (MD_DETAILS) */
};

/* A failure's root cause and fix, for "In short" (owned copies). */
struct md_brief {
	uint64_t id;
	const char *code;     /* static, or NULL: no diagnosis */
	char *summary, *fix;  /* owned, may be NULL */
};

struct md_sink {
	struct td_sink base;         /* first: the engine holds a pointer to it */
	FILE *out;                   /* borrowed */
	struct td_md_opts opts;      /* its strings are borrowed */
	struct md_rows rows[2];      /* [0] failures, [1] the others */
	uint64_t rows_dropped;
	struct md_spool spool[2];
	int spool_errno;             /* tmpfile() failed: details unavailable */
	uint64_t conns, failures;
	uint64_t outcome[3];         /* by enum td_outcome */
	uint64_t first_us, last_us;  /* over the connections */
	struct td_code_counts codes;
	uint64_t dropped_events, dropped_certs, dropped_items, dropped_anomalies;
	struct md_brief briefs[MD_BRIEFS];
	size_t n_briefs;
};

static void add_row(struct md_sink *ms, size_t k, const struct td_conn *c, bool detailed)
{
	if (ms->rows[0].n + ms->rows[1].n >= MD_ROWS) {
		/* Full: a failure takes the place of the latest other row. */
		if (k == 0 && ms->rows[1].n > 0) {
			ms->rows[1].n--;
		} else {
			ms->rows_dropped++;
			return;
		}
		ms->rows_dropped++;
	}
	if (!rows_grow(&ms->rows[k])) {
		ms->rows_dropped++;
		return;
	}
	row_fill(&ms->rows[k].v[ms->rows[k].n++], c, detailed);
}

/* Copies of the root cause's words; a copy that fails is left out. */
static void brief_fill(struct md_brief *b, const struct td_conn *c)
{
	const struct td_diagnosis *d = td_md_root(c);
	b->id = c->id;
	b->code = d ? d->code : NULL;
	b->summary = d && d->summary ? strdup(d->summary) : NULL;
	b->fix = d && d->fix ? strdup(d->fix) : NULL;
}

/* "## In short": each failure's root cause and fix, for a reader who
 * stops at the top. */
static void write_briefs(FILE *f, const struct md_brief *b, size_t n, uint64_t failures)
{
	if (n == 0)
		return;
	fputs("## In short\n\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "- **[Connection %" PRIu64 "](#connection-%" PRIu64 ")", b[i].id, b[i].id);
		if (b[i].code) {
			fputs(" (", f);
			td_md_code(f, b[i].code);
			fputc(')', f);
		}
		fputs(":** ", f);
		td_md_text(f, b[i].summary ? b[i].summary : "failed; its section shows where.");
		if (b[i].fix) {
			fputs("\\\n  **What to do:** ", f);
			td_md_text(f, b[i].fix);
		}
		fputc('\n', f);
	}
	if (failures > n)
		fprintf(f, "- ... and %" PRIu64 " more failed connection%s (see the table).\n",
			failures - n, failures - n == 1 ? "" : "s");
	fputc('\n', f);
}

static bool spool_open(struct md_sink *ms, size_t k)
{
	if (ms->spool[k].f)
		return true;
	if (ms->spool_errno)
		return false;
	ms->spool[k].f = tmpfile();
	if (!ms->spool[k].f) {
		ms->spool_errno = errno ? errno : EIO;
		return false;
	}
	return true;
}

static void md_conn_done(struct td_sink *s, const struct td_conn *c)
{
	struct md_sink *ms = (struct md_sink *)s;
	bool fail = c->fate.outcome == TD_OUTCOME_FAILED;
	size_t k = fail ? 0 : 1;
	ms->conns++;
	ms->failures += fail;
	if ((unsigned)c->fate.outcome < 3)
		ms->outcome[c->fate.outcome]++;
	if (ms->conns == 1 || c->start_us < ms->first_us)
		ms->first_us = c->start_us;
	if (c->last_us > ms->last_us)
		ms->last_us = c->last_us;
	td_code_counts_add(&ms->codes, c);
	ms->dropped_events += c->dropped_events;
	ms->dropped_certs += c->server_chain.dropped + c->client_chain.dropped;
	ms->dropped_items += td_out_list_dropped(c);
	ms->dropped_anomalies += c->anomalies.dropped;

	bool detailed = false;
	if (fail || ms->opts.all) {
		if (ms->spool[k].n >= MD_DETAILS) {
			ms->spool[k].dropped++;
		} else if (spool_open(ms, k)) {
			td_md_conn_section(ms->spool[k].f, c, &ms->opts);
			ms->spool[k].n++;
			detailed = true;
		} else {
			ms->spool[k].dropped++;
		}
	}
	add_row(ms, k, c, detailed);
	if (fail && ms->n_briefs < MD_BRIEFS)
		brief_fill(&ms->briefs[ms->n_briefs++], c);
}

/* ---- header ---- */

/* "12.345 ms" or "3.250 s" for a span of microseconds. */
static void span_text(char *buf, size_t len, uint64_t us)
{
	if (us >= 1000000u)
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " s", us / 1000000u, us % 1000000u / 1000u);
	else
		snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 " ms", us / 1000u, us % 1000u);
}

static void write_header(FILE *f, const struct td_md_opts *o, uint64_t first_us,
			 uint64_t last_us, bool have_time, const char *note)
{
	fputs("# TLS connection report\n\n", f);
	fputs("Written by tlsdiag", f);
	if (o->version) {
		fputc(' ', f);
		td_md_text(f, o->version);
	}
	fputs(", a passive TLS analyzer, from the network traffic captured below. "
	      "The summary lists every connection, failures first; each failed connection then "
	      "has an account in plain words, what to do, a diagram of the exchange and the "
	      "certificates.\n\n", f);

	if (o->live) {
		fputs("- **Live capture on:** ", f);
		td_md_code(f, o->capture_name ? o->capture_name : "?");
	} else {
		fputs("- **Capture file:** ", f);
		if (!o->capture_name || strcmp(o->capture_name, "-") == 0)
			fputs("standard input", f);
		else
			td_md_code(f, o->capture_name);
		if (o->capture_size)
			fprintf(f, ", %" PRIu64 " bytes", o->capture_size);
		if (o->capture_sha256) {
			fputs(", SHA-256 ", f);
			td_md_code(f, o->capture_sha256);
		}
	}
	fputc('\n', f);
	fputs("- **Time (UTC):** ", f);
	if (have_time) {
		char a[40], b[40], sp[32];
		td_text_time(a, sizeof a, first_us);
		td_text_time(b, sizeof b, last_us);
		span_text(sp, sizeof sp, last_us >= first_us ? last_us - first_us : 0);
		fprintf(f, "%s to %s (%s)\n", a, b, sp);
	} else {
		fputs("no packet analysed\n", f);
	}
	fputs("- **Filter:** ", f);
	if (o->filter && o->filter[0])
		td_md_code(f, o->filter);
	else
		fputs("none (all TCP traffic)", f);
	fputs("\n- **Key log:** ", f);
	if (o->keylog) {
		td_md_code(f, o->keylog);
		fputs(" (the handshakes whose secrets it holds are decrypted)", f);
	} else {
		fputs("none (what is encrypted stays hidden: in TLS 1.3, the certificates, the "
		      "client certificate request and the alerts)", f);
	}
	fputs("\n- **Trust store for server certificates:** ", f);
	if (!o->trust_store || !o->trust_store[0] || strcmp(o->trust_store, "none") == 0)
		fputs("none (server chains are not validated)", f);
	else if (strcmp(o->trust_store, "system bundle") == 0)
		fputs("the system bundle", f);
	else
		td_md_code(f, o->trust_store);
	fputs("\n- **Trust store for client certificates:** ", f);
	if (o->client_trust_store && o->client_trust_store[0])
		td_md_code(f, o->client_trust_store);
	else
		fputs("none (client chains are not validated)", f);
	fputc('\n', f);
	if (note) {
		fputs("- **Note:** ", f);
		td_md_text(f, note);
		fputc('\n', f);
	}
	fputc('\n', f);

	fputs("<details>\n<summary>New to TLS? Read this first.</summary>\n\n"
	      "- **TLS** is the encryption behind `https://` and many other protocols. Before any "
	      "data flows, the two programs run a *handshake*: they agree on how to encrypt, and "
	      "check each other's identity. When the handshake fails, nothing is exchanged.\n"
	      "- The **client** is the program that opens the connection (a browser, `curl`, an "
	      "application); the **server** is the program that answers.\n"
	      "- A **certificate** is an electronic ID card: a name, a public key and validity "
	      "dates, signed by a **certificate authority (CA)**. A side accepts the other's "
	      "certificate only when it was issued, directly or through intermediate CAs (the "
	      "*chain*), by a CA in its **trust store**, names the right server, and is in date.\n"
	      "- In **mutual TLS** the server also asks the client for a certificate, and says "
	      "which CAs it accepts.\n"
	      "- An **alert** is the error message a side sends before it hangs up; its name "
	      "(`certificate_required`, `unknown_ca`...) says what went wrong.\n"
	      "- The **SNI** is the server name the client asked for.\n"
	      "- A **key log** holds the session secrets some clients can write; with it, parts "
	      "that TLS 1.3 encrypts can be read.\n"
	      "\n</details>\n\n", f);
}

/* ---- the summary table ---- */

static void row_time(char *buf, size_t len, uint64_t us, bool with_date)
{
	char ts[40];
	td_text_time(ts, sizeof ts, us);  /* 2026-11-27T05:18:03.461556Z */
	if (strlen(ts) < 23) {
		snprintf(buf, len, "%s", ts);
		return;
	}
	if (with_date)
		snprintf(buf, len, "%.10s %.12s", ts, ts + 11);
	else
		snprintf(buf, len, "%.12s", ts + 11);
}

static void write_row(struct td_md_table *t, const struct md_row *r, bool with_date)
{
	FILE *f = t->f;
	char buf[64];
	td_md_row_begin(t);
	if (td_md_cell(t)) {
		if (r->detailed)
			fprintf(f, "[%" PRIu64 "](#connection-%" PRIu64 ")", r->id, r->id);
		else
			fprintf(f, "%" PRIu64, r->id);
	}
	row_time(buf, sizeof buf, r->start_us, with_date);
	td_md_cell_text(t, buf);
	if (td_md_cell(t)) {
		td_md_text(f, r->client);
		fputs(" → ", f);
		td_md_text(f, r->server);
	}
	if (r->sni[0])
		td_md_cell_code(t, r->sni);
	else
		td_md_cell_text(t, "none");
	if (r->version)
		td_md_cell_text(t, td_out_code_name(TD_REG_VERSION, r->version, buf, sizeof buf));
	else
		td_md_cell_text(t, "—");
	if (td_md_cell(t))
		td_md_outcome(f, &r->fate);
	if (td_md_cell(t)) {
		size_t shown = r->n_diags < MD_ROW_CODES ? r->n_diags : MD_ROW_CODES;
		for (size_t i = 0; i < shown; i++) {
			if (i)
				fputs(", ", f);
			td_md_code(f, r->codes[i]);
			if (r->sev[i] != TD_SEV_ERROR)
				fprintf(f, " (%s)", td_severity_name(r->sev[i]));
		}
		if (r->n_diags > shown)
			fprintf(f, ", %zu more", r->n_diags - shown);
		if (r->n_diags == 0)
			fputs("—", f);
	}
	td_md_row_end(t);
}

static const char *const summary_head[] = {
	"#", "Time (UTC)", "Client → Server", "Server name (SNI)", "Version", "Outcome",
	"Diagnosis"
};

static void write_summary(FILE *f, const struct md_rows *rows, size_t ngroups, bool with_date)
{
	struct td_md_table t;
	td_md_table_begin(&t, f, summary_head, "rllllll",
			  sizeof summary_head / sizeof summary_head[0]);
	for (size_t k = 0; k < ngroups; k++)
		for (size_t i = 0; i < rows[k].n; i++)
			write_row(&t, &rows[k].v[i], with_date);
	td_md_table_end(&t);
}

static bool same_day(uint64_t a_us, uint64_t b_us)
{
	return a_us / 86400000000u == b_us / 86400000000u;
}

/* ---- finish ---- */

static void copy_spool(FILE *out, FILE *in)
{
	char buf[8192];
	size_t n;
	/* A write to the spool that failed (disk full) left its error flag,
	 * which rewind() clears: look first. */
	bool lost = fflush(in) != 0 || ferror(in);
	rewind(in);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			break;
	if (lost || ferror(in))
		fputs("\n*(Part of these details was lost: their temporary file could not be "
		      "written or read back.)*\n\n", out);
}

static void stat_line(FILE *f, uint64_t n, const char *what)
{
	if (n)
		fprintf(f, "- %" PRIu64 " %s\n", n, what);
}

/* TCP connections the report has no section for (sink.h: td_tcp_port):
 * one sub-item per server port. */
static void write_tcp_without_tls(FILE *f, const struct td_stats *st)
{
	if (!st->n_tcp_without_tls && !st->tcp_without_tls_dropped)
		return;
	fputs("- TCP connections without TLS, not reported as connections, by server port:\n", f);
	char item[160];
	for (size_t i = 0; i < st->n_tcp_without_tls; i++) {
		td_out_tcp_port(item, sizeof item, &st->tcp_without_tls[i]);
		fputs("  - ", f);
		td_md_text(f, item);
		fputc('\n', f);
	}
	if (st->tcp_without_tls_dropped)
		fprintf(f, "  - %" PRIu64 " more to other ports (at most %u ports are counted one "
			"by one)\n", st->tcp_without_tls_dropped, TD_CAP_TCP_PORTS);
}

static void write_stats(FILE *f, const struct md_sink *ms, const struct td_stats *st)
{
	fputs("## Capture statistics\n\n", f);
	fprintf(f, "- %" PRIu64 " connection%s reported: %" PRIu64 " failed, %" PRIu64
		" established, %" PRIu64 " incomplete\n", ms->conns, ms->conns == 1 ? "" : "s",
		ms->outcome[TD_OUTCOME_FAILED], ms->outcome[TD_OUTCOME_ESTABLISHED],
		ms->outcome[TD_OUTCOME_INCOMPLETE]);
	if (ms->codes.used) {
		fputs("- diagnoses: ", f);
		for (size_t i = 0; i < ms->codes.used; i++) {
			fprintf(f, "%s%" PRIu64 " ", i ? ", " : "", ms->codes.n[i]);
			td_md_code(f, ms->codes.code[i]);
		}
		fputc('\n', f);
	}
	if (st && st->truncated) {
		fprintf(f, "- **the capture file was cut short** after %" PRIu64 " frames: the rest "
			"was never read", st->frames);
		if (st->truncated_reason) {
			fputs(" (", f);
			td_md_text(f, st->truncated_reason);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	if (st) {
		fprintf(f, "- %" PRIu64 " frames, %" PRIu64 " bytes, %" PRIu64 " TCP segments, %"
			PRIu64 " flow%s (TCP or QUIC), %" PRIu64 " with TLS\n", st->frames, st->bytes,
			st->tcp_segments, st->flows, st->flows == 1 ? "" : "s", st->tls_connections);
		write_tcp_without_tls(f, st);
		stat_line(f, st->skipped_frames, "frames not TCP over IP (not analysed)");
		stat_line(f, st->malformed_frames, "frames with malformed headers");
		stat_line(f, st->flows_idle, "flows ended by the idle timeout");
		stat_line(f, st->gap_bytes, "stream bytes never captured (gaps)");
		stat_line(f, st->flows_evicted_full, "flows evicted, the flow table being full "
			  "(--max-flows)");
		stat_line(f, st->reasm_cap_dropped, "bytes dropped by the per-flow buffer cap "
			  "(--flow-buffer)");
		stat_line(f, st->memory_cap_dropped, "bytes dropped by the memory cap (--max-memory)");
		stat_line(f, st->hs_messages_dropped, "handshake messages over 256 KiB, skipped");
		stat_line(f, st->stls_bytes_dropped, "STARTTLS plaintext bytes past the preamble cap");
		stat_line(f, st->stls_steps_dropped, "STARTTLS steps not kept (cap per connection)");
		stat_line(f, st->dup_bytes, "bytes retransmitted or overlapping (the first copy kept)");
	}
	stat_line(f, ms->dropped_events, "timeline events not kept (cap per connection)");
	stat_line(f, ms->dropped_certs, "certificates not kept (cap per chain)");
	stat_line(f, ms->dropped_items, "list items not kept (cap per list)");
	stat_line(f, ms->dropped_anomalies, "anomalies not kept (cap per connection)");
	fputc('\n', f);
}

static void md_finish(struct td_sink *s, const struct td_stats *st)
{
	struct md_sink *ms = (struct md_sink *)s;
	FILE *f = ms->out;
	uint64_t first = st && st->last_us >= st->first_us && st->frames ? st->first_us
								       : ms->first_us;
	uint64_t last = st && st->last_us >= st->first_us && st->frames ? st->last_us : ms->last_us;
	bool have_time = (st && st->frames) || ms->conns;
	write_header(f, &ms->opts, first, last, have_time, st ? st->note : NULL);

	fputs("## Summary\n\n", f);
	fprintf(f, "%" PRIu64 " connection%s: **%" PRIu64 " failed**, %" PRIu64 " established, %"
		PRIu64 " incomplete.\n\n", ms->conns, ms->conns == 1 ? "" : "s", ms->failures,
		ms->outcome[TD_OUTCOME_ESTABLISHED], ms->outcome[TD_OUTCOME_INCOMPLETE]);
	if (ms->conns > 0)
		write_summary(f, ms->rows, 2, !same_day(first, last));
	else
		fputs("No TLS connection was seen in this capture.\n\n", f);
	if (ms->rows_dropped)
		fprintf(f, "*%" PRIu64 " more connection%s not listed: this report keeps at most %d "
			"rows, failures first.*\n\n", ms->rows_dropped,
			ms->rows_dropped == 1 ? " is" : "s are", MD_ROWS);
	if (ms->spool_errno)
		fprintf(f, "*The connection details could not be written: no temporary file (%s).*"
			"\n\n", strerror(ms->spool_errno));
	write_briefs(f, ms->briefs, ms->n_briefs, ms->failures);

	if (ms->failures > 0) {
		fputs("## Failed connections\n\n", f);
		if (ms->spool[0].f)
			copy_spool(f, ms->spool[0].f);
		if (ms->spool[0].dropped)
			fprintf(f, "*The details of %" PRIu64 " more failed connection%s are left out: "
				"this report details at most %d.*\n\n", ms->spool[0].dropped,
				ms->spool[0].dropped == 1 ? "" : "s", MD_DETAILS);
	} else if (ms->conns > 0) {
		fputs("No connection failed.", f);
		if (!ms->opts.all)
			fputs(" (The details of every connection are shown with `--all`.)", f);
		fputs("\n\n", f);
	}
	if (ms->opts.all && ms->conns > ms->failures) {
		fputs("## Other connections\n\n", f);
		if (ms->spool[1].f)
			copy_spool(f, ms->spool[1].f);
		if (ms->spool[1].dropped)
			fprintf(f, "*The details of %" PRIu64 " more connection%s are left out: this "
				"report details at most %d.*\n\n", ms->spool[1].dropped,
				ms->spool[1].dropped == 1 ? "" : "s", MD_DETAILS);
	}
	write_stats(f, ms, st);
	fflush(f);
}

static void md_free(struct td_sink *s)
{
	struct md_sink *ms = (struct md_sink *)s;
	for (size_t i = 0; i < ms->n_briefs; i++) {
		free(ms->briefs[i].summary);
		free(ms->briefs[i].fix);
	}
	for (size_t k = 0; k < 2; k++) {
		free(ms->rows[k].v);
		if (ms->spool[k].f)
			fclose(ms->spool[k].f);
	}
	free(ms);
}

struct td_sink *td_markdown_sink_new(FILE *out, const struct td_md_opts *opts)
{
	struct md_sink *ms = calloc(1, sizeof *ms);
	if (!ms)
		return NULL;
	ms->out = out;
	if (opts)
		ms->opts = *opts;
	ms->base.conn_update = NULL;
	ms->base.conn_done = md_conn_done;
	ms->base.finish = md_finish;
	ms->base.free = md_free;
	return &ms->base;
}

enum td_result td_markdown_write_conn(FILE *out, const struct td_conn *c,
				      const struct td_md_opts *opts)
{
	static const struct td_md_opts none;
	const struct td_md_opts *o = opts ? opts : &none;
	struct md_rows rows = { 0 };
	struct md_row row;
	write_header(out, o, c->start_us, c->last_us >= c->start_us ? c->last_us : c->start_us,
		     true, NULL);
	fputs("## Summary\n\n", out);
	row_fill(&row, c, true);
	rows.v = &row;
	rows.n = 1;
	write_summary(out, &rows, 1, false);
	bool fail = c->fate.outcome == TD_OUTCOME_FAILED;
	if (fail) {
		/* Borrowed strings: the brief is not kept. */
		const struct td_diagnosis *d = td_md_root(c);
		struct md_brief b = { .id = c->id, .code = d ? d->code : NULL,
				      .summary = d ? d->summary : NULL, .fix = d ? d->fix : NULL };
		write_briefs(out, &b, 1, 1);
	}
	fputs(fail ? "## Failed connection\n\n" : "## Connection details\n\n", out);
	td_md_conn_section(out, c, o);
	if (fflush(out) != 0 || ferror(out))
		return TD_ERR_IO;
	return TD_OK;
}
