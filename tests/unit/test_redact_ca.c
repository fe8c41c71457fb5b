/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_redact_ca.c - what --redact does with CAs and cleartext bytes:
 *  - which CAs are public (verify.h td_trust_vouch and the subject index,
 *    src/diagnose/publicca.c), on the lab PKI of captures/lab with a
 *    store of the lab root standing in for the system bundle;
 *  - the redactor's three levels over synthetic connections where one
 *    CA is judged public and the others are not (redact.h);
 *  - the cleartext bytes (a CONNECT or SOCKS preamble) replaced whole,
 *    there and where free text quotes them, at every level.
 * The lab names are those `openssl x509 -noout -subject` prints for
 * captures/lab/rootCA.crt, intermediateCA.crt and clientCA.crt.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/asn_public.h>

#include "conn.h"
#include "redact.h"
#include "tests.h"
#include "verify.h"
#include "x509.h"
#include "../../src/diagnose/publicca.h"

#define LAB_ROOT "O=LMT Corp,CN=rootCA"
#define LAB_INTERMEDIATE "O=LMT Corp,CN=intermediateCA"
#define LAB_CLIENT_CA "O=LMT Corp,CN=clientCA"
/* Larger than any lab certificate (RSA 4096). */
#define DER_MAX 8192

/* ---- the lab PKI ---- */

static const char *lab_path(const char *name)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");
	snprintf(buf, sizeof buf, "%s/captures/lab/%s", top ? top : ".", name);
	return buf;
}

/* tests/unit/data/verify/NAME (see its gen.sh) */
static const char *vdata_path(const char *name)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%s/verify/%s", td_test_datadir(), name);
	return buf;
}

/* The DER of the certificate in a PEM file, malloc'd. */
static uint8_t *pem_der(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	static uint8_t pem[4 * DER_MAX];
	size_t n = fread(pem, 1, sizeof pem, f);
	fclose(f);
	uint8_t *der = malloc(DER_MAX);
	CU_ASSERT_PTR_NOT_NULL_FATAL(der);
	int k = wc_CertPemToDer(pem, (int)n, der, DER_MAX, CERT_TYPE);
	CU_ASSERT_FATAL(k > 0);
	*len = (size_t)k;
	return der;
}

static uint8_t *lab_der(const char *name, size_t *len)
{
	return pem_der(lab_path(name), len);
}

