/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_keylog.c - NSS key log parsing and lookup (keylog.h). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "keylog.h"
#include "tests.h"

#define CR_A "999ec551798c7dbef987202c17fc9532bea256d203ee9c33289f7a289bfc7083"
#define CR_B "75e92d5c4430476e50402ef3f545afa01a895936d4f8fae5e73fbf20a811d779"
#define SEC32 "531567bc2e4027c11b1f8d1cdbe5659298634dbe8839c1f6fdffd358705fa4e5"
#define SEC48 "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30"

static void rnd(const char *hex, uint8_t out[32])
{
	for (size_t i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
}

static enum td_result add(struct td_keylog *k, const char *s)
{
	return td_keylog_add_text(k, s, strlen(s));
}

static void test_keylog_lookup(void)
{
	struct td_keylog *k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(add(k,
		"# comment\n"
		"\n"
		"   \t\n"
		"SERVER_HANDSHAKE_TRAFFIC_SECRET " CR_A " " SEC32 "\r\n"
		"CLIENT_RANDOM\t" CR_B "  " SEC48 "\n"
		"EARLY_EXPORTER_SECRET " CR_A " " SEC48 "   \n"
		"RSA 0011223344556677 " SEC48 "\n"), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_count(k), 3);
	CU_ASSERT_EQUAL(td_keylog_ignored(k), 1);
	size_t first = 99;
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, &first), 0);
	CU_ASSERT_EQUAL(first, 0);

	uint8_t a[32], b[32];
	rnd(CR_A, a);
	rnd(CR_B, b);
	size_t len = 99;
	const uint8_t *s = td_keylog_find(k, TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, a, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(len, 32);
	CU_ASSERT_EQUAL(s[0], 0x53);
	CU_ASSERT_EQUAL(s[31], 0xe5);
	s = td_keylog_find(k, TD_KEYLOG_CLIENT_RANDOM, b, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(len, 48);
	CU_ASSERT_EQUAL(s[47], 0x30);
	s = td_keylog_find(k, TD_KEYLOG_EARLY_EXPORTER_SECRET, a, &len);
	CU_ASSERT_PTR_NOT_NULL(s);
	CU_ASSERT_EQUAL(len, 48);
	/* Wrong label, wrong random. */
	CU_ASSERT_PTR_NULL(td_keylog_find(k, TD_KEYLOG_CLIENT_HANDSHAKE_TRAFFIC_SECRET, a, &len));
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_PTR_NULL(td_keylog_find(k, TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, b, &len));
	CU_ASSERT_PTR_NULL(td_keylog_find(k, TD_KEYLOG_LABEL_COUNT, a, &len));

	/* A later line replaces the secret, without a new entry. */
	CU_ASSERT_EQUAL(add(k, "SERVER_HANDSHAKE_TRAFFIC_SECRET " CR_A " " SEC48), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_count(k), 3);
	s = td_keylog_find(k, TD_KEYLOG_SERVER_HANDSHAKE_TRAFFIC_SECRET, a, &len);
	CU_ASSERT_EQUAL(len, 48);
	CU_ASSERT_STRING_EQUAL(td_keylog_label_name(TD_KEYLOG_CLIENT_TRAFFIC_SECRET_0), "CLIENT_TRAFFIC_SECRET_0");
	CU_ASSERT_STRING_EQUAL(td_keylog_label_name(TD_KEYLOG_LABEL_COUNT), "?");
	td_keylog_free(k);
	td_keylog_free(NULL);
}

static void test_keylog_bad_lines(void)
{
	struct td_keylog *k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	char longline[1000];
	memset(longline, 'A', sizeof longline - 2);
	longline[sizeof longline - 2] = '\n';
	longline[sizeof longline - 1] = 0;
	CU_ASSERT_EQUAL(add(k,
		"# header\n"                                                         /* 1 */
		"CLIENT_RANDOM " CR_A " " SEC32 "\n"                                 /* 2: not 48 bytes */
		"SERVER_TRAFFIC_SECRET_0 " CR_A "\n"                                 /* 3: two fields */
		"SERVER_TRAFFIC_SECRET_0 " CR_A "00 " SEC32 "\n"                     /* 4: random too long */
		"SERVER_TRAFFIC_SECRET_0 " CR_A " " SEC32 "x\n"                      /* 5: odd hex */
		"SERVER_TRAFFIC_SECRET_0 " CR_A " " SEC32 " extra\n"                 /* 6: four fields */
		"SERVER_TRAFFIC_SECRET_0 zz" CR_A " " SEC32 "\n"                     /* 7 */
		"CLIENT_TRAFFIC_SECRET_0 " CR_A " " SEC32 "\n"),                     /* 8: good */
		TD_OK);
	CU_ASSERT_EQUAL(add(k, longline), TD_OK);                            /* 9: too long */
	CU_ASSERT_EQUAL(add(k, "EXPORTER_SECRET " CR_A " 0011\n"), TD_OK);   /* 10: short */
	size_t first = 0;
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, &first), 8);
	CU_ASSERT_EQUAL(first, 2);
	static const size_t want[] = { 2, 3, 4, 5, 6, 7, 9, 10 };
	for (size_t i = 0; i < 8; i++) {
		size_t line = 0;
		const char *why = td_keylog_bad_line(k, i, &line);
		CU_ASSERT_PTR_NOT_NULL(why);
		CU_ASSERT_EQUAL(line, want[i]);
	}
	CU_ASSERT_PTR_NULL(td_keylog_bad_line(k, 8, NULL));
	CU_ASSERT_EQUAL(td_keylog_count(k), 1);
	td_keylog_free(k);
}

