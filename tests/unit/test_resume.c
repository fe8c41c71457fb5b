/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_resume.c - issue 16 Must 6 and the rest of Must 4 over TCP: the
 * pre_shared_key offered and selected (src/tls/hello.c), EncryptedExtensions'
 * early_data and ECH retry_configs, the 0-RTT verdict (src/tls/early.c),
 * its sentence (td_out_resumption, src/render/render.c) and
 * RESUMPTION_REFUSED (src/diagnose/rules.c).  The real captures are
 * tests/e2e/resumption.sh's; the ECH rejection is checked here only, on
 * hand-crafted bytes: Debian 12 has no server that speaks ECH.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "infer.h"
#include "render.h"
#include "tests.h"
#include "tls_handshake.h"
#include "tls_names.h"

/* A ClientHello body: TLS 1.2 legacy version, zero random, empty session
 * id, one suite (TLS_AES_128_GCM_SHA256), null compression, then these
 * extensions: early_data (empty) and pre_shared_key with two identities
 * (ticket bytes "ab" age 0x01020304, "c" age 0xa0b0c0d0) and two 32-byte
 * binders. */
static size_t psk_hello(uint8_t *b, size_t cap)
{
	size_t n = 0;
	CU_ASSERT_FATAL(cap >= 200);
	b[n++] = 0x03; b[n++] = 0x03;
	memset(b + n, 0, 32); n += 32;
	b[n++] = 0;                                   /* session id */
	b[n++] = 0; b[n++] = 2; b[n++] = 0x13; b[n++] = 0x01;
	b[n++] = 1; b[n++] = 0;                       /* compression */
	size_t ext_len_at = n; n += 2;
	b[n++] = 0; b[n++] = 42; b[n++] = 0; b[n++] = 0;   /* early_data */
	/* pre_shared_key: identities<2+ (2+2+4) + (2+1+4)>, binders<2+ 2*(1+32)> */
	size_t ids = (2 + 2 + 4) + (2 + 1 + 4), binders = 2 * (1 + 32);
	size_t body = 2 + ids + 2 + binders;
	b[n++] = 0; b[n++] = 41; b[n++] = (uint8_t)(body >> 8); b[n++] = (uint8_t)body;
	b[n++] = 0; b[n++] = (uint8_t)ids;
	b[n++] = 0; b[n++] = 2; b[n++] = 'a'; b[n++] = 'b';
	b[n++] = 0x01; b[n++] = 0x02; b[n++] = 0x03; b[n++] = 0x04;
	b[n++] = 0; b[n++] = 1; b[n++] = 'c';
	b[n++] = 0xa0; b[n++] = 0xb0; b[n++] = 0xc0; b[n++] = 0xd0;
	b[n++] = 0; b[n++] = (uint8_t)binders;
	for (int i = 0; i < 2; i++) {
		b[n++] = 32;
		memset(b + n, 0x55, 32);
		n += 32;
	}
	size_t ext = n - ext_len_at - 2;
	b[ext_len_at] = (uint8_t)(ext >> 8);
	b[ext_len_at + 1] = (uint8_t)ext;
	return n;
}

static void test_client_psk(void)
{
	uint8_t b[256];
	size_t n = psk_hello(b, sizeof b);
	struct td_client_hello ch = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_client_hello(b, n, &ch), TD_OK);
	CU_ASSERT_TRUE(ch.psk);
	CU_ASSERT_TRUE(ch.early_data);
	CU_ASSERT_EQUAL(ch.psk_identities, 2);
	CU_ASSERT_EQUAL(ch.psk_ages[0], 0x01020304u);
	CU_ASSERT_EQUAL(ch.psk_ages[1], 0xa0b0c0d0u);
	td_client_hello_cleanup(&ch);
	/* Every prefix decodes or fails cleanly (the sanitizer build checks
	 * the bounds). */
	for (size_t k = 0; k < n; k++) {
		struct td_client_hello p = { 0 };
		CU_ASSERT_NOT_EQUAL(td_tls_decode_client_hello(b, k, &p), TD_ERR_NOMEM);
		td_client_hello_cleanup(&p);
	}
	/* An identity with an empty ticket is malformed. */
	b[n - 2 * 33 - 2 - 7 - 8 + 1] = 0;  /* first identity's length: 2 -> 0 */
	struct td_client_hello bad = { 0 };
	CU_ASSERT_NOT_EQUAL(td_tls_decode_client_hello(b, n, &bad), TD_OK);
	td_client_hello_cleanup(&bad);
}

