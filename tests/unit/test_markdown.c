/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_markdown.c - the Markdown report (src/render/markdown/markdown.c, mdconn.c,
 * mermaid.c) over connections built by hand, written to memory.
 *
 *   - escaping: the inline text, line-start and code-span rules, exactly
 *   - hostile strings (pipes, backticks, <, &, newlines, ; # : --> %% and
 *     quotes) in the SNI, certificate names, CA names, alert details and
 *     diagnoses: every table row keeps the header's cell count, no raw
 *     HTML tag survives outside a code span, every Mermaid line stays
 *     in the diagram grammar with its text entity-coded
 *   - failures first, in the table and the details; --all; the row and
 *     detail caps, counted and reported
 *   - the diagram: at most TD_MD_ARROWS arrows, the root cause kept and
 *     highlighted, the evidence's step numbers matching the drawing
 *   - td_markdown_write_conn: a standalone report; TD_ERR_IO on a full disk
 *
 * With TD_MD_DUMP=DIR in the environment, the reports are also written
 * to DIR/NAME.md, so that tests/md/render.sh can draw them in a real
 * browser with the real Mermaid.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "../../src/render/markdown/mdw.h"
#include "caps.h"
#include "conn.h"
#include "out.h"
#include "sink.h"
#include "tests.h"
#include "tls_names.h"

void td_suite_markdown(void);

/* 2026-11-27T04:49:23.123456Z */
static const uint64_t T0 = 1795755000000000ull + 123456u;

/* ---- memory streams ---- */

struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(m->f);
}

static void mem_close(struct mem *m)
{
	if (m->f)
		fclose(m->f);
	m->f = NULL;
}

/* What fn writes for s, as a new string. */
static char *render(void (*fn)(FILE *, const char *), const char *s)
{
	struct mem m;
	mem_open(&m);
	fn(m.f, s);
	mem_close(&m);
	return m.buf;
}

/* With TD_MD_DUMP set, keep a copy of a report for tests/md/render.sh. */
static void dump(const char *name, const char *text)
{
	const char *dir = getenv("TD_MD_DUMP");
	if (!dir || !text)
		return;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s.md", dir, name);
	FILE *f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* ---- building connections ---- */

static char *dup(const char *s)
{
	char *p = strdup(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

static void v4(struct td_addr *a, uint8_t x, uint8_t y, uint8_t z, uint8_t w)
{
	memset(a, 0, sizeof *a);
	a->family = 4;
	a->b[0] = x, a->b[1] = y, a->b[2] = z, a->b[3] = w;
}

static struct td_event *ev(struct td_conn *c, uint64_t dt_us, enum td_dir dir,
			   enum td_event_kind kind, uint8_t hs, uint32_t len)
{
	struct td_event e, *out = NULL;
	memset(&e, 0, sizeof e);
	e.ts_us = c->start_us + dt_us;
	e.dir = dir;
	e.kind = kind;
	e.hs_type = hs;
	e.length = len;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, &out), TD_OK);
	return out;
}

static void alert(struct td_conn *c, uint64_t dt_us, enum td_dir dir, uint8_t level, uint8_t desc,
		  const char *detail)
{
	struct td_event e;
	memset(&e, 0, sizeof e);
	e.ts_us = c->start_us + dt_us;
	e.dir = dir;
	e.kind = TD_EV_ALERT;
	e.alert_level = level;
	e.alert_desc = desc;
	e.detail = (char *)(uintptr_t)detail;  /* copied by td_conn_add_event */
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);
}

static void strs(struct td_strlist *l, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(l, v[i]), TD_OK);
}

static void cert(struct td_cert *ct, const char *subject, const char *issuer, bool ca)
{
	ct->parsed = true;
	ct->der_len = 1000;
	ct->subject = dup(subject);
	ct->issuer = dup(issuer);
	ct->not_before = 1704067200;  /* 2024-01-01 */
	ct->not_after = 1893456000;   /* 2030-01-01 */
	ct->key_type = dup("RSA");
	ct->key_bits = 2048;
	ct->sig_alg = dup("sha256WithRSAEncryption");
	ct->is_ca = ca;
	ct->path_len = -1;
	ct->self_signed = strcmp(subject, issuer) == 0;
	memset(ct->sha256, 'a', 64);
	ct->sha256[64] = '\0';
}

