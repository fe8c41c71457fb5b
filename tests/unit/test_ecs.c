/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ecs.c - what the JSON (schema 2) and ECS outputs add: the
 * Community ID v1 flow hash against the specification's baseline
 * (github.com/corelight/community-id-spec, baseline/baseline_deflt.json
 * and baseline_seed1.json: TCP over IPv4 and IPv6, UDP, SCTP), base64
 * against RFC 4648 10, the address helper, and the ECS sink's record
 * for a built connection (tests/e2e/ecs-fields.py checks the fields
 * against ECS's own reference over the captures).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "out.h"
#include "render.h"
#include "tests.h"
#include "tls_names.h"

struct cid_vec {
	uint8_t proto;
	const char *saddr, *daddr;
	uint16_t sport, dport;
	uint16_t seed;
	const char *id;
};

/* Each flow of the baseline in both directions: the same ID. */
static const struct cid_vec cid_vecs[] = {
	{ 6, "128.232.110.120", "66.35.250.204", 34855, 80, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 6, "66.35.250.204", "128.232.110.120", 80, 34855, 0, "1:LQU9qZlK+B5F3KDmev6m5PMibrg=" },
	{ 6, "2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a", 63943, 25, 0,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, 0,
	  "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=" },
	{ 17, "192.168.1.52", "8.8.8.8", 54585, 53, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	{ 17, "8.8.8.8", "192.168.1.52", 53, 54585, 0, "1:d/FP5EW3wiY1vCndhwleRRKHowQ=" },
	/* SCTP: equal ports, the addresses decide. */
	{ 132, "192.168.170.8", "192.168.170.56", 7, 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	{ 132, "192.168.170.56", "192.168.170.8", 7, 7, 0, "1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=" },
	/* Seed 1. */
	{ 6, "128.232.110.120", "66.35.250.204", 34855, 80, 1, "1:3V71V58M3Ksw/yuFALMcW0LAHvc=" },
	{ 6, "2607:f8b0:400c:c03::1a", "2001:470:e5bf:dead:4957:2174:e82c:4887", 25, 63943, 1,
	  "1:eJYTW6AOzFLlSUoESovMjnu7rMw=" },
	{ 17, "8.8.8.8", "192.168.1.52", 53, 54585, 1, "1:Q9We8WO3piVF8yEQBNJF4uiSVrI=" },
};

static void test_community_id_baseline(void)
{
	for (size_t i = 0; i < sizeof cid_vecs / sizeof cid_vecs[0]; i++) {
		const struct cid_vec *v = &cid_vecs[i];
		struct td_addr a, b;
		CU_ASSERT_TRUE_FATAL(td_frame_addr(&a, v->saddr) && td_frame_addr(&b, v->daddr));
		char id[TD_COMMUNITY_ID_SIZE];
		CU_ASSERT_EQUAL(td_community_id(id, &a, v->sport, &b, v->dport, v->proto, v->seed), TD_OK);
		CU_ASSERT_STRING_EQUAL(id, v->id);
	}
}

/* Same address both sides: the ports decide; mixed families are refused. */
static void test_community_id_edges(void)
{
	struct td_addr a, b;
	char x[TD_COMMUNITY_ID_SIZE], y[TD_COMMUNITY_ID_SIZE];
	CU_ASSERT_TRUE_FATAL(td_frame_addr(&a, "127.0.0.1"));
	CU_ASSERT_EQUAL(td_community_id(x, &a, 443, &a, 50000, 6, 0), TD_OK);
	CU_ASSERT_EQUAL(td_community_id(y, &a, 50000, &a, 443, 6, 0), TD_OK);
	CU_ASSERT_STRING_EQUAL(x, y);
	CU_ASSERT_EQUAL(strlen(x), TD_COMMUNITY_ID_SIZE - 1);
	CU_ASSERT_TRUE_FATAL(td_frame_addr(&b, "::1"));
	CU_ASSERT_EQUAL(td_community_id(x, &a, 1, &b, 2, 6, 0), TD_ERR_USAGE);
	CU_ASSERT_STRING_EQUAL(x, "");
	memset(&b, 0, sizeof b);
	CU_ASSERT_EQUAL(td_community_id(x, &b, 1, &b, 2, 6, 0), TD_ERR_USAGE);
}

/* RFC 4648 10's test vectors, and a buffer one byte short. */
static void test_base64(void)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	char buf[16];
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = strlen(v[i].in);
		CU_ASSERT_EQUAL(td_out_base64(buf, sizeof buf, (const uint8_t *)v[i].in, n),
				strlen(v[i].out));
		CU_ASSERT_STRING_EQUAL(buf, v[i].out);
		CU_ASSERT_EQUAL(TD_BASE64_SIZE(n), strlen(v[i].out) + 1);
	}
	CU_ASSERT_EQUAL(td_out_base64(buf, TD_BASE64_SIZE(6) - 1, (const uint8_t *)"foobar", 6), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	static const uint8_t bin[] = { 0xfb, 0xff, 0x00 };
	CU_ASSERT_EQUAL(td_out_base64(buf, sizeof buf, bin, 3), 4);
	CU_ASSERT_STRING_EQUAL(buf, "+/8A");
}

static void test_out_ip(void)
{
	struct td_addr a;
	char buf[64];
	CU_ASSERT_TRUE_FATAL(td_frame_addr(&a, "192.0.2.1"));
	CU_ASSERT_TRUE(td_out_ip(buf, sizeof buf, &a));
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1");
	CU_ASSERT_TRUE_FATAL(td_frame_addr(&a, "2001:db8:0:0::1"));
	CU_ASSERT_TRUE(td_out_ip(buf, sizeof buf, &a));
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8::1");
	memset(&a, 0, sizeof a);
	CU_ASSERT_FALSE(td_out_ip(buf, sizeof buf, &a));
	CU_ASSERT_STRING_EQUAL(buf, "");
}

/* A failed TLS 1.2 mutual-TLS handshake with a server chain of two
 * (the leaf's subject with an RFC 4514 escape) and one diagnosis. */
static struct td_conn *ecs_conn(void)
{
	struct td_conn *c = td_conn_new(7);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE_FATAL(td_frame_addr(&c->client_addr, "192.0.2.1") &&
			     td_frame_addr(&c->server_addr, "192.0.2.10"));
	c->client_port = 51234;
	c->server_port = 8443;
	c->start_us = 1795754963123456ull;  /* 2026-11-27T04:49:23.123456Z */
	c->last_us = c->start_us + 4200;
	c->tls = true;
	c->version = TD_VERSION_TLS12;
	c->cipher = 0xc02f;
	c->ske_group = 0x001d;
	c->ch.present = true;
	c->ch.sni = strdup("a.example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->ch.sni);
	CU_ASSERT_EQUAL_FATAL(td_u16list_add(&c->ch.suites, 0x0a0a), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_u16list_add(&c->ch.suites, 0xc02f), TD_OK);
	c->sh.present = true;
	c->sh.cipher = 0xc02f;
	c->sh.alpn = strdup("h2");
	td_test_chain(&c->server_chain, 2);
	c->server_chain.present = true;
	struct td_cert *leaf = c->server_chain.certs[0];
	leaf->parsed = true;
	leaf->subject = strdup("O=Example\\, Inc.,OU=Web,OU=Edge,CN=a.example");
	leaf->issuer = strdup("CN=Example CA");
	leaf->serial = strdup("01:0a:ff");
	leaf->not_before = 1704067200;  /* 2024-01-01 */
	leaf->not_after = 1735689600;   /* 2025-01-01 */
	leaf->key_type = strdup("EC");
	leaf->key_bits = 256;
	leaf->key_curve = strdup("prime256v1");
	leaf->sig_alg = strdup("ecdsa-with-SHA256");
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&leaf->san, "DNS:a.example"), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&leaf->san, "IP:192.0.2.10"), TD_OK);
	snprintf(leaf->sha256, sizeof leaf->sha256, "%s",
		 "0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaf");
	static const uint8_t der[2][4] = { { 0x66, 0x6f, 0x6f, 0x62 }, { 0xfb, 0xff, 0x00, 0x01 } };
	for (size_t i = 0; i < 2; i++) {
		c->server_chain.certs[i]->der = malloc(4);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c->server_chain.certs[i]->der);
		memcpy(c->server_chain.certs[i]->der, der[i], 4);
		c->server_chain.certs[i]->der_len = 4;
	}
	td_test_event(c, 4100, TD_DIR_S2C, TD_EV_ALERT, 0, 2, NULL);
	c->events[0].alert_level = 2;
	c->events[0].alert_desc = 48;
	struct td_diagnosis d;
	memset(&d, 0, sizeof d);
	d.code = "CLIENT_CERT_UNTRUSTED";
	d.severity = TD_SEV_ERROR;
	d.stage = TD_STAGE_CLIENT_CERTIFICATE;
	d.gave_up = TD_PARTY_SERVER;
	d.summary = strdup("the server rejected the client's certificate");
	d.fix = strdup("add the client CA");
	CU_ASSERT_EQUAL_FATAL(td_strlist_add(&d.evidence, "unknown_ca from the server"), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_conn_add_diagnosis(c, &d), TD_OK);
	td_test_fate(c, TD_OUTCOME_FAILED);
	return c;
}