static void test_keylog_feed_partial(void)
{
	/* A client appending while we read: the half line waits for its LF. */
	struct td_keylog *k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	const char *line = "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CR_A " " SEC32 "\n";
	size_t n = strlen(line);
	CU_ASSERT_EQUAL(td_keylog_feed(k, line, 40), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_count(k), 0);
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, NULL), 0);
	CU_ASSERT_EQUAL(td_keylog_feed(k, line + 40, n - 40), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_count(k), 1);
	/* Byte by byte. */
	const char *l2 = "SERVER_TRAFFIC_SECRET_0 " CR_B " " SEC48 "\n";
	for (size_t i = 0; l2[i]; i++)
		CU_ASSERT_EQUAL(td_keylog_feed(k, l2 + i, 1), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_count(k), 2);
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, NULL), 0);
	td_keylog_free(k);
}

static void test_keylog_lab_files(void)
{
	char dir[4200];
	snprintf(dir, sizeof dir, "%s/../../../captures", td_test_datadir());
	DIR *d = opendir(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	size_t files = 0, total = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 8 || strcmp(e->d_name + n - 7, ".keylog") != 0)
			continue;
		char path[8400], err[256] = "";
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		struct td_keylog *k = td_keylog_new();
		CU_ASSERT_PTR_NOT_NULL_FATAL(k);
		CU_ASSERT_EQUAL(td_keylog_load_file(k, path, err, sizeof err), TD_OK);
		size_t first = 0;
		if (td_keylog_bad_lines(k, &first) != 0)
			fprintf(stderr, "\n%s: bad line %zu\n", e->d_name, first);
		CU_ASSERT_EQUAL(td_keylog_bad_lines(k, NULL), 0);
		/* OpenSSL 3.0 logs the client's secret after its KeyUpdate as
		 * CLIENT_TRAFFIC_SECRET_N, a label tlsdiag does not use (it
		 * derives the next secret itself): a valid line, ignored; in
		 * tls13-keyupdate-both (make-resumption.sh) the server's
		 * SERVER_TRAFFIC_SECRET_N too. */
		CU_ASSERT_EQUAL(td_keylog_ignored(k),
				strcmp(e->d_name, "tls13-keyupdate.keylog") == 0 ? 1u
				: strcmp(e->d_name, "tls13-keyupdate-both.keylog") == 0 ? 2u : 0u);
		total += td_keylog_count(k);
		files++;
		td_keylog_free(k);
	}
	closedir(d);
	CU_ASSERT_TRUE(files >= 60);
	CU_ASSERT_TRUE(total >= 100);

	/* A missing file is TD_ERR_IO with one line naming it. */
	struct td_keylog *k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	char err[256] = "";
	CU_ASSERT_EQUAL(td_keylog_load_file(k, "/nonexistent/x.keylog", err, sizeof err), TD_ERR_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "/nonexistent/x.keylog"));
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	td_keylog_free(k);
}