static struct td_trust *store_of(const char *path)
{
	char err[256];
	struct td_trust *t = NULL;
	CU_ASSERT_EQUAL_FATAL(td_x509_global_init(), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_trust_new(&t, path, NULL, false, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL_FATAL(td_trust_index_subjects(t), TD_OK);
	return t;
}

static struct td_trust *lab_store(const char *name)
{
	return store_of(lab_path(name));
}

/* A chain of lab certificates, parsed as the engine parses them. */
static void lab_chain(struct td_chain *ch, const char *const *names)
{
	memset(ch, 0, sizeof *ch);
	size_t n = 0;
	while (names[n])
		n++;
	ch->present = true;
	for (size_t i = 0; i < n && i < TD_CAP_CHAIN; i++) {
		size_t len;
		uint8_t *der = lab_der(names[i], &len);
		CU_ASSERT_EQUAL(td_x509_parse(der, len, &ch->certs[i]), TD_OK);
		if (ch->certs[i])
			ch->n++;
		free(der);
	}
}

/* td_trust_vouch over DER: each certificate made by td_x509_parse for
 * the call, as the engine makes them. */
static enum td_result vouch_der(const struct td_trust *t, const uint8_t *const *der,
				const size_t *len, size_t n, bool *issued, bool *vouched)
{
	struct td_cert *certs[8] = { NULL };
	CU_ASSERT_FATAL(n <= 8);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(td_x509_parse(der[i], len[i], &certs[i]), TD_OK);
	enum td_result r = td_trust_vouch(t, (const struct td_cert *const *)certs, n, issued,
					  vouched);
	for (size_t i = 0; i < n; i++)
		td_cert_unref(certs[i]);
	return r;
}

static void test_vouch(void)
{
	static const char *const names[] = { "server.crt", "intermediateCA.crt", "rootCA.crt" };
	uint8_t *owned[3];
	const uint8_t *der[3];
	size_t len[3];
	bool issued[3], vouched[3];
	for (size_t i = 0; i < 3; i++)
		der[i] = owned[i] = lab_der(names[i], &len[i]);

	/* The root stands for the system bundle: it vouches for itself and
	 * the intermediate it signed; the leaf is issued, not a CA. */
	struct td_trust *t = lab_store("rootCA.crt");
	CU_ASSERT_EQUAL(vouch_der(t, der, len, 3, issued, vouched), TD_OK);
	CU_ASSERT(issued[0] && issued[1] && issued[2]);
	CU_ASSERT(!vouched[0] && vouched[1] && vouched[2]);
	/* Without the root sent: the same, through the store. */
	CU_ASSERT_EQUAL(vouch_der(t, der, len, 2, issued, vouched), TD_OK);
	CU_ASSERT(issued[0] && issued[1] && !vouched[0] && vouched[1]);
	/* Only the leaf: issued by a CA that was not sent, so not vouched. */
	CU_ASSERT_EQUAL(vouch_der(t, der, len, 1, issued, vouched), TD_OK);
	CU_ASSERT(!issued[0] && !vouched[0]);
	CU_ASSERT(td_trust_has_subject(t, LAB_ROOT));
	CU_ASSERT(!td_trust_has_subject(t, LAB_INTERMEDIATE));
	CU_ASSERT(!td_trust_has_subject(t, "o=lmt corp,cn=rootca"));
	td_trust_free(t);

	/* Another PKI's store vouches for none of it. */
	t = lab_store("clientCA.crt");
	CU_ASSERT_EQUAL(vouch_der(t, der, len, 3, issued, vouched), TD_OK);
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT(!issued[i] && !vouched[i]);
	CU_ASSERT(!td_trust_has_subject(t, LAB_ROOT));
	td_trust_free(t);
	/* No store: none. */
	CU_ASSERT_EQUAL(vouch_der(NULL, der, len, 3, issued, vouched), TD_OK);
	CU_ASSERT(!issued[2] && !vouched[2]);
	for (size_t i = 0; i < 3; i++)
		free(owned[i]);
}

/* Signatures, not names: a certificate whose signature does not verify
 * is not issued (vbadsig: vleaf with a flipped byte), and a certificate
 * that is not a CA vouches for nothing it signs (vnotca, vbynotca). */
static void test_vouch_signatures(void)
{
	static const char *const names[] = { "vbadsig.pem", "vinter.pem", "vnotca.pem", "vbynotca.pem" };
	uint8_t *owned[4];
	const uint8_t *der[4];
	size_t len[4];
	bool issued[4], vouched[4];
	for (size_t i = 0; i < 4; i++)
		der[i] = owned[i] = pem_der(vdata_path(names[i]), &len[i]);
	struct td_trust *t = store_of(vdata_path("vroot.pem"));
	CU_ASSERT_EQUAL(vouch_der(t, der, len, 4, issued, vouched), TD_OK);
	CU_ASSERT(!issued[0] && !vouched[0]);
	CU_ASSERT(issued[1] && vouched[1]);
	CU_ASSERT(issued[2] && !vouched[2]);
	CU_ASSERT(!issued[3] && !vouched[3]);
	td_trust_free(t);
	/* The same against the anchor itself: vinter's name, not its key. */
	t = store_of(vdata_path("vinter.pem"));
	CU_ASSERT_EQUAL(vouch_der(t, der, len, 1, issued, vouched), TD_OK);
	CU_ASSERT(!issued[0]);
	size_t leaf_len;
	uint8_t *leaf = pem_der(vdata_path("vleaf.pem"), &leaf_len);
	const uint8_t *leaf_der[1] = { leaf };
	CU_ASSERT_EQUAL(vouch_der(t, leaf_der, &leaf_len, 1, issued, vouched), TD_OK);
	CU_ASSERT(issued[0] && !vouched[0]);
	free(leaf);
	td_trust_free(t);
	for (size_t i = 0; i < 4; i++)
		free(owned[i]);
}

/* The diagnoser's judgement on a whole connection (publicca.h). */
static void test_judge(void)
{
	static const char *const server[] = { "server.crt", "intermediateCA.crt", NULL };
	static const char *const client[] = { "client.crt", "clientCA.crt", NULL };
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	lab_chain(&c->server_chain, server);
	lab_chain(&c->client_chain, client);
	CU_ASSERT_STRING_EQUAL(c->server_chain.certs[1]->subject, LAB_INTERMEDIATE);
	c->cr.present = true;
	CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, LAB_CLIENT_CA), TD_OK);
	CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, LAB_ROOT), TD_OK);
	CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, LAB_INTERMEDIATE), TD_OK);

	struct td_trust *t = lab_store("rootCA.crt");
	CU_ASSERT_EQUAL(td_judge_public_cas(t, c), TD_OK);
	CU_ASSERT(c->public_cas_judged);
	const struct td_chain *s = &c->server_chain, *k = &c->client_chain;
	CU_ASSERT(!s->public_ca[0] && s->public_issuer[0]);
	CU_ASSERT(s->public_ca[1] && s->public_issuer[1]);
	CU_ASSERT(!k->public_ca[0] && !k->public_issuer[0]);
	CU_ASSERT(!k->public_ca[1] && !k->public_issuer[1]);
	/* An anchor's name, and a public CA's of the chain; not clientCA. */
	CU_ASSERT(!td_cr_ca_public(&c->cr, 0));
	CU_ASSERT(td_cr_ca_public(&c->cr, 1));
	CU_ASSERT(td_cr_ca_public(&c->cr, 2));
	CU_ASSERT(!td_cr_ca_public(&c->cr, 3));
	td_trust_free(t);

	/* Judged again against another store: nothing stays public. */
	t = lab_store("clientCA.crt");
	CU_ASSERT_EQUAL(td_judge_public_cas(t, c), TD_OK);
	CU_ASSERT(!s->public_ca[1] && !s->public_issuer[0]);
	/* clientCA is the store's anchor, but the client chain is not the
	 * system's in this test: it is, here. */
	CU_ASSERT(k->public_issuer[0] && k->public_ca[1]);
	CU_ASSERT(td_cr_ca_public(&c->cr, 0) && !td_cr_ca_public(&c->cr, 1));
	td_trust_free(t);
	td_conn_free(c);
}