static void diag(struct td_conn *c, const char *code, enum td_severity sev, const char *summary,
		 const char *fix, const char *evidence, const size_t *events, size_t n_events)
{
	struct td_diagnosis d;
	memset(&d, 0, sizeof d);
	d.code = code;
	d.severity = sev;
	d.stage = TD_STAGE_CLIENT_CERTIFICATE;
	d.gave_up = TD_PARTY_SERVER;
	d.summary = dup(summary);
	d.fix = fix ? dup(fix) : NULL;
	if (evidence)
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&d.evidence, evidence), TD_OK);
	for (size_t i = 0; i < n_events && i < TD_DIAG_EVENTS; i++)
		d.events[d.n_events++] = events[i];
	CU_ASSERT_EQUAL_FATAL(td_conn_add_diagnosis(c, &d), TD_OK);
}

/* What a hostile peer could put in strings (already "sanitized": the
 * model holds printable UTF-8 only, but a backslash is two). */
static const char HOSTILE[] =
	"x|y`z;w#1 a:b-->c \"q\" 'r' <b>bold</b> &amp; %%{init}%% end; *e* _u_ [l](j) $m$ ~s~ \\\\";

/*
 * A TLS 1.2 mTLS failure whose every string is hostile: SNI, subjects,
 * issuers, SANs, the CA list, an alert's detail, the diagnosis; a raw
 * newline where the model should never have one.
 */
static struct td_conn *conn_hostile(uint64_t id)
{
	struct td_conn *c = td_conn_new(id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	v4(&c->client_addr, 192, 0, 2, 1);
	v4(&c->server_addr, 192, 0, 2, 10);
	c->client_port = 51234;
	c->server_port = 8443;
	c->start_us = T0;
	c->last_us = T0 + 5000;
	c->tls = true;
	c->version = TD_VERSION_TLS12;
	c->cipher = 0xc02f;
	c->fate.outcome = TD_OUTCOME_FAILED;
	c->ch.present = true;
	c->ch.legacy_version = TD_VERSION_TLS12;
	c->ch.sni = dup(HOSTILE);
	static const char *const alpn[] = { "h2|x", "a`b" };
	strs(&c->ch.alpn, alpn, 2);
	c->sh.present = true;
	c->sh.legacy_version = TD_VERSION_TLS12;
	c->sh.cipher = 0xc02f;

	c->server_chain.present = true;
	td_test_chain(&c->server_chain, 2);
	cert(c->server_chain.certs[0], "CN=a|b,O=<script>alert(1)</script>", HOSTILE, false);
	static const char *const san[] = { "DNS:x|y.example", "DNS:`tick`", "DNS:<i>.example" };
	strs(&c->server_chain.certs[0]->san, san, 3);
	static const char *const eku[] = { "serverAuth" };
	strs(&c->server_chain.certs[0]->ext_key_usage, eku, 1);
	cert(c->server_chain.certs[1], HOSTILE, "CN=line\nbreak|root", true);

	c->cr.present = true;
	static const char *const cas[] = { "O=Evil|Corp,CN=ca", "CN=`x`", "CN=<img src=x>", "CN=fine" };
	strs(&c->cr.ca_names, cas, 4);
	c->client_chain.present = true;
	td_test_chain(&c->client_chain, 1);
	cert(c->client_chain.certs[0], "CN=client;#1", "CN=rogue -->> CA", false);
	CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, TD_AN_NON_TLS_BYTES, TD_DIR_C2S, 1, HOSTILE, NULL),
			      TD_OK);

	ev(c, 0, TD_DIR_C2S, TD_EV_TCP_SYN, 0, 0);
	ev(c, 20, TD_DIR_S2C, TD_EV_TCP_SYNACK, 0, 0);
	ev(c, 300, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 517);
	ev(c, 1200, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 90);
	ev(c, 1201, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE, 2000);
	ev(c, 1202, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE_REQUEST, 80);
	ev(c, 1203, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO_DONE, 0);
	ev(c, 3000, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CERTIFICATE, 900);
	ev(c, 3001, TD_DIR_C2S, TD_EV_CCS, 0, 0);
	struct td_event *e = ev(c, 3002, TD_DIR_C2S, TD_EV_ENCRYPTED, 0, 40);
	e->content_type = TD_CT_HANDSHAKE;
	e->encrypted = true;
	e = ev(c, 3500, TD_DIR_C2S, TD_EV_MALFORMED, 0, 0);
	e->detail = dup(HOSTILE);
	alert(c, 4100, TD_DIR_S2C, 2, 48, HOSTILE);  /* index 11: fatal unknown_ca */
	ev(c, 5000, TD_DIR_S2C, TD_EV_TCP_FIN, 0, 0);
	size_t at[] = { 7, 11 };
	diag(c, "CLIENT_CERT_UNTRUSTED", TD_SEV_ERROR, HOSTILE, HOSTILE, HOSTILE, at, 2);
	diag(c, "CLIENT_CERT_NOT_ACCEPTABLE", TD_SEV_WARNING, "warn | with `pipe`", NULL, NULL,
	     NULL, 0);
	return c;
}