static void test_server_psk(void)
{
	/* legacy_version, random, session id (0), suite, compression,
	 * extensions: supported_versions TLS 1.3, pre_shared_key identity 1. */
	uint8_t b[64] = { 0x03, 0x03 };
	size_t n = 2 + 32;
	b[n++] = 0;
	b[n++] = 0x13; b[n++] = 0x01;
	b[n++] = 0;
	const uint8_t ext[] = { 0, 12, 0, 43, 0, 2, 0x03, 0x04, 0, 41, 0, 2, 0, 1 };
	memcpy(b + n, ext, sizeof ext);
	n += sizeof ext;
	struct td_server_hello sh = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_server_hello(b, n, &sh), TD_OK);
	CU_ASSERT_TRUE(sh.psk);
	CU_ASSERT_EQUAL(sh.psk_identity, 1);
	td_server_hello_cleanup(&sh);
}

/* EncryptedExtensions by hand (no real ECH server in Debian 12):
 * early_data, then encrypted_client_hello (0xfe0d) holding
 * ECHEncryptedExtensions { ECHConfigList retry_configs<4..2^16-1> } with
 * one 8-byte stand-in ECHConfig (version 0xfe0d, length 4, 4 bytes). */
static void test_ee_early_and_ech(void)
{
	const uint8_t ee[] = {
		0x00, 0x12,                               /* extensions */
		0x00, 0x2a, 0x00, 0x00,                   /* early_data */
		0xfe, 0x0d, 0x00, 0x0a,                   /* encrypted_client_hello */
		0x00, 0x08,                               /* retry_configs */
		0xfe, 0x0d, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
	};
	struct td_server_hello sh = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_encrypted_extensions(ee, sizeof ee, &sh), TD_OK);
	CU_ASSERT_TRUE(sh.ee_seen);
	CU_ASSERT_TRUE(sh.ee_early_data);
	CU_ASSERT_TRUE(sh.ech_retry);
	CU_ASSERT_EQUAL(sh.ech_retry_len, 8);
	td_server_hello_cleanup(&sh);
	for (size_t k = 0; k < sizeof ee; k++) {
		struct td_server_hello p = { 0 };
		CU_ASSERT_NOT_EQUAL(td_tls_decode_encrypted_extensions(ee, k, &p), TD_OK);
		CU_ASSERT_FALSE(p.ech_retry && p.ech_retry_len > 8);
		td_server_hello_cleanup(&p);
	}
	/* retry_configs shorter than an ECHConfig header (< 4 bytes). */
	const uint8_t shortcfg[] = { 0x00, 0x08, 0xfe, 0x0d, 0x00, 0x04, 0x00, 0x02, 0xfe, 0x0d };
	struct td_server_hello s2 = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_encrypted_extensions(shortcfg, sizeof shortcfg, &s2),
			TD_ERR_MALFORMED);
	td_server_hello_cleanup(&s2);
	/* An EncryptedExtensions without them: 0-RTT not taken, no ECH word. */
	const uint8_t plain[] = { 0x00, 0x00 };
	struct td_server_hello s3 = { 0 };
	CU_ASSERT_EQUAL(td_tls_decode_encrypted_extensions(plain, sizeof plain, &s3), TD_OK);
	CU_ASSERT_TRUE(s3.ee_seen);
	CU_ASSERT_FALSE(s3.ee_early_data);
	CU_ASSERT_FALSE(s3.ech_retry);
	td_server_hello_cleanup(&s3);
}

/* A resumed TLS 1.3 connection with 0-RTT offered, TLS_AES_128_GCM_SHA256:
 * ClientHello, one early record (49 bytes), ServerHello (PSK `identity`),
 * the server's EncryptedExtensions and Finished (27, 53), then the
 * client's first record after them, of `client_len` bytes. */
static struct td_conn *early_conn(bool psk, uint16_t identity, uint32_t client_len)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = true;
	c->ch.present = c->ch.psk = c->ch.early_data = true;
	c->ch.psk_identities = 1;
	c->sh.present = true;
	c->sh.psk = psk;
	c->sh.psk_identity = identity;
	c->version = 0x0304;
	c->cipher = 0x1301;
	td_test_event(c, 0, TD_DIR_C2S, TD_EV_HANDSHAKE, TD_HS_CLIENT_HELLO, 400, NULL);
	td_test_event(c, 1, TD_DIR_C2S, TD_EV_ENCRYPTED, 0, 49, NULL);
	td_test_event(c, 900, TD_DIR_S2C, TD_EV_HANDSHAKE, TD_HS_SERVER_HELLO, 120, NULL);
	td_test_event(c, 901, TD_DIR_S2C, TD_EV_ENCRYPTED, 0, 27, NULL);
	td_test_event(c, 902, TD_DIR_S2C, TD_EV_ENCRYPTED, 0, 53, NULL);
	td_test_event(c, 1500, TD_DIR_C2S, TD_EV_ENCRYPTED, 0, client_len, NULL);
	for (size_t i = 0; i < c->n_events; i++)
		if (c->events[i].kind == TD_EV_ENCRYPTED)
			c->events[i].content_type = TD_CT_APPLICATION_DATA;
	return c;
}

