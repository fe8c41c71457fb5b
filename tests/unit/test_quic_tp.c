/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_quic_tp.c - QUIC transport parameters (src/tls/quic_tp.c) on
 * hand-built blocks (RFC 9000 18: varint id, varint length, value):
 * names, integers, connection IDs, GREASE ids, a truncated block, a
 * length past the end, repeated ids, the cap; and the extension read
 * from an EncryptedExtensions (src/tls/hello.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "quic_tp.h"
#include "tests.h"
#include "tls_handshake.h"

/* The list decoded last (freed by the next dec() and done()). */
static struct td_quic_tps *cur;

static void done(void)
{
	free(cur);
	cur = NULL;
}

/* Decode b[n], expecting want: the list, never NULL (an empty one when
 * the decoder gave none, which fails the test). */
static const struct td_quic_tps *dec(const uint8_t *b, size_t n, enum td_result want)
{
	static const struct td_quic_tps empty;
	done();
	CU_ASSERT_EQUAL(td_quic_tp_decode(b, n, &cur), want);
	CU_ASSERT_PTR_NOT_NULL(cur);
	return cur ? cur : &empty;
}

/* The parameter of an id; a failure and an empty one when missing (never
 * NULL, so the checks after it need no guard). */
static const struct td_quic_tp *find(const struct td_quic_tps *p, uint64_t id)
{
	static const struct td_quic_tp none = { .kind = TD_QTP_UNKNOWN };
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].id == id)
			return &p->v[i];
	CU_FAIL("parameter missing");
	return &none;
}

static void test_kinds(void)
{
	static const uint8_t block[] = {
		0x01, 0x02, 0x4b, 0xb8,                   /* max_idle_timeout 3000 */
		0x0f, 0x04, 0xde, 0xad, 0xbe, 0xef,       /* initial_source_connection_id */
		0x6a, 0xb2, 0x00,                         /* grease_quic_bit (0x2ab2), empty */
		0x1b, 0x03, 0x01, 0x02, 0x03,             /* GREASE 27 = 31 * 0 + 27 */
		0x11, 0x08, 0, 0, 0, 1, 0x6b, 0x33, 0x43, 0xcf, /* version_information */
		0x20, 0x01, 0x00,                         /* max_datagram_frame_size 0 */
		0x80, 0xff, 0x73, 0xdb, 0x00,             /* an unknown id, empty */
		0x0c, 0x00,                               /* disable_active_migration */
	};
	const struct td_quic_tps *p;
	char key[48], val[256];
	p = dec(block, sizeof block, TD_OK);
	CU_ASSERT_EQUAL(p->n, 8);
	CU_ASSERT_FALSE(p->truncated);
	const struct td_quic_tp *t = find(p, 0x01);
	CU_ASSERT_EQUAL(t->kind, TD_QTP_INT);
	CU_ASSERT_EQUAL(t->num, 3000);
	td_quic_tp_key(t, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "max_idle_timeout");
	td_quic_tp_value(t, val, sizeof val);
	CU_ASSERT_STRING_EQUAL(val, "3000");

	t = find(p, 0x0f);
	CU_ASSERT_EQUAL(t->kind, TD_QTP_CID);
	td_quic_tp_value(t, val, sizeof val);
	CU_ASSERT_STRING_EQUAL(val, "deadbeef");

	t = find(p, 0x2ab2);
	CU_ASSERT_EQUAL(t->kind, TD_QTP_FLAG);
	td_quic_tp_key(t, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "grease_quic_bit");

	t = find(p, 27);
	CU_ASSERT_EQUAL(t->kind, TD_QTP_RESERVED);
	td_quic_tp_key(t, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "reserved_0x1b");
	td_quic_tp_value(t, val, sizeof val);
	CU_ASSERT_STRING_EQUAL(val, "3 bytes: 010203");

	t = find(p, 0x11);
	td_quic_tp_value(t, val, sizeof val);
	CU_ASSERT_STRING_EQUAL(val, "chosen 0x00000001, available 0x6b3343cf");

	t = find(p, 0x20);
	CU_ASSERT_EQUAL(t->kind, TD_QTP_INT);
	CU_ASSERT_EQUAL(t->num, 0);

	t = find(p, 0xff73db);
	CU_ASSERT_EQUAL(t->kind, TD_QTP_UNKNOWN);
	td_quic_tp_key(t, key, sizeof key);
	CU_ASSERT_STRING_EQUAL(key, "0xff73db");
	td_quic_tp_value(t, val, sizeof val);
	CU_ASSERT_STRING_EQUAL(val, "0 bytes");

	CU_ASSERT_EQUAL(find(p, 0x0c)->kind, TD_QTP_FLAG);
	CU_ASSERT_STRING_EQUAL(td_quic_tp_name(0x10), "retry_source_connection_id");
	CU_ASSERT_STRING_EQUAL(td_quic_tp_name(0x00), "original_destination_connection_id");
	CU_ASSERT_PTR_NULL(td_quic_tp_name(0x12));
	CU_ASSERT_TRUE(td_quic_tp_reserved(27 + 31 * 1000));
	CU_ASSERT_FALSE(td_quic_tp_reserved(0x2ab2));
	done();
}

