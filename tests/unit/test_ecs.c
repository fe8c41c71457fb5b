/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ecs.c - what the JSON (schema 2) and ECS outputs add: the
 * Community ID v1 flow hash against the specification's baseline
 * (github.com/corelight/community-id-spec, baseline/baseline_deflt.json
 * and baseline_seed1.json: TCP over IPv4 and IPv6, UDP, SCTP), base64
 * against RFC 4648 10, and the address helper.
 */
#include "config.h"

#include <string.h>

#include "frames.h"
#include "render.h"
#include "tests.h"

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

void td_suite_ecs(void)
{
	CU_pSuite s = td_test_suite("json schema 2 and ecs");
	td_test_add(s, "Community ID v1: the specification's baseline", test_community_id_baseline);
	td_test_add(s, "Community ID v1: equal addresses, mixed families", test_community_id_edges);
	td_test_add(s, "base64: RFC 4648 vectors", test_base64);
	td_test_add(s, "address alone, IPv4 and IPv6", test_out_ip);
}