static void test_early_judge(void)
{
	/* EndOfEarlyData (4 + 1 + 16 = 21 bytes) first: accepted, inferred. */
	struct td_conn *c = early_conn(true, 0, 21);
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_ACCEPTED);
	CU_ASSERT_TRUE(c->early_inferred);
	CU_ASSERT_PTR_EQUAL(c->events[1].inferred, td_inf_early_data);
	CU_ASSERT_PTR_EQUAL(c->events[5].inferred, td_inf_end_of_early_data);
	/* EncryptedExtensions seen (a key log) overrides the sizes. */
	c->sh.ee_seen = true;
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_REJECTED);
	CU_ASSERT_FALSE(c->early_inferred);
	c->sh.ee_early_data = true;
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_ACCEPTED);
	td_conn_free(c);
	/* The Finished (4 + 32 + 1 + 16 = 53) first: rejected, inferred. */
	c = early_conn(true, 0, 53);
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_REJECTED);
	CU_ASSERT_TRUE(c->early_inferred);
	td_conn_free(c);
	/* Another size: not visible. */
	c = early_conn(true, 0, 300);
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_OFFERED);
	td_conn_free(c);
	/* No PSK accepted, or not the first identity, or a HelloRetryRequest:
	 * rejected for sure, whatever the sizes. */
	c = early_conn(false, 0, 21);
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_REJECTED);
	CU_ASSERT_FALSE(c->early_inferred);
	td_conn_free(c);
	c = early_conn(true, 1, 21);
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_REJECTED);
	td_conn_free(c);
	c = early_conn(true, 0, 21);
	c->sh.hrr = true;
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_REJECTED);
	/* Not offered: none, whatever else. */
	c->ch.early_data = false;
	td_early_judge(c);
	CU_ASSERT_EQUAL(c->early_data, TD_EARLY_NONE);
	td_conn_free(c);
}

static void test_sentence(void)
{
	char buf[320];
	struct td_conn *c = early_conn(true, 0, 21);
	td_early_judge(c);
	c->early_records = 1;
	CU_ASSERT_TRUE(td_out_resumption(buf, sizeof buf, c));
	CU_ASSERT_STRING_EQUAL(buf, "resumed (PSK accepted: identity 0 of 1); 0-RTT early data "
			       "accepted (inferred: the client sent EndOfEarlyData, by its size), "
			       "1 record sent");
	c->sh.psk = false;
	td_early_judge(c);
	c->early_decrypted = 1;
	CU_ASSERT_TRUE(td_out_resumption(buf, sizeof buf, c));
	CU_ASSERT_STRING_EQUAL(buf, "PSK offered (1 identity) but a full handshake was done "
			       "(resumption refused); 0-RTT early data rejected (the server "
			       "skipped it), 1 record sent, decrypted");
	/* Cut to fit, NUL-terminated. */
	char small[16];
	CU_ASSERT_TRUE(td_out_resumption(small, sizeof small, c));
	CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
	c->ch.psk = c->ch.early_data = false;
	td_early_judge(c);
	CU_ASSERT_FALSE(td_out_resumption(buf, sizeof buf, c));
	CU_ASSERT_STRING_EQUAL(buf, "");
	td_conn_free(c);
}

/* RESUMPTION_REFUSED: a PSK offered and none selected, only then. */
static void test_refused_rule(void)
{
	struct td_diag_opts o = { .no_system_store = true };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	for (int accepted = 0; accepted < 2; accepted++) {
		struct td_conn *c = early_conn(accepted, 0, 53);
		td_early_judge(c);
		CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
		const struct td_diagnosis *g = NULL;
		for (size_t j = 0; j < c->n_diags; j++)
			if (strcmp(c->diags[j].code, "RESUMPTION_REFUSED") == 0)
				g = &c->diags[j];
		CU_ASSERT_EQUAL(g != NULL, !accepted);
		if (g) {
			CU_ASSERT_EQUAL(g->severity, TD_SEV_INFO);
			CU_ASSERT_EQUAL(g->stage, TD_STAGE_SERVER_HELLO);
			CU_ASSERT_PTR_NOT_NULL(g->fix);
			CU_ASSERT_EQUAL(g->evidence.n, 3);  /* offered, none selected, 0-RTT skipped */
		}
		td_conn_free(c);
	}
	td_diagnoser_free(d);
}

void td_suite_resume(void)
{
	CU_pSuite s = td_test_suite("resume");
	td_test_add(s, "ClientHello pre_shared_key: identities and ages", test_client_psk);
	td_test_add(s, "ServerHello pre_shared_key: the selected identity", test_server_psk);
	td_test_add(s, "EncryptedExtensions: early_data, ECH retry_configs (hand-made)",
		    test_ee_early_and_ech);
	td_test_add(s, "0-RTT verdict: EncryptedExtensions, hellos, record sizes", test_early_judge);
	td_test_add(s, "resumption sentence (text and Markdown)", test_sentence);
	td_test_add(s, "RESUMPTION_REFUSED only when the PSK was refused", test_refused_rule);
}
