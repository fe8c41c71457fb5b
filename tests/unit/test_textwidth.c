/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_textwidth.c - the text report at any width: at 40, 80, 100 and
 * 132 columns, plain and verbose, with and without colour, no line is
 * wider than the width and none ends in a space or a tab (nor in one
 * followed only by colour escapes).  Columns are counted as the line
 * writer counts them (textw.h): one per code point, or per byte that is
 * not UTF-8, and none for a colour escape.
 *
 * The report is checked on every lab capture (captures/, through the
 * engine and the diagnoser, with its key log) and on a made-up
 * connection whose every field is long (UTF-8 names, a long SNI, dozens
 * of SANs, long sentences, IPv6 addresses); td_tw_text, which wraps the
 * sentences, is checked to break only after a space or a comma.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/render/text/textw.h"
#include "capture.h"
#include "conn.h"
#include "diagnose.h"
#include "engine.h"
#include "keylog.h"
#include "out.h"
#include "sink.h"
#include "tests.h"
#include "text.h"
#include "x509.h"

static const size_t widths[] = { 40, 80, 100, 132 };
enum { N_WIDTHS = sizeof widths / sizeof widths[0], N_MODES = 4 /* colour x verbose */ };

/* ---- measuring lines ---- */

struct shape {
	size_t lines;     /* lines seen */
	size_t max_cols;  /* the widest */
	size_t over;      /* lines wider than the width asked */
	size_t trailing;  /* lines whose last character is a space or a tab */
	size_t bad_esc;   /* escapes that are not colour (SGR) ones */
};

/* The SGR escape at p ("\033[" digits "m"): its length, 0 when p holds
 * something else. */
static size_t sgr_len(const char *p, const char *end)
{
	if (end - p < 3 || p[0] != '\033' || p[1] != '[')
		return 0;
	const char *q = p + 2;
	while (q < end && ((*q >= '0' && *q <= '9') || *q == ';'))
		q++;
	return q < end && *q == 'm' ? (size_t)(q - p) + 1 : 0;
}

static struct shape measure(const char *buf, size_t len, size_t width)
{
	struct shape s = { 0 };
	const char *p = buf, *end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t cols = 0;
		char last = 0;  /* the last character that is not an escape */
		while (p < e) {
			if (*p == '\033') {
				size_t k = sgr_len(p, e);
				if (k == 0) {
					s.bad_esc++;
					k = 1;
				}
				p += k;
				continue;
			}
			uint32_t cp;
			size_t k = td_text_utf8((const uint8_t *)p, (size_t)(e - p), &cp);
			last = *p;
			p += k ? k : 1;
			cols++;
		}
		s.lines++;
		if (cols > s.max_cols)
			s.max_cols = cols;
		if (cols > width)
			s.over++;
		if (last == ' ' || last == '\t')
			s.trailing++;
		p = e + 1;
	}
	return s;
}

/* Assert the shape of a report at width; say where it failed. */
static void check(const char *what, const char *buf, size_t len, size_t width, int mode)
{
	struct shape s = measure(buf, len, width);
	CU_ASSERT(s.lines > 0);
	CU_ASSERT_EQUAL(s.over, 0);
	CU_ASSERT_EQUAL(s.trailing, 0);
	CU_ASSERT_EQUAL(s.bad_esc, 0);
	if (s.over || s.trailing || s.bad_esc)
		fprintf(stderr, "\n%s at %zu (colour %d, verbose %d): %zu lines over (widest %zu), "
			"%zu ending in a space, %zu stray escapes\n", what, width, mode & 1,
			(mode & 2) != 0, s.over, s.max_cols, s.trailing, s.bad_esc);
}

/* ---- one report per width and mode ---- */

struct report {
	char *buf;
	size_t len;
	FILE *f;
	struct td_sink *sink;
	size_t width;
	int mode;
};

/* A sink handing every connection to each of the reports. */
struct tee {
	struct td_sink base;
	struct report r[N_WIDTHS * N_MODES];
};

static void tee_done(struct td_sink *s, const struct td_conn *c)
{
	struct tee *t = (struct tee *)s;
	for (size_t i = 0; i < N_WIDTHS * N_MODES; i++)
		t->r[i].sink->conn_done(t->r[i].sink, c);
}

