/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_common.c - shared set-up and the output oracle of the fuzz
 * harnesses (see fuzz_common.h).
 */
#include "config.h"

#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "out.h"
#include "x509.h"

#ifndef TD_FUZZ_SRCDIR
#define TD_FUZZ_SRCDIR "."
#endif

const char *td_fuzz_srcdir(void)
{
	const char *env = getenv("TD_FUZZ_SRCDIR");
	return env && env[0] ? env : TD_FUZZ_SRCDIR;
}

const char *td_fuzz_path(const char *rel)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%s/%s", td_fuzz_srcdir(), rel);
	return buf;
}

void td_fuzz_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("fuzz oracle: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void global_cleanup(void)
{
	td_x509_global_cleanup();
}

void td_fuzz_global_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	if (td_x509_global_init() != TD_OK)
		td_fuzz_fail("td_x509_global_init failed");
	atexit(global_cleanup);
}

/* ---- shared read-only data --------------------------------------------- */

static struct td_keylog *capture_keylog;

static void free_keylog(void)
{
	td_keylog_free(capture_keylog);
	capture_keylog = NULL;
}

const struct td_keylog *td_fuzz_capture_keylog(void)
{
	static bool tried;
	if (tried)
		return capture_keylog;
	tried = true;
	glob_t g;
	if (glob(td_fuzz_path("captures/*.keylog"), 0, NULL, &g) != 0) {
		fprintf(stderr, "fuzz: no key logs under %s/captures (set TD_FUZZ_SRCDIR)\n",
			td_fuzz_srcdir());
		return NULL;
	}
	capture_keylog = td_keylog_new();
	if (!capture_keylog)
		td_fuzz_fail("out of memory");
	char err[256];
	for (size_t i = 0; i < g.gl_pathc; i++)
		if (td_keylog_load_file(capture_keylog, g.gl_pathv[i], err, sizeof err) != TD_OK)
			fprintf(stderr, "fuzz: %s\n", err);
	globfree(&g);
	atexit(free_keylog);
	return capture_keylog;
}

struct td_diagnoser *td_fuzz_diagnoser_new(void)
{
	static bool warned;
	char ca[4096], client_ca[4096], err[256];
	snprintf(ca, sizeof ca, "%s", td_fuzz_path("captures/lab/rootCA.crt"));
	snprintf(client_ca, sizeof client_ca, "%s", td_fuzz_path("captures/lab/clientCAs.pem"));
	struct td_diag_opts opts = {
		.ca_file = ca, .client_ca_file = client_ca, .no_system_store = true,
	};
	struct td_diagnoser *d = NULL;
	enum td_result r = td_diagnoser_new(&d, &opts, err, sizeof err);
	if (r == TD_ERR_IO) {
		if (!warned)
			fprintf(stderr, "fuzz: %s: diagnosing without trust stores\n", err);
		warned = true;
		struct td_diag_opts none = { .no_system_store = true };
		r = td_diagnoser_new(&d, &none, err, sizeof err);
	}
	if (r != TD_OK)
		td_fuzz_fail("td_diagnoser_new: %s", td_result_str(r));
	return d;
}

/* ---- the tee sink -------------------------------------------------------- */

struct tee {
	struct td_sink base;
	struct td_sink *to[3];   /* JSON, text, Markdown */
};

static void tee_update(struct td_sink *s, const struct td_conn *c)
{
	struct tee *t = (struct tee *)s;
	for (size_t i = 0; i < 3; i++)
		if (t->to[i]->conn_update)
			t->to[i]->conn_update(t->to[i], c);
}

static void tee_done(struct td_sink *s, const struct td_conn *c)
{
	struct tee *t = (struct tee *)s;
	for (size_t i = 0; i < 3; i++)
		t->to[i]->conn_done(t->to[i], c);
}

static void tee_finish(struct td_sink *s, const struct td_stats *st)
{
	struct tee *t = (struct tee *)s;
	for (size_t i = 0; i < 3; i++)
		if (t->to[i]->finish)
			t->to[i]->finish(t->to[i], st);
}

