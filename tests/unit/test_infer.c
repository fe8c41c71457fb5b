/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_infer.c - labelling encrypted records by size and position
 * (infer.h).  Record sizes below are those of the lab captures (openssl
 * s_server, TLS_CHACHA20_POLY1305_SHA256: 16-byte tag, 32-byte hash),
 * checked against the same captures decrypted with their key logs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "infer.h"
#include "tests.h"
#include "tls_names.h"

static struct td_conn *tls13(uint16_t cipher)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = true;
	c->ch.present = true;
	c->sh.present = true;
	c->version = TD_VERSION_TLS13;
	c->cipher = cipher;
	return c;
}

static void add(struct td_conn *c, enum td_event_kind k, enum td_dir d, uint8_t hs, uint32_t len)
{
	struct td_event e = { .ts_us = 1000 * (c->n_events + 1), .dir = d, .kind = k,
			      .hs_type = hs, .length = len };
	if (k == TD_EV_ENCRYPTED) {
		e.content_type = TD_CT_APPLICATION_DATA;
		e.encrypted = true;
	}
	CU_ASSERT_EQUAL_FATAL(td_conn_add_event(c, &e, NULL), TD_OK);
}

static void rec(struct td_conn *c, enum td_dir d, uint32_t len)
{
	add(c, TD_EV_ENCRYPTED, d, 0, len);
}

static void hello(struct td_conn *c)
{
	add(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 508);
	add(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_SERVER_HELLO, 118);
	add(c, TD_EV_CCS, TD_DIR_S2C, 0, 1);
}

/* The labels of the events, one per event ("-" for none). */
static void expect(const struct td_conn *c, const char *const *want, size_t n)
{
	CU_ASSERT_EQUAL_FATAL(c->n_events, n);
	for (size_t i = 0; i < n; i++) {
		const char *got = c->events[i].inferred ? c->events[i].inferred : "-";
		CU_ASSERT_STRING_EQUAL(got, want[i]);
	}
}

/* tls13-client-cert-missing: mTLS asked, the client had no certificate. */
static void test_client_cert_missing(void)
{
	struct td_conn *c = tls13(0x1303);
	hello(c);
	rec(c, TD_DIR_S2C, 23);
	rec(c, TD_DIR_S2C, 110);
	rec(c, TD_DIR_S2C, 4053);
	rec(c, TD_DIR_S2C, 537);
	rec(c, TD_DIR_S2C, 53);
	add(c, TD_EV_CCS, TD_DIR_C2S, 0, 1);
	rec(c, TD_DIR_C2S, 25);
	rec(c, TD_DIR_C2S, 53);
	rec(c, TD_DIR_C2S, 102);
	rec(c, TD_DIR_S2C, 19);
	add(c, TD_EV_TCP_FIN, TD_DIR_C2S, 0, 0);
	td_infer_records(c);
	static const char *const want[] = {
		"-", "-", "-", td_inf_encrypted_extensions, td_inf_cert_request,
		td_inf_certificate, td_inf_cert_verify, td_inf_finished, "-",
		td_inf_empty_certificate, td_inf_finished, td_inf_app_data, td_inf_alert, "-",
	};
	expect(c, want, sizeof want / sizeof want[0]);
	CU_ASSERT_EQUAL(td_infer_find(c, td_inf_empty_certificate, TD_DIR_C2S, 0), 9);
	CU_ASSERT_EQUAL(td_infer_find(c, td_inf_empty_certificate, TD_DIR_S2C, 0), -1);
	CU_ASSERT_EQUAL(td_infer_find(c, td_inf_empty_certificate, TD_DIR_C2S, 10), -1);
	/* Idempotent. */
	td_infer_records(c);
	expect(c, want, sizeof want / sizeof want[0]);
	td_conn_free(c);
}

/* A client certificate and its CertificateVerify; SHA-384 suite. */
static void test_mtls_sha384(void)
{
	struct td_conn *c = tls13(0x1302);
	hello(c);
	rec(c, TD_DIR_S2C, 23);
	rec(c, TD_DIR_S2C, 110);
	rec(c, TD_DIR_S2C, 4053);
	rec(c, TD_DIR_S2C, 537);
	rec(c, TD_DIR_S2C, 69);     /* 4 + 48 + 1 + 16 */
	rec(c, TD_DIR_C2S, 1342);
	rec(c, TD_DIR_C2S, 537);
	rec(c, TD_DIR_C2S, 69);
	rec(c, TD_DIR_S2C, 250);
	td_infer_records(c);
	static const char *const want[] = {
		"-", "-", "-", td_inf_encrypted_extensions, td_inf_cert_request,
		td_inf_certificate, td_inf_cert_verify, td_inf_finished,
		td_inf_certificate, td_inf_cert_verify, td_inf_finished, td_inf_ticket_or_data,
	};
	expect(c, want, sizeof want / sizeof want[0]);
	td_conn_free(c);
}

