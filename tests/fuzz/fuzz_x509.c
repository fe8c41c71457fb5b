/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_x509.c - libFuzzer harness: certificates and distinguished
 * names (x509.h), chain verification (verify.h), and what the
 * certificate rules and the writers make of them.
 *
 * Input: DER blobs one after the other, as a chain is sent.  The
 * harness only splits them: a blob that starts like a DER SEQUENCE
 * (30 len...) ends where that length says; anything else, or a length
 * past the end, makes the rest of the input the last blob.  So a single
 * DER certificate, a single DER Name, or a concatenated chain are all
 * valid seeds.  At most CHAIN_MAX blobs.
 *
 * For each blob: td_x509_parse() (checking the model's invariants: the
 * DER kept, the SHA-256, every string printable UTF-8) and
 * td_x509_name_string().  Then the blobs are verified as a chain
 * against the lab trust stores, as a server's (odd input length) or a
 * client's chain, and put in a connection that goes through the
 * diagnoser and the JSON + text writers (fuzz_common.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "fuzz_common.h"
#include "reader.h"
#include "verify.h"
#include "x509.h"

#define CHAIN_MAX (TD_CAP_CHAIN + 2u)
/* 2027-01-01T00:00:00Z: inside the lab certificates' validity. */
#define VERIFY_AT 1798761600

static struct td_trust *server_store, *client_store;

static void free_stores(void)
{
	td_trust_free(server_store);
	td_trust_free(client_store);
}

static struct td_trust *load_store(const char *rel)
{
	struct td_trust *t = NULL;
	char err[256];
	if (td_trust_new(&t, td_fuzz_path(rel), NULL, false, err, sizeof err) != TD_OK) {
		fprintf(stderr, "fuzz_x509: %s: verifying without this store\n", err);
		return NULL;
	}
	return t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	static bool done;
	if (done)
		return 0;
	done = true;
	td_fuzz_global_init();
	server_store = load_store("captures/lab/rootCA.crt");
	client_store = load_store("captures/lab/clientCAs.pem");
	atexit(free_stores);
	return 0;
}

/* Length of the DER element at the start of r's bytes when it is a
 * SEQUENCE that fits; else everything left. */
static size_t next_blob(const struct td_reader *r)
{
	struct td_reader p = *r;
	size_t left = td_rd_left(&p);
	if (td_rd_u8(&p) != 0x30)
		return left;
	uint8_t l0 = td_rd_u8(&p);
	size_t len = 0, hdr = 2;
	if (l0 < 0x80) {
		len = l0;
	} else if (l0 >= 0x81 && l0 <= 0x83) {
		for (unsigned i = 0; i < (unsigned)(l0 - 0x80); i++)
			len = len << 8 | td_rd_u8(&p);
		hdr += (size_t)(l0 - 0x80);
	} else {
		return left;
	}
	if (!td_rd_ok(&p) || len > left - hdr)
		return left;
	return hdr + len;
}

static void check_str(const char *what, const char *s, bool may_be_null)
{
	if (!s) {
		if (!may_be_null)
			td_fuzz_fail("certificate %s is NULL", what);
		return;
	}
	if (!td_fuzz_utf8_ok(s, strlen(s), false, NULL))
		td_fuzz_fail("certificate %s is not printable UTF-8: %s", what, s);
}

static void check_list(const char *what, const struct td_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		check_str(what, l->v[i], false);
}

static void check_cert(const struct td_cert *c, const uint8_t *der, size_t len)
{
	if (c->der_len != len || (len && (!c->der || memcmp(c->der, der, len) != 0)))
		td_fuzz_fail("certificate DER not kept as given");
	if (strlen(c->sha256) != 64 || strspn(c->sha256, "0123456789abcdef") != 64)
		td_fuzz_fail("certificate sha256 is not 64 hex digits: %s", c->sha256);
	if (c->parsed == (c->error != NULL))
		td_fuzz_fail("certificate parsed=%d but error=%s", c->parsed,
			     c->error ? c->error : "(null)");
	check_str("error", c->error, true);
	check_str("subject", c->subject, !c->parsed);
	check_str("issuer", c->issuer, !c->parsed);
	check_str("serial", c->serial, true);
	check_str("key_type", c->key_type, true);
	check_str("key_curve", c->key_curve, true);
	check_str("sig_alg", c->sig_alg, true);
	check_list("SAN", &c->san);
	check_list("key usage", &c->key_usage);
	check_list("extended key usage", &c->ext_key_usage);
}

static void check_buf(const char *what, const char *s, size_t cap)
{
	if (!memchr(s, '\0', cap))
		td_fuzz_fail("chain check %s is not NUL-terminated", what);
	check_str(what, s, false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LLVMFuzzerInitialize(NULL, NULL);
	struct td_reader r = td_rd_make(data, size);
	const uint8_t *der[CHAIN_MAX];
	size_t der_len[CHAIN_MAX];
	size_t n = 0;
	while (td_rd_left(&r) > 0 && n < CHAIN_MAX) {
		size_t len = n + 1 == CHAIN_MAX ? td_rd_left(&r) : next_blob(&r);
		der[n] = td_rd_bytes(&r, len);
		der_len[n] = len;
		n++;
	}
	bool server = size & 1;

	struct td_conn *c = td_conn_new(1);
	struct td_cert *certs[CHAIN_MAX] = { NULL };
	if (!c)
		td_fuzz_fail("out of memory");
	for (size_t i = 0; i < n; i++) {
		if (td_x509_parse(der[i], der_len[i], &certs[i]) != TD_OK)
			td_fuzz_fail("td_x509_parse failed (out of memory?)");
		check_cert(certs[i], der[i], der_len[i]);
		char *name = td_x509_name_string(der[i], der_len[i]);
		if (name) {
			check_str("name string", name, false);
			if (td_strlist_take(&c->cr.ca_names, name) != TD_OK)
				td_fuzz_fail("out of memory");
		}
	}

	struct td_chain_check chk;
	memset(&chk, 0, sizeof chk);
	if (td_trust_verify(server ? server_store : client_store,
			    (const struct td_cert *const *)certs, n, VERIFY_AT, server, &chk) != TD_OK)
		td_fuzz_fail("td_trust_verify failed (out of memory?)");
	if (!td_chain_verdict_name(chk.verdict))
		td_fuzz_fail("no verdict name");
	if ((chk.verdict == TD_CHAIN_OK) != (chk.error == 0) && chk.verdict != TD_CHAIN_NOT_CHECKED)
		td_fuzz_fail("verdict %s with error %d", td_chain_verdict_name(chk.verdict), chk.error);
	if (chk.sent_index >= (int)n || chk.sent_index < -1)
		td_fuzz_fail("sent_index %d out of range (%zu certificates)", chk.sent_index, n);
	check_buf("reason", chk.reason, sizeof chk.reason);
	check_buf("subject", chk.subject, sizeof chk.subject);
	check_buf("missing_issuer", chk.missing_issuer, sizeof chk.missing_issuer);

	/* A TLS 1.2 connection that carried these certificates: the server's
	 * chain, or the client's after a CertificateRequest naming the blobs
	 * that parse as Names. */
	c->server_addr.family = 4;
	c->server_addr.b[3] = 2;
	c->client_addr.family = 4;
	c->client_addr.b[3] = 1;
	c->server_port = 443;
	c->client_port = 40000;
	c->start_us = c->last_us = (uint64_t)VERIFY_AT * 1000000u;
	c->tls = true;
	c->ch.present = true;
	c->ch.legacy_version = 0x0303;
	c->ch.sni = strdup("tls-server.local");
	c->sh.present = true;
	c->sh.legacy_version = 0x0303;
	c->version = 0x0303;
	c->cipher = 0xc02f;
	c->handshake_done = size & 2;
	c->fate.outcome = (size & 2) ? TD_OUTCOME_ESTABLISHED : TD_OUTCOME_FAILED;
	struct td_chain *chain = server ? &c->server_chain : &c->client_chain;
	chain->present = true;
	for (size_t i = 0; i < n; i++)
		td_chain_take(chain, certs[i]);
	if (!server) {
		c->server_chain.present = true;
		c->cr.present = true;
	}
	struct td_diagnoser *diag = td_fuzz_diagnoser_new();
	if (td_diagnose(diag, c) != TD_OK)
		td_fuzz_fail("td_diagnose failed (out of memory?)");
	struct td_fuzz_out out;
	td_fuzz_out_open(&out, size & 4, size & 8);
	out.sink->conn_done(out.sink, c);
	struct td_stats st;
	memset(&st, 0, sizeof st);
	st.tls_connections = 1;
	out.sink->finish(out.sink, &st);
	td_fuzz_out_close(&out);
	td_diagnoser_free(diag);
	td_conn_free(c);
	return 0;
}