/* ---- the redactor, on synthetic connections ---- */

#define PUB_ROOT "C=US,O=Public Trust,CN=Public Root R1"
#define PUB_INT "C=US,O=Public Trust,CN=Public Issuing R3"
#define PRIV_ROOT "O=Acme Internal,CN=Acme Root CA"
#define PRIV_INT "O=Acme Internal,CN=Acme Issuing CA 2"
#define PRIV_SERIAL "4f:1a:22:0c:99:10:ab:cd"
#define PRIV_SHA "ab0000000000000000000000000000000000000000000000000000000000acme"
#define PUB_SERIAL "03:d5:c4:00:11:22:33:44"
#define PUB_SHA "cd00000000000000000000000000000000000000000000000000000000000pub"

static struct td_cert *add_cert(struct td_chain *ch, const char *subject, const char *issuer,
				bool is_ca, const char *serial, const char *sha)
{
	CU_ASSERT_FATAL(ch->n < TD_CAP_CHAIN);
	struct td_cert *cert = td_cert_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(cert);
	ch->certs[ch->n++] = cert;
	ch->present = true;
	cert->parsed = true;
	cert->subject = strdup(subject);
	cert->issuer = strdup(issuer);
	cert->serial = strdup(serial);
	cert->is_ca = is_ca;
	cert->path_len = -1;
	snprintf(cert->sha256, sizeof cert->sha256, "%s", sha);
	return cert;
}

/*
 * A server on a public PKI (its intermediate judged public) asking for a
 * client certificate of a private one (judged private), with a
 * diagnosis that quotes both.
 */
static struct td_conn *mk_mtls(bool judged)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = true;
	struct td_cert *x = add_cert(&c->server_chain, "CN=www.shop.test", PUB_INT, false,
				     "11:22:33:44:55:66:77:88", "ee00000000000000000000000000000000000000000000000000000000000001");
	(void)x;
	c->server_chain.public_issuer[0] = judged;
	x = add_cert(&c->server_chain, PUB_INT, PUB_ROOT, true, PUB_SERIAL, PUB_SHA);
	c->server_chain.public_ca[1] = c->server_chain.public_issuer[1] = judged;
	add_cert(&c->client_chain, "CN=alice", PRIV_INT, false, "99:88:77:66:55:44:33:22",
		 "ee00000000000000000000000000000000000000000000000000000000000002");
	add_cert(&c->client_chain, PRIV_INT, PRIV_ROOT, true, PRIV_SERIAL, PRIV_SHA);
	c->cr.present = true;
	CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, PRIV_ROOT), TD_OK);
	CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, PUB_ROOT), TD_OK);
	if (judged)
		c->cr.ca_public[0] = 2;  /* name 1, PUB_ROOT */
	c->public_cas_judged = judged;
	struct td_diagnosis d;
	memset(&d, 0, sizeof d);
	d.code = "CLIENT_CERT_UNTRUSTED";
	d.severity = TD_SEV_ERROR;
	d.summary = strdup("The server rejected the client's certificate.");
	d.fix = strdup("Add '" PRIV_ROOT "' to the server's client CA file, as '" PUB_ROOT "' is.");
	CU_ASSERT_EQUAL(td_strlist_add(&d.evidence, "issued by 'Acme Issuing CA 2', serial "
				       PRIV_SERIAL ", sha256 " PRIV_SHA), TD_OK);
	CU_ASSERT_EQUAL(td_conn_add_diagnosis(c, &d), TD_OK);
	return c;
}