/* The record, piece by piece in order; a second connection gives a
 * second line; finish writes no summary. */
static void test_ecs_record(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct td_ecs_opts o = { .version = "9.9", .hostname = "sensor-1", .interface = "eth0" };
	struct td_sink *s = td_ecs_sink_new(f, &o);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct td_conn *c = ecs_conn();
	s->conn_done(s, c);
	c->id = 8;
	c->quic.present = true;
	s->conn_done(s, c);
	s->finish(s, NULL);
	td_sink_free(s);
	fclose(f);

	char *nl = strchr(buf, '\n');
	CU_ASSERT_PTR_NOT_NULL_FATAL(nl);
	CU_ASSERT_TRUE(td_test_json_valid(buf, (size_t)(nl - buf)));
	CU_ASSERT_TRUE(td_test_json_valid(nl + 1, strlen(nl + 1) - 1));
	CU_ASSERT_EQUAL(buf[len - 1], '\n');
	CU_ASSERT_TRUE(strchr(nl + 1, '\n') == buf + len - 1);  /* two lines, no summary */
	*nl = '\0';
	static const char *const want[] = {
		"{\"@timestamp\":\"2026-11-27T04:49:23.123456Z\",\"ecs\":{\"version\":\"8.0.0\"},"
		"\"event\":{\"kind\":\"event\",\"category\":[\"network\"],"
		"\"type\":[\"connection\",\"protocol\"],\"outcome\":\"failure\","
		"\"duration\":4200000},"
		"\"source\":{\"ip\":\"192.0.2.1\",\"port\":51234},"
		"\"destination\":{\"ip\":\"192.0.2.10\",\"port\":8443},"
		/* the Community ID as test_out.c's (worked out apart) */
		"\"network\":{\"transport\":\"tcp\",\"community_id\":\"1:oTAMd1hqHPRZabH38v0QexSFjDQ=\"},"
		"\"tls\":{\"version\":\"1.2\",\"version_protocol\":\"tls\","
		"\"cipher\":\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"curve\":\"x25519\","
		"\"established\":false,\"resumed\":false,\"next_protocol\":\"h2\","
		"\"client\":{\"server_name\":\"a.example\","
		"\"supported_ciphers\":[\"GREASE\",\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\"]},"
		"\"server\":{\"x509\":{\"alternative_names\":[\"a.example\",\"192.0.2.10\"],"
		"\"subject\":{\"distinguished_name\":\"O=Example\\\\, Inc.,OU=Web,OU=Edge,CN=a.example\","
		"\"common_name\":[\"a.example\"],\"organization\":[\"Example, Inc.\"],"
		"\"organizational_unit\":[\"Web\",\"Edge\"]},"
		"\"issuer\":{\"distinguished_name\":\"CN=Example CA\",\"common_name\":[\"Example CA\"]},"
		"\"not_before\":\"2024-01-01T00:00:00Z\",\"not_after\":\"2025-01-01T00:00:00Z\","
		"\"public_key_algorithm\":\"EC\",\"public_key_curve\":\"prime256v1\","
		"\"public_key_size\":256,\"serial_number\":\"010AFF\","
		"\"signature_algorithm\":\"ecdsa-with-SHA256\"},"
		/* RFC 4648: "foob" and fb ff 00 01 */
		"\"certificate_chain\":[\"Zm9vYg==\",\"+/8AAQ==\"],"
		"\"hash\":{\"sha256\":\"0AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAF\"}}},"
		"\"observer\":{\"product\":\"tlsdiag\",\"type\":\"sensor\",\"version\":\"9.9\","
		"\"hostname\":\"sensor-1\",\"ingress\":{\"interface\":{\"name\":\"eth0\"}}},"
		"\"tlsdiag\":{\"type\":\"tls\",\"schema\":2,\"id\":7,\"outcome\":\"failed\","
		"\"partial\":false,",
		"\"alerts\":[{\"from\":\"server\",\"level\":\"fatal\",\"description\":\"unknown_ca\","
		"\"encrypted\":false,\"t\":0.004100}],"
		"\"diagnoses\":[{\"code\":\"CLIENT_CERT_UNTRUSTED\",\"severity\":\"error\","
		"\"stage\":\"client_certificate\",\"side\":\"server\",\"confidence\":\"certain\","
		"\"summary\":\"the server rejected the client's certificate\","
		"\"evidence\":[\"unknown_ca from the server\"],\"fix\":\"add the client CA\"}],"
		"\"anomalies\":[],\"timeline\":[{\"t\":0.004100,\"dir\":\"s2c\",\"event\":\"alert\"",
		"}]}}",
	};
	const char *p = buf;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const char *q = strstr(p, want[i]);
		CU_ASSERT_PTR_NOT_NULL(q);
		if (!q) {
			fprintf(stderr, "\nmissing piece %zu: %s\nin: %s\n", i, want[i], p);
			break;
		}
		p = q + strlen(want[i]);
	}
	CU_ASSERT_STRING_EQUAL(p, "");
	/* QUIC: over UDP, and the JSON output's quic object under tlsdiag. */
	CU_ASSERT_PTR_NOT_NULL(strstr(nl + 1, "\"network\":{\"transport\":\"udp\",\"community_id\":\"1:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(nl + 1, "\"id\":8,\"outcome\":\"failed\",\"partial\":false,"
				      "\"transport\":\"quic\",\"quic\":{"));
	td_conn_free(c);
	free(buf);
}