/* PSK resumption: EncryptedExtensions and Finished only. */
static void test_resumption(void)
{
	struct td_conn *c = tls13(0x1301);
	c->sh.psk = true;
	hello(c);
	rec(c, TD_DIR_S2C, 23);
	rec(c, TD_DIR_S2C, 53);
	rec(c, TD_DIR_C2S, 53);
	td_infer_records(c);
	static const char *const want[] = {
		"-", "-", "-", td_inf_encrypted_extensions, td_inf_finished, td_inf_finished,
	};
	expect(c, want, sizeof want / sizeof want[0]);
	td_conn_free(c);
}

/* A server that coalesces its flight, one that sends too little for a
 * certificate, and a client alert in answer to the server's flight. */
static void test_coalesced_and_small(void)
{
	struct td_conn *c = tls13(0x1301);
	hello(c);
	rec(c, TD_DIR_S2C, 3000);
	rec(c, TD_DIR_S2C, 53);
	rec(c, TD_DIR_C2S, 19);
	td_infer_records(c);
	static const char *const want[] = {
		"-", "-", "-", td_inf_server_flight, td_inf_finished, td_inf_alert,
	};
	expect(c, want, sizeof want / sizeof want[0]);
	td_conn_free(c);

	c = tls13(0x1301);
	hello(c);
	rec(c, TD_DIR_S2C, 90);
	rec(c, TD_DIR_S2C, 53);
	td_infer_records(c);
	CU_ASSERT_PTR_EQUAL(c->events[3].inferred, td_inf_server_flight_no_cert);
	td_conn_free(c);
}

/* CCM_8 has an 8-byte tag: an alert is 11 bytes, a Finished 45. */
static void test_ccm8(void)
{
	struct td_conn *c = tls13(0x1305);
	hello(c);
	rec(c, TD_DIR_S2C, 15);
	rec(c, TD_DIR_S2C, 2000);
	rec(c, TD_DIR_S2C, 300);
	rec(c, TD_DIR_S2C, 45);
	rec(c, TD_DIR_C2S, 11);
	td_infer_records(c);
	static const char *const want[] = {
		"-", "-", "-", td_inf_encrypted_extensions, td_inf_certificate,
		td_inf_cert_verify, td_inf_finished, td_inf_alert,
	};
	expect(c, want, sizeof want / sizeof want[0]);
	td_conn_free(c);
}

/* Decrypted connections, unknown suites and TLS 1.2. */
static void test_other_cases(void)
{
	struct td_conn *c = tls13(0x1301);
	hello(c);
	rec(c, TD_DIR_S2C, 23);
	c->decrypted = true;
	td_infer_records(c);
	CU_ASSERT_PTR_NULL(c->events[3].inferred);
	td_conn_free(c);

	c = tls13(0x00ff);
	hello(c);
	rec(c, TD_DIR_S2C, 23);
	td_infer_records(c);
	CU_ASSERT_PTR_NULL(c->events[3].inferred);
	td_conn_free(c);

	/* TLS 1.2: Finished after each CCS, then a renegotiation. */
	c = tls13(0xc02f);
	c->version = TD_VERSION_TLS12;
	add(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 200);
	add(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_SERVER_HELLO, 80);
	add(c, TD_EV_CCS, TD_DIR_C2S, 0, 1);
	struct td_event e = { .dir = TD_DIR_C2S, .kind = TD_EV_ENCRYPTED, .encrypted = true,
			      .content_type = TD_CT_HANDSHAKE, .length = 40 };
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
	add(c, TD_EV_CCS, TD_DIR_S2C, 0, 1);
	e.dir = TD_DIR_S2C;
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
	e.length = 300;
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
	td_infer_records(c);
	static const char *const want[] = {
		"-", "-", "-", td_inf_finished, "-", td_inf_finished, td_inf_renegotiation,
	};
	expect(c, want, sizeof want / sizeof want[0]);
	td_conn_free(c);
}

void td_suite_infer(void)
{
	CU_pSuite s = td_test_suite("infer");
	td_test_add(s, "client certificate missing", test_client_cert_missing);
	td_test_add(s, "mTLS with SHA-384", test_mtls_sha384);
	td_test_add(s, "PSK resumption", test_resumption);
	td_test_add(s, "coalesced and small server flights", test_coalesced_and_small);
	td_test_add(s, "CCM_8 tag size", test_ccm8);
	td_test_add(s, "decrypted, unknown suite, TLS 1.2", test_other_cases);
}