/* True when s is found in any string of c that a writer shows. */
static bool shows(const struct td_conn *c, const char *s)
{
	const struct td_chain *chains[2] = { &c->server_chain, &c->client_chain };
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < chains[k]->n; i++) {
			const struct td_cert *x = chains[k]->certs[i];
			if (strstr(x->subject, s) || strstr(x->issuer, s) || strstr(x->serial, s) ||
			    strstr(x->sha256, s))
				return true;
		}
	for (size_t i = 0; i < c->cr.ca_names.n; i++)
		if (strstr(c->cr.ca_names.v[i], s))
			return true;
	for (size_t i = 0; i < c->n_diags; i++) {
		const struct td_diagnosis *d = &c->diags[i];
		if (strstr(d->summary, s) || (d->fix && strstr(d->fix, s)))
			return true;
		for (size_t e = 0; e < d->evidence.n; e++)
			if (strstr(d->evidence.v[e], s))
				return true;
	}
	return false;
}

static void test_levels(void)
{
	static const char *const priv[] = { PRIV_ROOT, PRIV_INT, "Acme Issuing CA 2", PRIV_SERIAL,
					    PRIV_SHA, NULL };
	static const char *const pub[] = { PUB_ROOT, PUB_INT, PUB_SERIAL, PUB_SHA, NULL };
	for (int level = TD_REDACT_NAMES; level <= TD_REDACT_ALL; level++) {
		struct td_redactor *r = td_redactor_new((enum td_redact_level)level);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		struct td_conn *c = mk_mtls(true);
		CU_ASSERT_EQUAL_FATAL(td_redact_conn(r, c), TD_OK);
		for (size_t i = 0; priv[i]; i++)
			CU_ASSERT_EQUAL(shows(c, priv[i]), level == TD_REDACT_NAMES);
		for (size_t i = 0; pub[i]; i++)
			CU_ASSERT_EQUAL(shows(c, pub[i]), level != TD_REDACT_ALL);
		/* End entities are hidden at every level. */
		CU_ASSERT(!shows(c, "alice") && !shows(c, "www.shop.test"));
		struct td_cert *const *k = c->client_chain.certs;
		if (level == TD_REDACT_PRIVATE) {
			/* Pseudonyms, consistent: the leaf's issuer is its CA's subject. */
			CU_ASSERT_STRING_EQUAL(k[0]->issuer, "CN=ca-1");
			CU_ASSERT_STRING_EQUAL(k[1]->subject, "CN=ca-1");
			CU_ASSERT_STRING_EQUAL(k[1]->issuer, "CN=ca-2");
			CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[0], "CN=ca-2");
			CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[1], PUB_ROOT);
			CU_ASSERT_STRING_EQUAL(c->diags[0].fix, "Add 'CN=ca-2' to the server's client CA "
					       "file, as '" PUB_ROOT "' is.");
			CU_ASSERT_STRING_EQUAL(c->server_chain.certs[1]->serial, PUB_SERIAL);
			CU_ASSERT_STRING_NOT_EQUAL(k[1]->serial, PRIV_SERIAL);
		}
		td_conn_free(c);
		td_redactor_free(r);
	}
}

/* Live updates come before the diagnosis: placeholders, not remembered,
 * so that the public CA keeps its name once judged. */
static void test_not_judged_yet(void)
{
	struct td_redactor *r = td_redactor_new(TD_REDACT_PRIVATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	struct td_conn *c = mk_mtls(false);
	CU_ASSERT_EQUAL_FATAL(td_redact_conn(r, c), TD_OK);
	CU_ASSERT(!shows(c, PUB_ROOT) && !shows(c, PUB_INT) && !shows(c, PRIV_ROOT));
	CU_ASSERT(!shows(c, PUB_SERIAL) && !shows(c, PRIV_SHA));
	CU_ASSERT_STRING_EQUAL(c->server_chain.certs[1]->subject, "CN=redacted-ca");
	CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[1], "CN=redacted-ca");
	CU_ASSERT_EQUAL(td_redactor_overflow(r), 0);
	td_conn_free(c);

	c = mk_mtls(true);
	CU_ASSERT_EQUAL_FATAL(td_redact_conn(r, c), TD_OK);
	CU_ASSERT_STRING_EQUAL(c->server_chain.certs[1]->subject, PUB_INT);
	CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[1], PUB_ROOT);
	CU_ASSERT_STRING_EQUAL(c->client_chain.certs[1]->subject, "CN=ca-1");
	td_conn_free(c);
	td_redactor_free(r);
}