/* A plain connection: established, or failed by a fatal alert. */
static struct td_conn *conn_simple(uint64_t id, bool failed)
{
	struct td_conn *c = td_conn_new(id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	v4(&c->client_addr, 10, 0, 0, 1);
	v4(&c->server_addr, 10, 0, 0, 2);
	c->client_port = (uint16_t)(40000 + id);
	c->server_port = 443;
	c->start_us = T0 + id * 1000000u;
	c->last_us = c->start_us + 2000;
	c->tls = true;
	c->version = TD_VERSION_TLS13;
	c->ch.present = true;
	c->ch.sni = dup("example.org");
	c->sh.present = true;
	c->fate.outcome = failed ? TD_OUTCOME_FAILED : TD_OUTCOME_ESTABLISHED;
	ev(c, 0, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 500);
	ev(c, 500, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 90);
	if (failed) {
		alert(c, 900, TD_DIR_S2C, 2, 40, NULL);
		size_t at[] = { 2 };
		diag(c, "FATAL_ALERT", TD_SEV_ERROR, "The server refused.", "Fix it.", "an alert", at,
		     1);
	} else {
		ev(c, 900, TD_DIR_C2S, TD_EV_APPDATA, 0, 100);
	}
	return c;
}

/* ---- checking the output ---- */

/* The lines of text, NUL-terminated in place; returns how many. */
static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text;
	while (p && *p && n < max) {
		lines[n++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

/* GFM cells of a row: pipes not escaped by a backslash, minus the
 * outer two (the rows here always have them). */
static size_t row_cells(const char *l)
{
	size_t pipes = 0;
	for (size_t i = 0; l[i]; i++) {
		if (l[i] == '\\' && l[i + 1]) {
			i++;
			continue;
		}
		pipes += l[i] == '|';
	}
	return pipes > 0 ? pipes - 1 : 0;
}

static bool in_fence_toggle(const char *l, bool in)
{
	return strncmp(l, "```", 3) == 0 ? !in : in;
}

/* Checks every table of a report (outside code blocks): header and
 * delimiter and rows with one cell count, blank lines around.  Returns
 * the number of tables; bad counts what is wrong, rows_first the body
 * rows of the first table (the summary). */
static size_t check_tables(const char *report, size_t *bad, size_t *rows_first)
{
	char *copy = dup(report);
	size_t max = strlen(copy) + 1;
	char **lines = calloc(max, sizeof *lines);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lines);
	size_t n = split_lines(copy, lines, max), tables = 0;
	bool fence = false;
	*bad = 0;
	*rows_first = 0;
	for (size_t i = 0; i < n; i++) {
		bool was = fence;
		fence = in_fence_toggle(lines[i], fence);
		if (was || fence || lines[i][0] != '|')
			continue;
		tables++;
		size_t cols = row_cells(lines[i]);
		if (i > 0 && lines[i - 1][0] != '\0')
			(*bad)++;
		if (i + 1 >= n || (strncmp(lines[i + 1], "| :---", 6) != 0 &&
				   strncmp(lines[i + 1], "| ---:", 6) != 0)) {
			(*bad)++;
			continue;
		}
		if (row_cells(lines[i + 1]) != cols)
			(*bad)++;
		size_t j = i + 2;
		for (; j < n && lines[j][0] != '\0'; j++) {
			if (lines[j][0] != '|' || row_cells(lines[j]) != cols)
				(*bad)++;
			if (tables == 1)
				(*rows_first)++;
		}
		i = j;
	}
	free(lines);
	free(copy);
	return tables;
}

/* Raw HTML outside code spans and code blocks: a '<' followed by a
 * letter or '/' that is not in a code span, or any tag but the report's
 * own <details>/<summary>. */
static size_t raw_html(const char *report)
{
	size_t bad = 0;
	bool fence = false, code = false, line_start = true;
	for (size_t i = 0; report[i]; i++) {
		if (line_start && strncmp(report + i, "```", 3) == 0) {
			/* A fence line, opening or closing: skip it whole. */
			fence = !fence;
			while (report[i + 1] && report[i + 1] != '\n')
				i++;
			continue;
		}
		line_start = report[i] == '\n';
		if (fence)
			continue;
		if (report[i] == '\\' && report[i + 1]) {
			i++;
			continue;
		}
		if (report[i] == '`') {
			code = !code;
			continue;
		}
		if (code || report[i] != '<')
			continue;
		const char *t = report + i + 1;
		if (strncmp(t, "details>", 8) == 0 || strncmp(t, "/details>", 9) == 0 ||
		    strncmp(t, "summary>", 8) == 0 || strncmp(t, "/summary>", 9) == 0)
			continue;
		bad++;
	}
	return bad;
}

/* Mermaid text must hold no syntax: '#' only as "#NN;", no ';' '%' '"'
 * '`' '<' '>' but the "<br/>" line breaks.  Checks the text after the
 * statement's first ':' (messages, notes) or after " as " (participants). */
static bool mermaid_text_ok(const char *t)
{
	for (size_t i = 0; t[i]; i++) {
		if (strncmp(t + i, "<br/>", 5) == 0) {
			i += 4;
			continue;
		}
		if (t[i] == '#') {
			size_t j = i + 1;
			while (t[j] >= '0' && t[j] <= '9')
				j++;
			if (j == i + 1 || t[j] != ';')
				return false;
			i = j;
			continue;
		}
		if (strchr(";%\"`<>{}|\\&", t[i]))
			return false;
	}
	return true;
}

struct mm_stats {
	size_t blocks, arrows, bad_lines, notes, rects;
};

static void check_mermaid(const char *report, struct mm_stats *st)
{
	char *copy = dup(report);
	size_t max = strlen(copy) + 1;
	char **lines = calloc(max, sizeof *lines);
	CU_ASSERT_PTR_NOT_NULL_FATAL(lines);
	size_t n = split_lines(copy, lines, max);
	bool in = false;
	memset(st, 0, sizeof *st);
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i];
		if (!in) {
			if (strcmp(l, "```mermaid") == 0) {
				in = true;
				st->blocks++;
			}
			continue;
		}
		if (strcmp(l, "```") == 0) {
			in = false;
			continue;
		}
		while (*l == ' ')
			l++;
		if (strcmp(l, "sequenceDiagram") == 0 || strcmp(l, "autonumber") == 0 ||
		    strcmp(l, "end") == 0)
			continue;
		if (strncmp(l, "rect rgba(", 10) == 0) {
			st->rects++;
			continue;
		}
		const char *text = NULL;
		if (strncmp(l, "participant C as ", 17) == 0 || strncmp(l, "participant S as ", 17) == 0) {
			text = l + 17;
		} else if (strncmp(l, "Note over C,S: ", 15) == 0) {
			text = l + 15;
			st->notes++;
		} else if ((l[0] == 'C' || l[0] == 'S') &&
			   (strncmp(l + 1, "->>", 3) == 0 || strncmp(l + 1, "-->>", 4) == 0 ||
			    strncmp(l + 1, "-x", 2) == 0 || strncmp(l + 1, "--x", 3) == 0 ||
			    strncmp(l + 1, "--)", 3) == 0)) {
			const char *colon = strstr(l, ": ");
			const char *to = colon ? colon - 1 : NULL;
			if (!colon || (*to != 'C' && *to != 'S') || *to == l[0]) {
				st->bad_lines++;
				continue;
			}
			text = colon + 2;
			st->arrows++;
		}
		if (!text || !mermaid_text_ok(text))
			st->bad_lines++;
	}
	free(lines);
	free(copy);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* ---- tests: escaping ---- */

static void test_escape_text(void)
{
	char *s = render(td_md_text, "a|b`c*d_e[f]g<h>i&j$k~l\\m");
	CU_ASSERT_STRING_EQUAL(s, "a\\|b\\`c\\*d\\_e\\[f\\]g&lt;h&gt;i&amp;j\\$k\\~l\\\\m");
	free(s);
	/* Controls become blanks: no raw newline ever reaches a cell. */
	s = render(td_md_text, "one\ntwo\rthree\tfour");
	CU_ASSERT_STRING_EQUAL(s, "one two three four");
	free(s);
	/* Bytes that are not UTF-8 are shown as text.h would. */
	s = render(td_md_text, "caf\xc3\xa9 \xff");
	CU_ASSERT_STRING_EQUAL(s, "caf\xc3\xa9 \\\\xff");
	free(s);
	s = render(td_md_text, "# not a heading");
	CU_ASSERT_STRING_EQUAL(s, "# not a heading");  /* mid-line: harmless */
	free(s);
}

static void test_escape_start(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "# title", "\\# title" },
		{ "- item", "\\- item" },
		{ "+ item", "\\+ item" },
		{ "12. ordered", "12\\. ordered" },
		{ "3) ordered", "3\\) ordered" },
		{ "    code", "code" },
		{ "2024 was fine", "2024 was fine" },
		{ "> quote", "&gt; quote" },
		{ "=====", "\\=====" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char *s = render(td_md_text_start, v[i].in);
		CU_ASSERT_STRING_EQUAL(s, v[i].out);
		free(s);
	}
}