/* A value that does not fit its kind is shown, marked invalid. */
static void test_bad_values(void)
{
	static const uint8_t block[] = {
		0x01, 0x02, 0x05, 0x06,   /* a 1-byte varint and a stray byte */
		0x02, 0x02, 0xaa, 0xbb,   /* a 2-byte stateless_reset_token */
		0x0c, 0x01, 0x00,         /* disable_active_migration with a value */
		0x03, 0x00,               /* max_udp_payload_size, empty */
	};
	const struct td_quic_tps *p;
	char val[256];
	p = dec(block, sizeof block, TD_OK);
	CU_ASSERT_EQUAL(p->n, 4);
	for (size_t i = 0; i < p->n; i++)
		CU_ASSERT_EQUAL(p->v[i].kind, TD_QTP_BAD);
	td_quic_tp_value(&p->v[0], val, sizeof val);
	CU_ASSERT_STRING_EQUAL(val, "invalid: 0506");
	done();
}

static void test_truncated(void)
{
	const struct td_quic_tps *p;
	/* A length past the end: what came before is kept. */
	static const uint8_t past[] = { 0x0e, 0x01, 0x07, 0x01, 0x05, 0x40 };
	p = dec(past, sizeof past, TD_ERR_MALFORMED);
	CU_ASSERT_TRUE(p->truncated);
	CU_ASSERT_EQUAL(p->n, 1);
	CU_ASSERT_EQUAL(p->v[0].num, 7);
	/* An id whose varint is cut. */
	static const uint8_t cut_id[] = { 0x0e, 0x01, 0x07, 0xc0, 0x00 };
	p = dec(cut_id, sizeof cut_id, TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(p->n, 1);
	/* An id without a length. */
	static const uint8_t no_len[] = { 0x01 };
	p = dec(no_len, sizeof no_len, TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(p->n, 0);
	/* A huge 8-byte length. */
	static const uint8_t huge[] = { 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	p = dec(huge, sizeof huge, TD_ERR_MALFORMED);
	CU_ASSERT_EQUAL(p->n, 0);
	/* Empty is fine: no parameters. */
	p = dec(NULL, 0, TD_OK);
	CU_ASSERT_EQUAL(p->n, 0);
	done();
}

static void test_duplicates(void)
{
	static const uint8_t block[] = { 0x01, 0x01, 0x05, 0x01, 0x01, 0x06, 0x01, 0x01, 0x07 };
	const struct td_quic_tps *p;
	p = dec(block, sizeof block, TD_OK);
	CU_ASSERT_EQUAL(p->n, 1);
	CU_ASSERT_EQUAL(p->duplicates, 2);
	CU_ASSERT_EQUAL(p->v[0].num, 5);  /* the first one is kept */
	done();
}

/* More parameters than the cap: the first are kept, the rest counted. */
static void test_cap(void)
{
	uint8_t block[(TD_CAP_QUIC_TP + 8) * 4];
	size_t n = 0;
	for (size_t i = 0; i < TD_CAP_QUIC_TP + 8; i++) {
		uint16_t id = (uint16_t)(27 + 31 * (i + 3));  /* GREASE ids, 2-byte varints */
		block[n++] = (uint8_t)(0x40 | id >> 8);
		block[n++] = (uint8_t)id;
		block[n++] = 0x01;
		block[n++] = (uint8_t)i;
	}
	const struct td_quic_tps *p;
	p = dec(block, n, TD_OK);
	CU_ASSERT_EQUAL(p->n, TD_CAP_QUIC_TP);
	CU_ASSERT_EQUAL(p->more, 8);
	CU_ASSERT_EQUAL(p->v[0].kind, TD_QTP_RESERVED);
	CU_ASSERT_EQUAL(p->v[0].id, 27 + 31 * 3);
	done();
}

/* A long value keeps its first TD_QUIC_TP_BYTES bytes, said with "...". */
static void test_long_value(void)
{
	uint8_t block[3 + 100] = { 0x1b, 0x40, 100 };
	memset(block + 3, 0xab, 100);
	const struct td_quic_tps *p;
	char val[512];
	p = dec(block, sizeof block, TD_OK);
	CU_ASSERT_EQUAL(p->n, 1);
	CU_ASSERT_EQUAL(p->v[0].len, 100);
	CU_ASSERT_EQUAL(p->v[0].n, TD_QUIC_TP_BYTES);
	td_quic_tp_value(&p->v[0], val, sizeof val);
	CU_ASSERT_EQUAL(strncmp(val, "100 bytes: abab", 15), 0);
	CU_ASSERT_EQUAL(strcmp(val + strlen(val) - 3, "..."), 0);
	/* A short buffer is cut, still terminated. */
	char small[8];
	td_quic_tp_value(&p->v[0], small, sizeof small);
	CU_ASSERT_TRUE(strlen(small) < sizeof small);
	done();
}

/* The server's parameters come in its EncryptedExtensions. */
static void test_encrypted_extensions(void)
{
	static const uint8_t ee[] = {
		0x00, 0x0e,                  /* extensions<0..2^16-1> */
		0x00, 0x39, 0x00, 0x0a,      /* quic_transport_parameters, 10 bytes */
		0x09, 0x02, 0x40, 0x64,      /* initial_max_streams_uni 100 */
		0x00, 0x04, 1, 2, 3, 4,      /* original_destination_connection_id */
	};
	struct td_server_hello sh = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_encrypted_extensions(ee, sizeof ee, &sh), TD_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sh.quic_tp);
	CU_ASSERT_EQUAL(sh.quic_tp->n, 2);
	CU_ASSERT_EQUAL(sh.quic_tp->v[0].num, 100);
	CU_ASSERT_EQUAL(sh.quic_tp->v[1].kind, TD_QTP_CID);
	CU_ASSERT_EQUAL(sh.quic_tp->v[1].n, 4);
	/* A clone owns its own copy. */
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->sh = sh;
	struct td_conn *k = td_conn_clone(c);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k->sh.quic_tp);
	CU_ASSERT_PTR_NOT_EQUAL(k->sh.quic_tp, c->sh.quic_tp);
	CU_ASSERT_EQUAL(k->sh.quic_tp->v[0].num, 100);
	td_conn_free(k);
	td_conn_free(c);
	done();
}

void td_suite_quic_tp(void)
{
	CU_pSuite s = td_test_suite("quic transport parameters");
	td_test_add(s, "names, kinds and values", test_kinds);
	td_test_add(s, "values that do not fit their kind", test_bad_values);
	td_test_add(s, "truncated blocks and lengths past the end", test_truncated);
	td_test_add(s, "repeated ids", test_duplicates);
	td_test_add(s, "the cap", test_cap);
	td_test_add(s, "a long value", test_long_value);
	td_test_add(s, "from an EncryptedExtensions, cloned", test_encrypted_extensions);
}