/* ---- cleartext bytes ---- */

/* What the engine keeps (sanitized, text.h) and how it quotes it. */
#define CONNECT_TEXT "CONNECT db.internal.corp:5432 HTTP/1.1\\x0d\\x0aProxy-Authorization: Basic dXNlcjpwYXNz"
#define SOCKS_TEXT "\\x05\\x01\\x00\\x05\\x01\\x00\\x03\\x10db.internal.corp\\x158"

static void test_cleartext(void)
{
	for (int level = TD_REDACT_NAMES; level <= TD_REDACT_ALL; level++) {
		struct td_redactor *r = td_redactor_new((enum td_redact_level)level);
		CU_ASSERT_PTR_NOT_NULL_FATAL(r);
		struct td_conn *c = td_conn_new(1);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		c->cleartext[0] = strdup(CONNECT_TEXT);
		c->cleartext_bytes[0] = 120;
		c->cleartext[1] = strdup(SOCKS_TEXT);
		c->cleartext_bytes[1] = 27;
		CU_ASSERT_EQUAL(td_conn_anomaly(c, TD_AN_NON_TLS_BYTES, TD_DIR_C2S, 120, CONNECT_TEXT,
						NULL), TD_OK);
		/* A quote cut short (as td_anomalies_add cuts a message too
		 * long: the template ends after its string), and a whole one. */
		CU_ASSERT_EQUAL(td_conn_anomaly(c, TD_AN_NON_TLS_BYTES, TD_DIR_C2S, 120,
						"CONNECT db.internal.corp:5432 HTTP/1", NULL), TD_OK);
		const char *tmpl = td_anomaly_template(TD_AN_NON_TLS_BYTES);
		c->anomalies.v[1].end = (uint16_t)(strstr(tmpl, "%s") - tmpl + 2);
		CU_ASSERT_EQUAL(td_conn_anomaly(c, TD_AN_NON_TLS_BEFORE_TLS, TD_DIR_S2C, 27, SOCKS_TEXT,
						NULL), TD_OK);
		struct td_diagnosis d;
		memset(&d, 0, sizeof d);
		d.code = "PLAINTEXT_TO_TLS_PORT";
		d.summary = strdup("The client sent cleartext.");
		CU_ASSERT_EQUAL(td_strlist_add(&d.evidence, "the client's first bytes: \"" CONNECT_TEXT "\""),
				TD_OK);
		CU_ASSERT_EQUAL(td_conn_add_diagnosis(c, &d), TD_OK);
		CU_ASSERT_EQUAL_FATAL(td_redact_conn(r, c), TD_OK);

		CU_ASSERT_STRING_EQUAL(c->cleartext[0], "CONNECT [120 bytes redacted]");
		CU_ASSERT_STRING_EQUAL(c->cleartext[1], "[27 bytes redacted]");
		char msg[TD_ANOMALY_SHOWN];
		td_anomaly_format(&c->anomalies.v[0], msg, sizeof msg);
		CU_ASSERT_STRING_EQUAL(msg, "the client sent 120 bytes that are not TLS: "
				       "\"CONNECT [120 bytes redacted]\"");
		td_anomaly_format(&c->anomalies.v[1], msg, sizeof msg);
		CU_ASSERT_STRING_EQUAL(msg, "the client sent 120 bytes that are not TLS: "
				       "\"CONNECT [120 bytes redacted]");
		td_anomaly_format(&c->anomalies.v[2], msg, sizeof msg);
		CU_ASSERT_STRING_EQUAL(msg, "the server sent 27 bytes that are not TLS before TLS "
				       "started: \"[27 bytes redacted]\"");
		CU_ASSERT_STRING_EQUAL(c->diags[0].evidence.v[0],
				       "the client's first bytes: \"CONNECT [120 bytes redacted]\"");
		td_conn_free(c);
		td_redactor_free(r);
	}
}

void td_suite_redact_ca(void)
{
	CU_pSuite s = td_test_suite("redact_ca");
	td_test_add(s, "public CAs: td_trust_vouch on the lab PKI", test_vouch);
	td_test_add(s, "public CAs: signatures, not names", test_vouch_signatures);
	td_test_add(s, "public CAs: the diagnoser's judgement", test_judge);
	td_test_add(s, "CA names, serials, digests at each level", test_levels);
	td_test_add(s, "a connection not judged yet", test_not_judged_yet);
	td_test_add(s, "cleartext preambles replaced whole", test_cleartext);
}