static void tee_finish(struct td_sink *s, const struct td_stats *st)
{
	struct tee *t = (struct tee *)s;
	for (size_t i = 0; i < N_WIDTHS * N_MODES; i++)
		t->r[i].sink->finish(t->r[i].sink, st);
}

static void tee_free(struct td_sink *s)
{
	(void)s;  /* the test owns the tee */
}

static void tee_open(struct tee *t)
{
	memset(t, 0, sizeof *t);
	t->base.conn_done = tee_done;
	t->base.finish = tee_finish;
	t->base.free = tee_free;
	for (size_t w = 0; w < N_WIDTHS; w++) {
		for (int mode = 0; mode < N_MODES; mode++) {
			struct report *r = &t->r[w * N_MODES + (size_t)mode];
			r->width = widths[w];
			r->mode = mode;
			r->f = open_memstream(&r->buf, &r->len);
			CU_ASSERT_PTR_NOT_NULL_FATAL(r->f);
			struct td_text_opts o = { .color = mode & 1, .verbose = mode & 2,
						  .width = (unsigned)widths[w] };
			r->sink = td_text_sink_new(r->f, &o);
			CU_ASSERT_PTR_NOT_NULL_FATAL(r->sink);
		}
	}
}

/* Close every report, check it, free it. */
static void tee_check(struct tee *t, const char *what)
{
	for (size_t i = 0; i < N_WIDTHS * N_MODES; i++) {
		struct report *r = &t->r[i];
		td_sink_free(r->sink);
		fclose(r->f);
		check(what, r->buf, r->len, r->width, r->mode);
		free(r->buf);
	}
}

/* ---- the lab captures ---- */

static void frame_cb(void *ctx, enum td_link link, uint64_t ts_us, const uint8_t *data,
		     size_t caplen, size_t wirelen)
{
	td_engine_frame(ctx, link, ts_us, data, caplen, wirelen);
}

static void run_capture(const char *dir, const char *name, struct td_diagnoser *dg)
{
	char path[4096], err[512];
	struct tee tee;
	tee_open(&tee);
	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.diagnoser = dg;
	/* With its key log, as the e2e tests run it: TLS 1.3 shows its
	 * certificates and their long names only decrypted. */
	struct td_keylog *kl = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(kl);
	int k = snprintf(path, sizeof path, "%s/%.*s.keylog", dir, (int)(strlen(name) - 5), name);
	CU_ASSERT_FATAL(k > 0 && (size_t)k < sizeof path);
	FILE *probe = fopen(path, "r");
	if (probe) {
		fclose(probe);
		CU_ASSERT_EQUAL(td_keylog_load_file(kl, path, err, sizeof err), TD_OK);
		cfg.keylog = kl;
	}
	struct td_engine *e = td_engine_new(&cfg, &tee.base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	k = snprintf(path, sizeof path, "%s/%s", dir, name);
	CU_ASSERT_FATAL(k > 0 && (size_t)k < sizeof path);
	struct td_capture *cap = NULL;
	CU_ASSERT_EQUAL_FATAL(td_capture_open_file(&cap, path, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_capture_run(cap, frame_cb, e, err, sizeof err), TD_OK);
	td_engine_finish(e);
	td_capture_close(cap);
	td_engine_free(e);
	td_keylog_free(kl);
	tee_check(&tee, name);
}

static void test_captures(void)
{
	char dir[4096], err[512];
	snprintf(dir, sizeof dir, "%s/../../../captures", td_test_datadir());
	DIR *d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(td_x509_global_init(), TD_OK);
	struct td_diag_opts o = { .no_system_store = true };
	struct td_diagnoser *dg = NULL;
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&dg, &o, err, sizeof err), TD_OK);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".pcap") != 0)
			continue;
		run_capture(dir, de->d_name, dg);
		n++;
	}
	closedir(d);
	td_diagnoser_free(dg);
	CU_ASSERT(n >= 10);  /* the lab captures are there */
}

/* ---- a connection with every field long ---- */