static void test_escape_code(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "O=LMT Corp,CN=x", "`O=LMT Corp,CN=x`" },
		{ "<b>", "`<b>`" },                 /* a code span shows it literally */
		{ "a|b", "a\\|b" },                 /* a pipe: never in a code span */
		{ "a`b", "a\\`b" },
		{ "a\\\\b", "a\\\\\\\\b" },
		{ " lead", " lead" },
		{ "", "" },
		{ "a\nb", "a b" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char *s = render(td_md_code, v[i].in);
		CU_ASSERT_STRING_EQUAL(s, v[i].out);
		free(s);
	}
}

static void test_table_writer(void)
{
	static const char *const head[] = { "A", "B|pipe", "C" };
	struct mem m;
	mem_open(&m);
	struct td_md_table t;
	td_md_table_begin(&t, m.f, head, "rlc", 3);
	td_md_row_begin(&t);
	td_md_cell_text(&t, "x|y");
	td_md_row_end(&t);             /* padded to 3 */
	td_md_row_begin(&t);
	for (int i = 0; i < 5; i++)    /* 2 refused */
		td_md_cell_textf(&t, "%d", i);
	td_md_row_end(&t);
	td_md_table_end(&t);
	mem_close(&m);
	CU_ASSERT_STRING_EQUAL(m.buf,
		"| A | B\\|pipe | C |\n"
		"| ---: | :--- | :---: |\n"
		"| x\\|y |  |  |\n"
		"| 0 | 1 | 2 |\n\n");
	free(m.buf);
}

