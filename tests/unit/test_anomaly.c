/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_anomaly.c - anomalies as data (anomaly.h): every code has a
 * unique name and a well-formed template; each message reads word for
 * word as the sentence the engine wrote before anomalies were data
 * (the expected strings below are those sentences); a message too long
 * is cut where it was, and a redacted string still ends it; copies are
 * deep; the cap counts what it drops.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "caps.h"
#include "conn.h"
#include "tests.h"

#define AN_IDENT(code, name, sev, tmpl) #code,
static const char *const idents[TD_AN_COUNT] = { TD_ANOMALIES(AN_IDENT) };
#undef AN_IDENT

/* Names: lower_snake, the enum's name without TD_AN_, unique. */
static void test_names(void)
{
	for (int i = 0; i < TD_AN_COUNT; i++) {
		const char *n = td_anomaly_name((enum td_anomaly_code)i);
		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		CU_ASSERT_TRUE(n[0] != '\0');
		char want[96];
		size_t k = 0;
		for (const char *p = idents[i] + strlen("TD_AN_"); *p && k + 1 < sizeof want; p++)
			want[k++] = (char)tolower((unsigned char)*p);
		want[k] = '\0';
		CU_ASSERT_STRING_EQUAL(n, want);
		for (const char *p = n; *p; p++)
			CU_ASSERT_TRUE((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_');
		for (int j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(n, td_anomaly_name((enum td_anomaly_code)j));
	}
	CU_ASSERT_STRING_EQUAL(td_anomaly_name(TD_AN_COUNT), "unknown");
	CU_ASSERT_PTR_NULL(td_anomaly_template(TD_AN_COUNT));
}

/* Templates: non-empty, only %p %u %s %%, at most two %s; a known severity. */
static void test_templates(void)
{
	for (int i = 0; i < TD_AN_COUNT; i++) {
		enum td_anomaly_code code = (enum td_anomaly_code)i;
		const char *t = td_anomaly_template(code);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t);
		CU_ASSERT_TRUE(strlen(t) > 0 && strlen(t) < TD_ANOMALY_TEXT);
		int strs = 0;
		for (const char *p = t; *p; p++) {
			if (*p != '%')
				continue;
			p++;
			CU_ASSERT_TRUE(*p == 'p' || *p == 'u' || *p == 's' || *p == '%');
			if (*p == 's')
				strs++;
			if (!*p)
				break;
		}
		CU_ASSERT_TRUE(strs <= 2);
		enum td_severity s = td_anomaly_severity(code);
		CU_ASSERT_TRUE(s == TD_SEV_INFO || s == TD_SEV_WARNING || s == TD_SEV_ERROR);
	}
}

/* Each code with arguments, and the sentence the engine used to write. */
static const struct {
	enum td_anomaly_code code;
	enum td_dir dir;
	uint64_t num;
	const char *s0, *s1;
	const char *was;
} messages[] = {
	{ TD_AN_MALFORMED, TD_DIR_S2C, 0, "Certificate", "truncated input",
	  "Certificate from the server: truncated input" },
	{ TD_AN_CLIENT_ALERT_AFTER_HANDSHAKE, TD_DIR_C2S, 0, NULL, NULL,
	  "the client sent an alert right after the handshake, before any application data" },
	{ TD_AN_CLIENT_ALERT_AFTER_HANDSHAKE_INFERRED, TD_DIR_C2S, 0, NULL, NULL,
	  "the client sent an alert right after the handshake, before any application data "
	  "(inferred from record sizes)" },
	{ TD_AN_NON_TLS_BYTES, TD_DIR_C2S, 78, "GET / HTTP/1.1\\x0d\\x0a", NULL,
	  "the client sent 78 bytes that are not TLS: \"GET / HTTP/1.1\\x0d\\x0a\"" },
	{ TD_AN_NON_TLS_BEFORE_TLS, TD_DIR_S2C, 18446744073709551615ull, "", NULL,
	  "the server sent 18446744073709551615 bytes that are not TLS before TLS started: \"\"" },
	{ TD_AN_RECORD_TOO_LONG, TD_DIR_S2C, TD_CAP_RECORD, NULL, NULL,
	  "the server sent a record longer than 18432 bytes" },
	{ TD_AN_UNKNOWN_CONTENT_TYPE, TD_DIR_C2S, 99, NULL, NULL,
	  "record of content type 99 from the client" },
	{ TD_AN_FLOW_TABLE_FULL, TD_DIR_C2S, 0, NULL, NULL,
	  "the flow table was full (--max-flows): this flow was dropped" },
	{ TD_AN_IDLE_TIMEOUT, TD_DIR_C2S, 0, NULL, NULL,
	  "no packet for the idle timeout (--idle-timeout)" },
	{ TD_AN_MEMORY_CAP, TD_DIR_S2C, 0, NULL, NULL,
	  "memory cap (--max-memory) reached: bytes from the server dropped" },
	{ TD_AN_OUT_OF_MEMORY, TD_DIR_C2S, 0, NULL, NULL,
	  "out of memory: bytes from the client dropped" },
	{ TD_AN_KEYLOG_UNSUPPORTED, TD_DIR_C2S, 0, "SSL 3.0", "TLS_RSA_WITH_IDEA_CBC_SHA",
	  "key log: tlsdiag cannot decrypt SSL 3.0 records of suite TLS_RSA_WITH_IDEA_CBC_SHA" },
	{ TD_AN_KEYLOG_SECRET_LATE, TD_DIR_S2C, 0, NULL, NULL,
	  "key log: no secret for the server's records arrived in time; they stay encrypted" },
	{ TD_AN_KEYLOG_SECRET_MISSING, TD_DIR_C2S, 0, NULL, NULL,
	  "key log: no secret for the client's records" },
	{ TD_AN_KEYLOG_MISMATCH, TD_DIR_S2C, 0, NULL, NULL,
	  "key log entry does not match this connection: a record from the server did not decrypt" },
	{ TD_AN_QUIC_CRYPTO_CAP, TD_DIR_C2S, 65536, NULL, NULL,
	  "QUIC CRYPTO frames from the client ran more than 65536 bytes past a hole: bytes dropped" },
	{ TD_AN_QUIC_BAD_RETRY, TD_DIR_S2C, 0, NULL, NULL,
	  "a QUIC Retry from the server with a wrong integrity tag was ignored" },
	{ TD_AN_CERT_DECOMPRESSION, TD_DIR_S2C, 16777215, "brotli", "its declared length is over the cap",
	  "the server's compressed certificate (brotli, declaring 16777215 bytes): its declared "
	  "length is over the cap" },
};

static void test_messages(void)
{
	bool seen[TD_AN_COUNT] = { false };
	for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++) {
		struct td_conn *c = td_conn_new(1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, messages[i].code, messages[i].dir,
						      messages[i].num, messages[i].s0, messages[i].s1),
				      TD_OK);
		CU_ASSERT_EQUAL_FATAL(c->anomalies.n, 1);
		char buf[TD_ANOMALY_TEXT];
		size_t n = td_anomaly_format(&c->anomalies.v[0], buf, sizeof buf);
		CU_ASSERT_STRING_EQUAL(buf, messages[i].was);
		CU_ASSERT_EQUAL(n, strlen(messages[i].was));
		if (strcmp(buf, messages[i].was) != 0)
			fprintf(stderr, "\n%s: [%s]\n", td_anomaly_name(messages[i].code), buf);
		/* A short buffer cuts as snprintf does and says the whole length. */
		char small[8];
		CU_ASSERT_EQUAL(td_anomaly_format(&c->anomalies.v[0], small, sizeof small), n);
		CU_ASSERT_EQUAL(strncmp(small, messages[i].was, 7), 0);
		CU_ASSERT_EQUAL(small[7], '\0');
		seen[messages[i].code] = true;
		td_conn_free(c);
	}
	/* The table holds every code. */
	for (int i = 0; i < TD_AN_COUNT; i++) {
		CU_ASSERT_TRUE(seen[i]);
		if (!seen[i])
			fprintf(stderr, "\nno message test for %s\n", idents[i]);
	}
}