static char *dup(const char *s)
{
	char *p = strdup(s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	return p;
}

/* A 62-character SNI: whole on a line from 80 columns on. */
#define LONG_SNI "a-rather-long-host-name-for-the-t\xc3\xa9sts.eu-west-1.example.net"
/* A word longer than any line: it may only be broken where lines end. */
#define HUGE_WORD "https://example.org/a/path/that/goes/on/and/on/without/a/single/space/" \
	"in/it/for/well/over/a/hundred/and/thirty/two/columns/index.html"

static void cert_long(struct td_cert *ct, size_t idx)
{
	ct->parsed = true;
	ct->der_len = 1800;
	ct->subject = dup(idx ? "C=FR,O=Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale des "
			  "Certificats Interm\xc3\xa9" "diaires,OU=\xe6\x9d\xb1\xe4\xba\xac "
			  "Operations,CN=Interm\xc3\xa9" "diaire de Confiance Num\xc3\xa9ro Deux"
			  : "C=DE,ST=Baden-W\xc3\xbcrttemberg,L=Z\xc3\xbcrich-Stra\xc3\x9f" "e,"
			  "O=\xc3\x9c" "bertragungssicherheit GmbH und Co. KG,CN=" LONG_SNI);
	ct->issuer = dup("C=FR,O=Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale des Certificats "
			 "Interm\xc3\xa9" "diaires,CN=Interm\xc3\xa9" "diaire de Confiance Num\xc3\xa9ro Deux");
	ct->serial = dup("4f:1a:02:9c:7e:33:81:d0:5b:6e:aa:10:42:99:c3:07:e8:21:5d:6f");
	ct->not_before = 1704067200;
	ct->not_after = 1740700800;
	ct->key_type = dup("RSA");
	ct->key_bits = 4096;
	ct->sig_alg = dup("sha256WithRSAEncryption");
	ct->is_ca = idx > 0;
	ct->path_len = idx > 0 ? 0 : -1;
	memset(ct->sha256, 'b', 64);
	ct->sha256[64] = '\0';
	for (int i = 0; i < 30 && idx == 0; i++) {
		char san[80];
		snprintf(san, sizeof san, "DNS:host-%02d.z\xc3\xbcrich.%s", i,
			 i % 3 ? "example.net" : "a-much-longer-subdomain.example.org");
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ct->san, san), TD_OK);
	}
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ct->ext_key_usage, "serverAuth"), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ct->ext_key_usage, "clientAuth"), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ct->key_usage, "digitalSignature"), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ct->key_usage, "keyEncipherment"), TD_OK);
}