/* ---- tests: reports ---- */

static void test_hostile_conn(void)
{
	struct td_conn *c = conn_hostile(7);
	struct td_md_opts o = { .version = "0.1.0|`x`", .capture_name = "cap|ture<1>.pcap",
				.capture_size = 1234, .capture_sha256 = "ab12", .filter = "port 443 | x",
				.keylog = "k`ey.log", .trust_store = "system bundle" };
	struct mem m;
	mem_open(&m);
	td_test_fate(c, c->fate.outcome);
	CU_ASSERT_EQUAL(td_markdown_write_conn(m.f, c, &o), TD_OK);
	mem_close(&m);
	const char *r = m.buf;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	dump("unit-hostile", r);

	size_t bad = 0, rows = 0;
	/* summary, negotiation, server chain, acceptable CAs, client chain */
	CU_ASSERT_EQUAL(check_tables(r, &bad, &rows), 5);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(rows, 1);
	CU_ASSERT_EQUAL(raw_html(r), 0);
	CU_ASSERT_PTR_NULL(strstr(r, "<script"));
	CU_ASSERT_PTR_NULL(strstr(r, "<b>bold"));
	/* The pipe of every name survives, escaped. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "CN=a\\|b,O=&lt;script&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "O=Evil\\|Corp,CN=ca"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "`CN=<img src=x>`"));   /* in a code span: inert */
	CU_ASSERT_PTR_NULL(strstr(r, "line\nbreak"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "line break\\|root"));

	struct mm_stats st;
	check_mermaid(r, &st);
	CU_ASSERT_EQUAL(st.blocks, 1);
	CU_ASSERT_EQUAL(st.bad_lines, 0);
	CU_ASSERT_EQUAL(st.arrows, c->n_events);
	CU_ASSERT_EQUAL(st.rects, 2);   /* events 7 and 11 are not adjacent */
	CU_ASSERT_EQUAL(st.notes, 1);
	/* Mermaid-hostile characters are entity codes. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "x#124;y#96;z#59;w#35;1 a#58;b#45;#45;#62;c #34;q#34;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "#37;#37;#123;init#125;#37;#37; end#59;"));
	/* Alert detail, TLS 1.2 Finished inference, the client's empty-or-not chain. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "S-xC: ❌ alert unknown_ca (fatal) - x#124;y"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "C->>S: 🔒 Finished (inferred), 40 bytes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "C->>S: Certificate, 900 bytes#58; 1 certificate"));
	/* The evidence names the steps the diagram numbers. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "in the diagram: step 8 (+3.000 ms), step 12 (+4.100 ms)"));
	CU_ASSERT_EQUAL(td_md_mermaid_step(c, 7), 8);
	CU_ASSERT_EQUAL(td_md_mermaid_step(c, 11), 12);
	/* A standalone report: header, one summary row linking its section. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "# TLS connection report\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "| [7](#connection-7) |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "### Connection 7\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "- **Capture file:** cap\\|ture&lt;1&gt;.pcap, 1234 bytes, "
				     "SHA-256 `ab12`"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "- **Filter:** port 443 \\| x"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "**Trust store for server certificates:** the system bundle"));
	/* The warning is listed, not expanded. */
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "- ⚠️ `CLIENT_CERT_NOT_ACCEPTABLE` (warning): warn \\| with "
				     "\\`pipe\\`"));
	free(m.buf);
	td_conn_free(c);
}