static void tee_free(struct td_sink *s)
{
	struct tee *t = (struct tee *)s;
	for (size_t i = 0; i < 3; i++)
		td_sink_free(t->to[i]);
	free(t);
}

void td_fuzz_out_open(struct td_fuzz_out *o, bool color, bool verbose)
{
	memset(o, 0, sizeof *o);
	o->color = color;
	o->jf = open_memstream(&o->json, &o->json_len);
	o->tf = open_memstream(&o->text, &o->text_len);
	o->mf = open_memstream(&o->md, &o->md_len);
	struct tee *t = calloc(1, sizeof *t);
	struct td_text_opts topts = { .color = color, .verbose = verbose };
	/* Every connection in full (all), and a header that names
	 * everything, so that all of the report's code runs. */
	struct td_md_opts mopts = {
		.all = true, .version = "fuzz", .capture_name = "fuzz.pcap", .capture_size = 1234,
		.capture_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.filter = "tcp port 443", .keylog = "fuzz.keylog", .trust_store = "lab",
		.client_trust_store = "lab clients",
	};
	if (!o->jf || !o->tf || !o->mf || !t)
		td_fuzz_fail("out of memory");
	t->to[0] = td_json_sink_new(o->jf);
	t->to[1] = td_text_sink_new(o->tf, &topts);
	t->to[2] = td_markdown_sink_new(o->mf, &mopts);
	if (!t->to[0] || !t->to[1] || !t->to[2])
		td_fuzz_fail("out of memory");
	t->base.conn_update = tee_update;
	t->base.conn_done = tee_done;
	t->base.finish = tee_finish;
	t->base.free = tee_free;
	o->sink = &t->base;
}

/* ---- the checks ---------------------------------------------------------- */

bool td_fuzz_utf8_ok(const char *s, size_t n, bool allow_esc, size_t *bad_at)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		size_t len;
		uint32_t cp;
		if (c < 0x80) {
			len = 1;
			cp = c;
		} else if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		} else {
			goto bad;
		}
		if (len > n - i)
			goto bad;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (p[i + k] & 0x3fu);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		/* C0 (but newline and tab), DEL and C1 never reach the output. */
		bool ctl = (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp < 0xa0);
		if (ctl && !(allow_esc && cp == 0x1b))
			goto bad;
		i += len;
	}
	return true;
bad:
	if (bad_at)
		*bad_at = i;
	return false;
}

/* A small recursive-descent JSON (RFC 8259) recogniser. */
struct js {
	const char *p;
	size_t left;
	unsigned depth;
};

static void js_ws(struct js *j)
{
	while (j->left && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')) {
		j->p++;
		j->left--;
	}
}

static bool js_lit(struct js *j, const char *lit)
{
	size_t n = strlen(lit);
	if (j->left < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	j->left -= n;
	return true;
}

static bool js_digits(struct js *j)
{
	size_t n = 0;
	while (j->left && *j->p >= '0' && *j->p <= '9') {
		j->p++;
		j->left--;
		n++;
	}
	return n > 0;
}

static bool js_number(struct js *j)
{
	if (j->left && *j->p == '-') {
		j->p++;
		j->left--;
	}
	if (j->left && *j->p == '0') {
		j->p++;
		j->left--;
	} else if (!js_digits(j)) {
		return false;
	}
	if (j->left && *j->p == '.') {
		j->p++;
		j->left--;
		if (!js_digits(j))
			return false;
	}
	if (j->left && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		j->left--;
		if (j->left && (*j->p == '+' || *j->p == '-')) {
			j->p++;
			j->left--;
		}
		if (!js_digits(j))
			return false;
	}
	return true;
}

static bool js_string(struct js *j)
{
	if (!j->left || *j->p != '"')
		return false;
	j->p++;
	j->left--;
	while (j->left) {
		unsigned char c = (unsigned char)*j->p;
		j->p++;
		j->left--;
		if (c == '"')
			return true;
		if (c < 0x20)
			return false;
		if (c != '\\')
			continue;
		if (!j->left)
			return false;
		c = (unsigned char)*j->p;
		j->p++;
		j->left--;
		if (c == 'u') {
			if (j->left < 4)
				return false;
			for (int k = 0; k < 4; k++) {
				char h = j->p[k];
				if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') ||
				      (h >= 'A' && h <= 'F')))
					return false;
			}
			j->p += 4;
			j->left -= 4;
		} else if (!strchr("\"\\/bfnrt", c)) {
			return false;
		}
	}
	return false;
}