/* A message over TD_ANOMALY_TEXT - 1 bytes is cut there, as the engine's
 * 256-byte buffer cut it; replacing the cut string (as --redact does)
 * leaves the quote open, as it did. */
static void test_cut(void)
{
	char big[600], whole[1024];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(whole, sizeof whole, "the server sent 1919 bytes that are not TLS: \"%s\"", big);
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, TD_AN_NON_TLS_BYTES, TD_DIR_S2C, 1919, big, NULL),
			      TD_OK);
	/* Template text that crosses the limit is cut too. */
	char at_end[256];
	memset(at_end, 'y', 247);  /* + " from the " crosses 255 */
	at_end[247] = '\0';
	CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, TD_AN_MALFORMED, TD_DIR_C2S, 0, at_end,
					      "truncated input"), TD_OK);
	struct td_anomaly *a = &c->anomalies.v[0];
	char buf[TD_ANOMALY_SHOWN];
	size_t n = td_anomaly_format(a, buf, sizeof buf);
	CU_ASSERT_EQUAL(n, TD_ANOMALY_TEXT - 1);
	CU_ASSERT_EQUAL(strncmp(buf, whole, TD_ANOMALY_TEXT - 1), 0);
	CU_ASSERT_TRUE(a->end > 0);
	CU_ASSERT_TRUE(strlen(a->str[0]) < strlen(big));

	char w2[1024];
	snprintf(w2, sizeof w2, "%s from the client: truncated input", at_end);
	n = td_anomaly_format(&c->anomalies.v[1], buf, sizeof buf);
	CU_ASSERT_EQUAL(n, TD_ANOMALY_TEXT - 1);
	CU_ASSERT_EQUAL(strncmp(buf, w2, TD_ANOMALY_TEXT - 1), 0);
	CU_ASSERT_STRING_EQUAL(c->anomalies.v[1].str[1], "truncated input");

	free(a->str[0]);
	a->str[0] = strdup("[1919 bytes redacted]");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a->str[0]);
	td_anomaly_format(a, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "the server sent 1919 bytes that are not TLS: "
			       "\"[1919 bytes redacted]");
	td_conn_free(c);
}