/* A sink run: the connections in order, then finish. */
static char *sink_run(struct td_conn **cs, size_t n, bool all)
{
	struct td_md_opts o = { .all = all, .version = "0.1.0", .capture_name = "x.pcap" };
	struct mem m;
	mem_open(&m);
	struct td_sink *s = td_markdown_sink_new(m.f, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct td_stats st;
	memset(&st, 0, sizeof st);
	st.frames = 10;
	st.first_us = T0;
	st.last_us = T0 + 9000000u;
	st.note = "no <trust> store | given";
	for (size_t i = 0; i < n; i++) {
		td_test_fate(cs[i], cs[i]->fate.outcome);
		s->conn_done(s, cs[i]);
		td_conn_free(cs[i]);  /* the sink must not keep it */
		cs[i] = NULL;
	}
	s->finish(s, &st);
	td_sink_free(s);
	mem_close(&m);
	return m.buf;
}

/* Position of needle in hay, or SIZE_MAX. */
static size_t pos(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);
	return p ? (size_t)(p - hay) : SIZE_MAX;
}

static void test_failures_first(void)
{
	struct td_conn *cs[4] = {
		conn_simple(1, false), conn_simple(2, true), conn_simple(3, false),
		conn_simple(4, true),
	};
	char *r = sink_run(cs, 4, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	dump("unit-failures-first", r);
	/* The table: 2, 4, then 1, 3; only failures link to a section. */
	size_t p2 = pos(r, "| [2](#connection-2) |"), p4 = pos(r, "| [4](#connection-4) |");
	size_t p1 = pos(r, "| 1 |"), p3 = pos(r, "| 3 |");
	CU_ASSERT(p2 < p4 && p4 < p1 && p1 < p3 && p3 != SIZE_MAX);
	CU_ASSERT_EQUAL(count(r, "### Connection "), 2);
	CU_ASSERT(pos(r, "### Connection 2\n") < pos(r, "### Connection 4\n"));
	CU_ASSERT_EQUAL(pos(r, "### Connection 1\n"), SIZE_MAX);
	CU_ASSERT_EQUAL(pos(r, "## Other connections"), SIZE_MAX);
	/* "In short", between the table and the details: failures, root
	 * cause and fix, in order. */
	size_t brief = pos(r, "## In short\n\n- **[Connection 2](#connection-2) (`FATAL_ALERT`):** "
			   "The server refused.\\\n  **What to do:** Fix it.\n- **[Connection 4]");
	CU_ASSERT(brief != SIZE_MAX && p3 < brief && brief < pos(r, "## Failed connections"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "4 connections: **2 failed**, 2 established, 0 incomplete."));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "- **Note:** no &lt;trust&gt; store \\| given"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "(9.000 s)\n"));
	size_t bad, rows;
	check_tables(r, &bad, &rows);
	CU_ASSERT_EQUAL(bad, 0);
	struct mm_stats st;
	check_mermaid(r, &st);
	CU_ASSERT_EQUAL(st.blocks, 2);
	CU_ASSERT_EQUAL(st.bad_lines, 0);
	free(r);
}