static struct td_conn *conn_wide(void)
{
	struct td_conn *c = td_conn_new(7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	/* The longest addresses there are. */
	for (size_t i = 0; i < 16; i++)
		c->client_addr.b[i] = c->server_addr.b[i] = (uint8_t)(0xf0 + i);
	c->client_addr.family = c->server_addr.family = 6;
	c->client_port = c->server_port = 65535;
	c->start_us = 1795754963ull * 1000000u;
	c->last_us = c->start_us + 123456789;
	c->tls = true;
	c->version = TD_VERSION_TLS12;
	c->cipher = 0xcca8;  /* TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, 43 columns */
	c->ske_group = 29;
	c->fate.outcome = TD_OUTCOME_FAILED;
	c->partial = true;

	struct td_client_hello *ch = &c->ch;
	ch->present = true;
	ch->record_version = TD_VERSION_TLS10;
	ch->legacy_version = TD_VERSION_TLS12;
	ch->session_id_len = 32;
	ch->sni = dup(LONG_SNI);
	ch->psk = ch->early_data = ch->ech = ch->session_ticket = true;
	for (uint16_t v = 0x0300; v <= 0x0304; v++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&ch->versions, v), TD_OK);
	for (uint16_t v = 0xc000; v < 0xc040; v++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&ch->suites, v), TD_OK);
	for (uint16_t v = 0; v < 60; v++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&ch->extensions, v), TD_OK);
	static const uint16_t groups[] = { 29, 23, 24, 25, 30, 256, 257, 258, 259, 260, 0x11ec };
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&ch->groups, groups[i]), TD_OK);
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&ch->key_share_groups, groups[i]), TD_OK);
	}
	for (uint16_t v = 0x0401; v < 0x0420; v++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&ch->sig_algs, v), TD_OK);
	static const char *const alpn[] = { "h2", "http/1.1", "spdy/3.1", "acme-tls/1",
					    "a-protocol-name-that-is-rather-long/1.0" };
	for (size_t i = 0; i < sizeof alpn / sizeof alpn[0]; i++)
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&ch->alpn, alpn[i]), TD_OK);

	c->sh.present = true;
	c->sh.hrr = true;
	c->sh.legacy_version = TD_VERSION_TLS12;
	c->sh.selected_version = TD_VERSION_TLS13;
	c->sh.key_share_group = 0x11ec;
	c->sh.psk = c->sh.session_id_echo = true;
	c->sh.alpn = dup("a-protocol-name-that-is-rather-long/1.0");

	c->server_chain.present = true;
	td_test_chain(&c->server_chain, 2);
	c->server_chain.dropped = 3;
	cert_long(c->server_chain.certs[0], 0);
	cert_long(c->server_chain.certs[1], 1);

	c->cr.present = true;
	for (uint16_t v = 0x0401; v < 0x0420; v++)
		CU_ASSERT_EQUAL_FATAL(td_u16list_add(&c->cr.sig_algs, v), TD_OK);
	for (int i = 0; i < 12; i++) {
		char ca[160];
		snprintf(ca, sizeof ca, "C=FR,O=Autorit\xc3\xa9 de Certification Num\xc3\xa9ro %d "
			 "pour les Clients,CN=Client CA %d", i, i);
		CU_ASSERT_EQUAL_FATAL(td_strlist_add(&c->cr.ca_names, ca), TD_OK);
	}
	c->client_chain.present = true;
	c->client_chain.encrypted = true;

	td_test_event(c, 0, TD_DIR_C2S, TD_EV_TCP_SYN, 0, 0, NULL);
	td_test_event(c, 302, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 1517, NULL);
	td_test_event(c, 1210, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 122, "HelloRetryRequest");
	td_test_event(c, 1300, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_KEY_EXCHANGE, 552, NULL);
	td_test_event(c, 1400, TD_DIR_S2C, TD_EV_TCP_GAP, 0, 123456, NULL);
	td_test_event(c, 2000, TD_DIR_C2S, TD_EV_MALFORMED, 0, 0,
	   "CertificateVerify from the client: a length field runs past the end of its message");
	td_test_event(c, 123456789, TD_DIR_S2C, TD_EV_ALERT, 0, 0, NULL);
	c->events[c->n_events - 1].alert_level = 2;
	c->events[c->n_events - 1].alert_desc = 112;  /* unrecognized_name */
	c->dropped_events = 12;

	struct td_diagnosis d;
	memset(&d, 0, sizeof d);
	d.code = "CLIENT_ABORTED_AFTER_CERT_REQUEST";
	d.severity = TD_SEV_ERROR;
	d.stage = TD_STAGE_CLIENT_CERTIFICATE;
	d.gave_up = TD_PARTY_CLIENT;
	d.summary = dup("The client closed the connection right after the server asked for a "
			"certificate: it had none that any of the twelve acceptable CAs issued.");
	d.fix = dup("Give the client a key and certificate issued by 'C=FR,O=Autorit\xc3\xa9 de "
		    "Certification Num\xc3\xa9ro 0 pour les Clients,CN=Client CA 0' (see " HUGE_WORD
		    "), or add its issuer to the server's list.");
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&d.evidence, "the server asked for a certificate "
					     "from one of 12 CAs"), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&d.evidence, HUGE_WORD), TD_OK);
	for (size_t i = 0; i < TD_DIAG_EVENTS; i++)
		d.events[d.n_events++] = i;
	CU_ASSERT_EQUAL_FATAL(td_conn_add_diagnosis(c, &d), TD_OK);
	memset(&d, 0, sizeof d);
	d.code = "SERVER_CERT_NAME_MISMATCH_WITH_A_RATHER_LONG_CODE";
	d.severity = TD_SEV_WARNING;
	d.stage = TD_STAGE_SERVER_CERTIFICATE;
	d.summary = dup("The name the client asked for, " LONG_SNI ", is not among the "
			"certificate's names.");
	CU_ASSERT_EQUAL_FATAL(td_conn_add_diagnosis(c, &d), TD_OK);
	for (int i = 0; i < 3; i++) {
		char what[256];
		snprintf(what, sizeof what, "record %d: a handshake message of 70000 bytes, over "
			 "the cap, dropped (%s)", i, HUGE_WORD);
		CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, TD_AN_MALFORMED, TD_DIR_S2C, 0, what,
						      "over a cap"), TD_OK);
	}
	c->side[TD_DIR_S2C].cap_dropped = 4096;
	return c;
}