/* The cap counts; a copy is deep and equal; a clone carries them. */
static void test_cap_and_copy(void)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	for (unsigned i = 0; i < TD_CAP_ANOMALIES + 3; i++)
		CU_ASSERT_EQUAL_FATAL(td_conn_anomaly(c, TD_AN_KEYLOG_UNSUPPORTED, TD_DIR_C2S, i,
						      "TLS 1.0", "TLS_RSA_WITH_SEED_CBC_SHA"), TD_OK);
	CU_ASSERT_EQUAL(c->anomalies.n, TD_CAP_ANOMALIES);
	CU_ASSERT_EQUAL(c->anomalies.dropped, 3);
	struct td_conn *k = td_conn_clone(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(k->anomalies.n, TD_CAP_ANOMALIES);
	CU_ASSERT_EQUAL(k->anomalies.dropped, 3);
	for (size_t i = 0; i < k->anomalies.n; i++) {
		const struct td_anomaly *x = &c->anomalies.v[i], *y = &k->anomalies.v[i];
		CU_ASSERT_EQUAL(y->code, x->code);
		CU_ASSERT_EQUAL(y->num, i);
		CU_ASSERT_PTR_NOT_EQUAL(y->str[0], x->str[0]);
		CU_ASSERT_STRING_EQUAL(y->str[1], x->str[1]);
	}
	td_conn_free(c);
	td_conn_free(k);
}

void td_suite_anomaly(void)
{
	CU_pSuite s = td_test_suite("anomaly");
	td_test_add(s, "codes: unique lower_snake names", test_names);
	td_test_add(s, "templates: placeholders and severity", test_templates);
	td_test_add(s, "every code's message as the engine wrote it", test_messages);
	td_test_add(s, "a message too long is cut where it was", test_cut);
	td_test_add(s, "the cap, copies and clones", test_cap_and_copy);
}