static void test_all(void)
{
	struct td_conn *cs[4] = {
		conn_simple(1, false), conn_simple(2, true), conn_simple(3, false), conn_hostile(4),
	};
	char *r = sink_run(cs, 4, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	dump("unit-all", r);
	CU_ASSERT_EQUAL(count(r, "### Connection "), 4);
	size_t fail = pos(r, "## Failed connections"), other = pos(r, "## Other connections");
	CU_ASSERT(fail < other && other != SIZE_MAX);
	CU_ASSERT(pos(r, "### Connection 2\n") < pos(r, "### Connection 4\n"));
	CU_ASSERT(pos(r, "### Connection 4\n") < other);
	CU_ASSERT(other < pos(r, "### Connection 1\n"));
	CU_ASSERT(pos(r, "### Connection 1\n") < pos(r, "### Connection 3\n"));
	CU_ASSERT_EQUAL(count(r, "| ["), 4);  /* every table row links */
	CU_ASSERT_EQUAL(count(r, "- **[Connection "), 2); /* "In short": the failures */
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "**✅ established**"));
	size_t bad, rows;
	check_tables(r, &bad, &rows);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(raw_html(r), 0);
	struct mm_stats st;
	check_mermaid(r, &st);
	CU_ASSERT_EQUAL(st.blocks, 4);
	CU_ASSERT_EQUAL(st.bad_lines, 0);
	free(r);
}

/* More connections than rows: failures push the others out, the count
 * of the rest is reported; sections past the cap too. */
static void test_caps(void)
{
	enum { ROWS = 2000, DETAILS = 200, MORE = 3 };
	struct td_md_opts o = { .version = "0.1.0" };
	struct mem m;
	mem_open(&m);
	struct td_sink *s = td_markdown_sink_new(m.f, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (uint64_t i = 1; i <= ROWS; i++) {
		struct td_conn *c = conn_simple(i, false);
		td_test_fate(c, c->fate.outcome);
		s->conn_done(s, c);
		td_conn_free(c);
	}
	for (uint64_t i = ROWS + 1; i <= ROWS + DETAILS + MORE; i++) {
		struct td_conn *c = conn_simple(i, true);
		td_test_fate(c, c->fate.outcome);
		s->conn_done(s, c);
		td_conn_free(c);
	}
	s->finish(s, NULL);
	td_sink_free(s);
	mem_close(&m);
	const char *r = m.buf;
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	size_t bad, rows;
	check_tables(r, &bad, &rows);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(rows, ROWS);
	/* Every failure is in the table; as many others were pushed out. */
	char want[64];
	snprintf(want, sizeof want, "| [%d](#connection-%d) |", ROWS + DETAILS, ROWS + DETAILS);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, want));
	snprintf(want, sizeof want, "| %d |", ROWS + DETAILS + MORE);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, want));  /* listed, not detailed */
	snprintf(want, sizeof want, "*%d more connections are not listed", DETAILS + MORE);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, want));
	CU_ASSERT_EQUAL(count(r, "### Connection "), DETAILS);
	snprintf(want, sizeof want, "*The details of %d more failed connections are left out", MORE);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, want));
	CU_ASSERT_EQUAL(count(r, "- **[Connection "), 10);
	snprintf(want, sizeof want, "- ... and %d more failed connections", DETAILS + MORE - 10);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, want));
	free(m.buf);
}

/* 256 events, the root cause deep inside: the diagram stays at most
 * TD_MD_ARROWS arrows and keeps the failing step. */