static bool js_value(struct js *j);

static bool js_container(struct js *j, char close, bool object)
{
	j->p++;
	j->left--;
	if (++j->depth > 64)
		return false;
	js_ws(j);
	if (j->left && *j->p == close) {
		j->p++;
		j->left--;
		j->depth--;
		return true;
	}
	for (;;) {
		js_ws(j);
		if (object) {
			if (!js_string(j))
				return false;
			js_ws(j);
			if (!j->left || *j->p != ':')
				return false;
			j->p++;
			j->left--;
		}
		if (!js_value(j))
			return false;
		js_ws(j);
		if (!j->left)
			return false;
		char c = *j->p;
		j->p++;
		j->left--;
		if (c == close)
			break;
		if (c != ',')
			return false;
	}
	j->depth--;
	return true;
}

static bool js_value(struct js *j)
{
	js_ws(j);
	if (!j->left)
		return false;
	switch (*j->p) {
	case '{': return js_container(j, '}', true);
	case '[': return js_container(j, ']', false);
	case '"': return js_string(j);
	case 't': return js_lit(j, "true");
	case 'f': return js_lit(j, "false");
	case 'n': return js_lit(j, "null");
	default: return js_number(j);
	}
}

bool td_fuzz_json_line_ok(const char *s, size_t n)
{
	struct js j = { s, n, 0 };
	if (!js_value(&j))
		return false;
	js_ws(&j);
	return j.left == 0;
}

static void show(const char *what, const char *s, size_t n, size_t at)
{
	size_t from = at > 80 ? at - 80 : 0;
	size_t to = n - at > 80 ? at + 80 : n;
	fprintf(stderr, "fuzz oracle: %s at byte %zu: ...", what, at);
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputs("...\n", stderr);
}

void td_fuzz_out_close(struct td_fuzz_out *o)
{
	td_sink_free(o->sink);
	o->sink = NULL;
	if (fclose(o->jf) != 0 || fclose(o->tf) != 0 || fclose(o->mf) != 0)
		td_fuzz_fail("closing a memory stream failed");
	size_t at = 0;
	if (!td_fuzz_utf8_ok(o->json, o->json_len, false, &at)) {
		show("JSON output is not printable UTF-8", o->json, o->json_len, at);
		abort();
	}
	/* JSON Lines: one value per line. */
	size_t start = 0;
	for (size_t i = 0; i < o->json_len; i++) {
		if (o->json[i] != '\n')
			continue;
		if (!td_fuzz_json_line_ok(o->json + start, i - start)) {
			show("JSON line is not valid JSON", o->json, o->json_len, start);
			abort();
		}
		start = i + 1;
	}
	if (start != o->json_len) {
		show("JSON output does not end with a newline", o->json, o->json_len, start);
		abort();
	}
	if (!td_fuzz_utf8_ok(o->text, o->text_len, o->color, &at)) {
		show("text output is not printable UTF-8", o->text, o->text_len, at);
		abort();
	}
	if (!td_fuzz_utf8_ok(o->md, o->md_len, false, &at)) {
		show("Markdown output is not printable UTF-8", o->md, o->md_len, at);
		abort();
	}
	/* TD_FUZZ_DUMP=json, text or markdown: show what the writers made of
	 * the input (to see what a harness reaches; replay one input with it). */
	const char *dump = getenv("TD_FUZZ_DUMP");
	if (dump && strcmp(dump, "json") == 0)
		fwrite(o->json, 1, o->json_len, stderr);
	else if (dump && strcmp(dump, "text") == 0)
		fwrite(o->text, 1, o->text_len, stderr);
	else if (dump && strcmp(dump, "markdown") == 0)
		fwrite(o->md, 1, o->md_len, stderr);
	free(o->json);
	free(o->text);
	free(o->md);
	memset(o, 0, sizeof *o);
}