/* The report of conn_wide at every width and mode, then details that
 * make it readable where there is room. */
static void test_long_fields(void)
{
	struct tee tee;
	tee_open(&tee);
	struct td_conn *c = conn_wide();
	tee.base.conn_done(&tee.base, c);
	struct td_stats st;
	memset(&st, 0, sizeof st);
	st.frames = 123456789;
	st.bytes = 98765432109ull;
	st.tcp_segments = 123456000;
	st.flows = 4000000;
	st.tls_connections = 3999999;
	st.skipped_frames = st.malformed_frames = st.flows_idle = 77777;
	st.gap_bytes = st.reasm_cap_dropped = st.memory_cap_dropped = 999999;
	st.flows_evicted_full = st.hs_messages_dropped = st.dup_bytes = 55555;
	st.note = "the capture was cut short in its last frame: what was read is analysed, "
		  "the rest is not";
	st.first_us = c->start_us;
	st.last_us = c->last_us;
	tee.base.finish(&tee.base, &st);
	for (size_t i = 0; i < N_WIDTHS * N_MODES; i++) {
		struct report *r = &tee.r[i];
		fflush(r->f);
		if (r->width < 80 || (r->mode & 1))
			continue;
		/* From 80 columns on: the SNI, the hash and the subject's
		 * words whole; the huge word broken only at line ends. */
		CU_ASSERT_PTR_NOT_NULL(strstr(r->buf, "  " LONG_SNI));
		CU_ASSERT_PTR_NOT_NULL(strstr(r->buf, " bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
					      "bbbbbbbbbbbbbbbb\n"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r->buf, "\xc3\x9c" "bertragungssicherheit"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r->buf, "Baden-W\xc3\xbcrttemberg,"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r->buf, "CLIENT_ABORTED_AFTER_CERT_REQUEST"));
		CU_ASSERT_PTR_NOT_NULL(strstr(r->buf, "Alert fatal unrecognized_name"));
	}
	td_conn_free(c);
	tee_check(&tee, "conn_wide");
}