static void test_long_timeline(void)
{
	struct td_conn *c = conn_simple(9, false);
	c->fate.outcome = TD_OUTCOME_FAILED;
	while (c->n_events < TD_CAP_EVENTS)
		ev(c, 1000 + c->n_events, c->n_events % 2 ? TD_DIR_S2C : TD_DIR_C2S, TD_EV_APPDATA, 0,
		   10);
	ev(c, 99999, TD_DIR_C2S, TD_EV_APPDATA, 0, 1);  /* dropped by the cap */
	CU_ASSERT_EQUAL(c->dropped_events, 1);
	c->events[150].kind = TD_EV_ALERT;
	c->events[150].alert_level = 2;
	c->events[150].alert_desc = 40;
	size_t at[] = { 150 };
	diag(c, "FATAL_ALERT", TD_SEV_ERROR, "It stopped at 150.", NULL, NULL, at, 1);
	struct mem m;
	mem_open(&m);
	td_test_fate(c, c->fate.outcome);
	CU_ASSERT_EQUAL(td_markdown_write_conn(m.f, c, NULL), TD_OK);
	mem_close(&m);
	const char *r = m.buf;
	dump("unit-long-timeline", r);
	struct mm_stats st;
	check_mermaid(r, &st);
	CU_ASSERT_EQUAL(st.bad_lines, 0);
	CU_ASSERT(st.arrows <= TD_MD_ARROWS);
	CU_ASSERT_EQUAL(st.arrows, 32 + 8 + 5);
	CU_ASSERT_EQUAL(st.rects, 1);
	size_t step = td_md_mermaid_step(c, 150);
	CU_ASSERT_EQUAL(step, 32 + 3);
	CU_ASSERT_EQUAL(td_md_mermaid_step(c, 100), 0);
	char want[64];
	snprintf(want, sizeof want, "in the diagram: step %zu (", step);
	CU_ASSERT_PTR_NOT_NULL(strstr(r, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "… 116 events not drawn"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "… 95 events not drawn"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "1 later events not kept"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "❌ FATAL_ALERT<br/>It stopped at 150."));
	free(m.buf);
	td_conn_free(c);
}

/* No event at all, no ClientHello: still a valid diagram and report. */
static void test_empty_conn(void)
{
	struct td_conn *c = td_conn_new(5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->fate.outcome = TD_OUTCOME_FAILED;
	c->partial = true;
	struct mem m;
	mem_open(&m);
	td_test_fate(c, c->fate.outcome);
	CU_ASSERT_EQUAL(td_markdown_write_conn(m.f, c, NULL), TD_OK);
	mem_close(&m);
	dump("unit-empty", m.buf);
	struct mm_stats st;
	check_mermaid(m.buf, &st);
	CU_ASSERT_EQUAL(st.blocks, 1);
	CU_ASSERT_EQUAL(st.arrows, 0);
	CU_ASSERT_EQUAL(st.bad_lines, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "Note over C,S: ❌ the connection ended here"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m.buf, "No rule explains this failure"));
	size_t bad, rows;
	check_tables(m.buf, &bad, &rows);
	CU_ASSERT_EQUAL(bad, 0);
	free(m.buf);
	td_conn_free(c);
}

/* The plain-words account of an mTLS failure. */
static void test_story(void)
{
	struct td_conn *c = conn_simple(3, true);
	c->cr.present = true;
	CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, "O=LMT Corp,CN=clientCA"), TD_OK);
	c->client_chain.present = true;
	struct mem m;
	mem_open(&m);
	td_test_fate(c, c->fate.outcome);
	CU_ASSERT_EQUAL(td_markdown_write_conn(m.f, c, NULL), TD_OK);
	mem_close(&m);
	const char *r = m.buf;
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "**What happened.** The client (10.0.0.1:40003) connected "
				     "to the server (10.0.0.2:443)."));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "for the server name `example.org`"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "issued by `O=LMT Corp,CN=clientCA`. **The client sent "
				     "none**"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "**the server hung up with the error "
				     "`handshake_failure`** (a fatal alert, meaning no acceptable "
				     "security settings in common"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "), 0.900 ms after the connection began."));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "**What to do:** Fix it."));
	free(m.buf);
	td_conn_free(c);
}

static void test_write_error(void)
{
	FILE *f = fopen("/dev/full", "w");
	if (!f)
		return;  /* no /dev/full here: nothing to test */
	struct td_conn *c = conn_simple(1, true);
	td_test_fate(c, c->fate.outcome);
	CU_ASSERT_EQUAL(td_markdown_write_conn(f, c, NULL), TD_ERR_IO);
	fclose(f);
	td_conn_free(c);
}

void td_suite_markdown(void)
{
	CU_pSuite s = td_test_suite("markdown");
	td_test_add(s, "inline text escaping", test_escape_text);
	td_test_add(s, "line-start escaping", test_escape_start);
	td_test_add(s, "code spans", test_escape_code);
	td_test_add(s, "table writer pads and refuses cells", test_table_writer);
	td_test_add(s, "hostile strings stay inert", test_hostile_conn);
	td_test_add(s, "failures first", test_failures_first);
	td_test_add(s, "--all", test_all);
	td_test_add(s, "row and detail caps", test_caps);
	td_test_add(s, "long timeline: arrow cap keeps the failure", test_long_timeline);
	td_test_add(s, "empty connection", test_empty_conn);
	td_test_add(s, "plain-words story", test_story);
	td_test_add(s, "write error is TD_ERR_IO", test_write_error);
}