/* Without options, and a redacted chain (a certificate without DER): no
 * observer name, no certificate_chain; null-safe with no client hello. */
static void test_ecs_sparse(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct td_sink *s = td_ecs_sink_new(f, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	struct td_conn *c = ecs_conn();
	free(c->server_chain.certs[1]->der);
	c->server_chain.certs[1]->der = NULL;
	td_client_hello_cleanup(&c->ch);
	c->version = 0;
	s->conn_done(s, c);
	td_sink_free(s);
	fclose(f);
	CU_ASSERT_TRUE(td_test_json_valid(buf, len - 1));
	CU_ASSERT_PTR_NULL(strstr(buf, "certificate_chain"));
	CU_ASSERT_PTR_NULL(strstr(buf, "\"version\":\"1.2\""));
	CU_ASSERT_PTR_NULL(strstr(buf, "\"client\":"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"observer\":{\"product\":\"tlsdiag\",\"type\":\"sensor\"},"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"hash\":{\"sha256\":"));
	td_conn_free(c);
	free(buf);
}

void td_suite_ecs(void)
{
	CU_pSuite s = td_test_suite("json schema 2 and ecs");
	td_test_add(s, "Community ID v1: the specification's baseline", test_community_id_baseline);
	td_test_add(s, "Community ID v1: equal addresses, mixed families", test_community_id_edges);
	td_test_add(s, "base64: RFC 4648 vectors", test_base64);
	td_test_add(s, "address alone, IPv4 and IPv6", test_out_ip);
	td_test_add(s, "ECS record of a failed mTLS handshake, and QUIC", test_ecs_record);
	td_test_add(s, "ECS record: no options, redacted chain, no hello", test_ecs_sparse);
}