static void test_keylog_cap(void)
{
	/* TD_CAP_KEYLOG_ENTRIES + 5 distinct lines: the cap is kept, the rest counted. */
	size_t lines = TD_CAP_KEYLOG_ENTRIES + 5;
	const size_t linelen = 24 + 64 + 1 + 64 + 1;  /* "SERVER_TRAFFIC_SECRET_0 " */
	char *text = malloc(lines * linelen + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	char *p = text;
	for (size_t i = 0; i < lines; i++) {
		int w = sprintf(p, "SERVER_TRAFFIC_SECRET_0 %056x%08zx %s\n", 0u, i, SEC32);
		CU_ASSERT_EQUAL_FATAL((size_t)w, linelen);
		p += w;
	}
	struct td_keylog *k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(td_keylog_add_text(k, text, (size_t)(p - text)), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_count(k), TD_CAP_KEYLOG_ENTRIES);
	CU_ASSERT_EQUAL(td_keylog_dropped(k), 5);
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, NULL), 0);
	/* First and last kept are found; a dropped one is not. */
	uint8_t r[32] = { 0 };
	size_t len;
	CU_ASSERT_PTR_NOT_NULL(td_keylog_find(k, TD_KEYLOG_SERVER_TRAFFIC_SECRET_0, r, &len));
	size_t last = TD_CAP_KEYLOG_ENTRIES - 1;
	r[28] = (uint8_t)(last >> 24); r[29] = (uint8_t)(last >> 16);
	r[30] = (uint8_t)(last >> 8); r[31] = (uint8_t)last;
	CU_ASSERT_PTR_NOT_NULL(td_keylog_find(k, TD_KEYLOG_SERVER_TRAFFIC_SECRET_0, r, &len));
	last++;
	r[28] = (uint8_t)(last >> 24); r[29] = (uint8_t)(last >> 16);
	r[30] = (uint8_t)(last >> 8); r[31] = (uint8_t)last;
	CU_ASSERT_PTR_NULL(td_keylog_find(k, TD_KEYLOG_SERVER_TRAFFIC_SECRET_0, r, &len));
	td_keylog_free(k);
	free(text);
}

static void test_keylog_nul_and_binary(void)
{
	/* NUL and high bytes make their line malformed, nothing more. */
	static const char t[] = "CLIENT_RANDOM \0\xff\xfe garbage\n\x01\x02\x03\n";
	struct td_keylog *k = td_keylog_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(td_keylog_add_text(k, t, sizeof t - 1), TD_OK);
	CU_ASSERT_EQUAL(td_keylog_count(k), 0);
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, NULL) + td_keylog_ignored(k), 2);
	CU_ASSERT_EQUAL(td_keylog_bad_lines(k, NULL), 2);
	td_keylog_free(k);
}

void td_suite_keylog(void)
{
	CU_pSuite s = td_test_suite("keylog");
	td_test_add(s, "lookup", test_keylog_lookup);
	td_test_add(s, "bad_lines", test_keylog_bad_lines);
	td_test_add(s, "feed_partial", test_keylog_feed_partial);
	td_test_add(s, "lab_files", test_keylog_lab_files);
	td_test_add(s, "cap", test_keylog_cap);
	td_test_add(s, "nul_and_binary", test_keylog_nul_and_binary);
}