/* td_text_opts.width outside 40..1000 is brought inside; 0 is 80. */
static void test_width_bounds(void)
{
	static const struct { unsigned asked; size_t got; } cases[] = {
		{ 0, 80 }, { 1, 40 }, { 39, 40 }, { 41, 41 }, { 5000, 1000 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		struct td_text_opts o = { .verbose = true, .width = cases[i].asked };
		struct td_sink *s = td_text_sink_new(f, &o);
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		struct td_conn *c = conn_wide();
		td_test_fate(c, c->fate.outcome);
		s->conn_done(s, c);
		td_conn_free(c);
		td_sink_free(s);
		fclose(f);
		struct shape sh = measure(buf, len, cases[i].got);
		CU_ASSERT_EQUAL(sh.over, 0);
		CU_ASSERT_EQUAL(sh.trailing, 0);
		/* The width is used, not only respected: the SAN list fills it. */
		CU_ASSERT(sh.max_cols + 12 >= cases[i].got);
		free(buf);
	}
}

/* ---- td_tw_text: breaks between words only ---- */

/* Wrap s at width from indent (the first line starts at indent too),
 * with colour or not; the lines in a new string. */
static char *wrap(const char *s, size_t width, size_t indent, bool color, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct td_tw t;
	td_tw_init(&t, f, color, width);
	td_tw_spaces(&t, indent);
	td_tw_text(&t, s, color ? TD_TW_YELLOW : TD_TW_RESET, true, indent);
	td_tw_end(&t);
	fclose(f);
	return buf;
}

static void test_tw_text_words(void)
{
	/* Words, RDNs with commas, UTF-8 and runs of spaces; none longer
	 * than 40 - 18 columns. */
	static const char text[] =
		"Use a client certificate issued by 'O=LMT Corp,CN=clientCA'; this one is "
		"issued by 'O=Rogue Corp,OU=Caf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac,"
		"CN=rogueClientCA'.  Or add 'O=Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale,"
		"CN=Z\xc3\xbcrich-Stra\xc3\x9f" "e CA' to the server's client CA file, "
		"then restart it with x25519 first.";
	static const size_t indents[] = { 0, 6, 11, 18 };
	for (size_t w = 0; w < N_WIDTHS; w++) {
		for (size_t k = 0; k < sizeof indents / sizeof indents[0]; k++) {
			for (int color = 0; color < 2; color++) {
				size_t len;
				char *out = wrap(text, widths[w], indents[k], color, &len);
				check("td_tw_text", out, len, widths[w], color);
				/* Joined back (indent dropped, a space where
				 * a line did not end in a comma), the lines
				 * give the text: nothing lost, every break
				 * after a space or a comma. */
				char *joined = calloc(1, len + 1);
				CU_ASSERT_PTR_NOT_NULL_FATAL(joined);
				size_t o = 0;
				for (char *line = out, *nl; *line; line = nl + 1) {
					nl = strchr(line, '\n');
					CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
					*nl = '\0';
					char *p = line;
					while (*p == ' ')
						p++;
					CU_ASSERT_EQUAL((size_t)(p - line), indents[k]);
					for (; *p; p++) {
						size_t e = sgr_len(p, p + strlen(p));
						if (e)
							p += e - 1;
						else
							joined[o++] = *p;
					}
					if (nl[1] && o > 0 && joined[o - 1] != ',')
						joined[o++] = ' ';
				}
				joined[o] = '\0';
				/* Runs of spaces at a break shrink to one. */
				char want[sizeof text];
				size_t n = 0;
				for (size_t i = 0; text[i]; i++)
					if (!(text[i] == ' ' && n > 0 && want[n - 1] == ' '))
						want[n++] = text[i];
				want[n] = '\0';
				char got[sizeof text];
				n = 0;
				for (size_t i = 0; joined[i] && n + 1 < sizeof got; i++)
					if (!(joined[i] == ' ' && n > 0 && got[n - 1] == ' '))
						got[n++] = joined[i];
				got[n] = '\0';
				CU_ASSERT_STRING_EQUAL(got, want);
				if (strcmp(got, want) != 0)
					fprintf(stderr, "\nwidth %zu indent %zu:\n%s\n", widths[w],
						indents[k], out);
				free(joined);
				free(out);
			}
		}
	}
}

/* Spaces before a final colour reset go; the reset stays. */
static void test_tw_trailing(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct td_tw t;
	td_tw_init(&t, f, true, 0);
	td_tw_put(&t, "abc ");
	td_tw_color(&t, TD_TW_RED);
	td_tw_put(&t, "  ");
	td_tw_color(&t, TD_TW_RESET);
	td_tw_put(&t, " ");
	td_tw_end(&t);
	td_tw_spaces(&t, 12);  /* a line of spaces only */
	td_tw_end(&t);
	td_tw_put(&t, "x y");
	td_tw_end(&t);
	fclose(f);
	CU_ASSERT_EQUAL(len, strlen("abc\033[31m\033[0m\n\nx y\n"));
	CU_ASSERT_STRING_EQUAL(buf, "abc\033[31m\033[0m\n\nx y\n");
	free(buf);
}

void td_suite_textwidth(void)
{
	CU_pSuite s = td_test_suite("textwidth");
	td_test_add(s, "td_tw_text breaks between words", test_tw_text_words);
	td_test_add(s, "no trailing space, even before a reset", test_tw_trailing);
	td_test_add(s, "width bounds", test_width_bounds);
	td_test_add(s, "long fields at 40, 80, 100, 132", test_long_fields);
	td_test_add(s, "lab captures at 40, 80, 100, 132", test_captures);
}
