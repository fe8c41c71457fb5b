/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_verify.c - passive chain verification (verify.h) on the lab PKI
 * of captures/lab (what the lab's s_server, curl and s_client really
 * used) and on the certificates of tests/unit/data/verify (gen.sh:
 * fixed dates, wrong usages, a bad signature, a non-CA issuer...).
 *
 * Every expected verdict was first asked of OpenSSL 3.0.19, as
 *   openssl verify -CAfile STORE -untrusted SENT -attime AT
 *                  -purpose sslserver|sslclient LEAF
 * (SENT: the other certificates of the chain, in the order sent), and
 * its answer is quoted next to each case.  Lab times: the lab PKI was
 * made on 2026-11-27 for 3650 days, and the committed certificates
 * were checked at 1795824000 (2026-11-28), 2114380800 (2037-01-01) and
 * 1767225600 (2026-01-01); the test derives its times from the
 * certificates' own dates (td_x509_parse) so that a regenerated PKI
 * still tests the same thing.  tests/unit/data/verify is checked at
 * 1893456000 (2030-01-01) unless said otherwise.
 *
 * Error numbers are wolfSSL's (OpenSSL 1.1's): the same as OpenSSL 3's
 * except "invalid CA certificate", 24 here and 79 in OpenSSL 3.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn.h"
#include "diagnose.h"
#include "tests.h"
#include "verify.h"
#include "x509.h"

#define MAXC 8
#define T2030 INT64_C(1893456000)

/* ---- reading certificates (test side: PEM base64 by hand) ---- */

struct certs {
	uint8_t *der[MAXC];
	size_t len[MAXC];
	size_t n;
};

static void certs_free(struct certs *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->der[i]);
	c->n = 0;
}

static int b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z') return ch - 'A';
	if (ch >= 'a' && ch <= 'z') return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9') return ch - '0' + 52;
	if (ch == '+') return 62;
	if (ch == '/') return 63;
	return -1;
}

static char path_buf[4096];

/* "lab:NAME" -> $top_srcdir/captures/lab/NAME, "v:NAME" -> data/verify/NAME */
static const char *path_of(const char *spec)
{
	const char *top = getenv("top_srcdir");
	if (strncmp(spec, "lab:", 4) == 0)
		snprintf(path_buf, sizeof path_buf, "%s/captures/lab/%s", top ? top : ".", spec + 4);
	else if (strncmp(spec, "v:", 2) == 0)
		snprintf(path_buf, sizeof path_buf, "%s/verify/%s", td_test_datadir(), spec + 2);
	else
		snprintf(path_buf, sizeof path_buf, "%s", spec);
	return path_buf;
}

/* Append every PEM certificate of the file spec to c. */
static bool load_pem(const char *spec, struct certs *c)
{
	const char *path = path_of(spec);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "\ncannot open %s\n", path);
		return false;
	}
	char line[256];
	bool in = false;
	uint8_t *der = NULL;
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0) {
			in = true;
			der = malloc(16384);
			n = 0, acc = 0, bits = 0;
			continue;
		}
		if (strncmp(line, "-----END CERTIFICATE-----", 25) == 0 && in && der) {
			in = false;
			if (c->n < MAXC) {
				c->der[c->n] = der;
				c->len[c->n++] = n;
			} else {
				free(der);
			}
			der = NULL;
			continue;
		}
		for (char *p = line; in && der && *p; p++) {
			int v = b64val((unsigned char)*p);
			if (v < 0)
				continue;
			acc = (acc << 6) | (unsigned)v;
			bits += 6;
			if (bits >= 8 && n < 16384) {
				bits -= 8;
				der[n++] = (uint8_t)(acc >> bits);
			}
		}
	}
	free(der);
	fclose(f);
	return true;
}

/* The dates of a lab certificate, through x509.c. */
static void dates(const char *spec, int64_t *nb, int64_t *na)
{
	struct certs c = { 0 };
	*nb = *na = 0;
	if (!load_pem(spec, &c) || c.n != 1)
		return;
	struct td_cert *tc;
	if (td_x509_parse(c.der[0], c.len[0], &tc) == TD_OK && tc->parsed) {
		*nb = tc->not_before;
		*na = tc->not_after;
	}
	td_cert_unref(tc);
	certs_free(&c);
}

enum at_kind { AT_FIXED, AT_LAB_OK, AT_LAB_AFTER, AT_LAB_BEFORE };

/* A time inside every lab certificate's validity, after them all, before them all. */
static int64_t lab_time(enum at_kind k, int64_t fixed)
{
	static const char *const all[] = { "lab:rootCA.crt", "lab:intermediateCA.crt", "lab:server.crt",
		"lab:clientCA.crt", "lab:client.crt", "lab:rogueClientCA.crt", "lab:rogueClient.crt" };
	int64_t max_nb = INT64_MIN, min_nb = INT64_MAX, max_na = INT64_MIN;
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		int64_t nb, na;
		dates(all[i], &nb, &na);
		if (nb > max_nb) max_nb = nb;
		if (nb < min_nb) min_nb = nb;
		if (na > max_na) max_na = na;
	}
	switch (k) {
	case AT_LAB_OK: return max_nb + 86400;
	case AT_LAB_AFTER: return max_na + 86400;
	case AT_LAB_BEFORE: return min_nb - 86400 * 300;
	default: return fixed;
	}
}

static struct td_trust *store(const char *spec)
{
	struct td_trust *t = NULL;
	char err[256];
	enum td_result r = td_trust_new(&t, spec ? path_of(spec) : NULL, NULL, false, err, sizeof err);
	if (r != TD_OK)
		fprintf(stderr, "\nstore %s: %s\n", spec ? spec : "(empty)", err);
	CU_ASSERT_EQUAL(r, TD_OK);
	return t;
}

/* td_trust_verify over DER: each certificate made by td_x509_parse for
 * the call, as the engine makes them. */
static enum td_result verify_der(const struct td_trust *t, const uint8_t *const *der,
				 const size_t *len, size_t n, int64_t at, bool server,
				 struct td_chain_check *out)
{
	struct td_cert *certs[MAXC] = { NULL };
	CU_ASSERT_FATAL(n <= MAXC);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(td_x509_parse(der[i], len[i], &certs[i]), TD_OK);
	enum td_result r = td_trust_verify(t, (const struct td_cert *const *)certs, n, at,
					   server, out);
	for (size_t i = 0; i < n; i++)
		td_cert_unref(certs[i]);
	return r;
}

static enum td_result verify(const struct td_trust *t, const struct certs *c, int64_t at,
			     bool server, struct td_chain_check *out)
{
	return verify_der(t, (const uint8_t *const *)c->der, c->len, c->n, at, server, out);
}

/* ---- the table ---- */

struct vcase {
	const char *name;
	const char *trust;           /* one CA file, NULL: an empty store */
	const char *chain[MAXC];     /* as sent, leaf first */
	enum at_kind at_kind;
	int64_t at;
	bool server;
	enum td_chain_verdict verdict;
	int error, depth, sent_index;
	const char *subject;         /* NULL: not checked */
	const char *missing;         /* expected missing_issuer, "" when none */
	const char *reason;
};

#define LAB_CHAIN { "lab:server.crt", "lab:intermediateCA.crt", "lab:rootCA.crt" }

static const struct vcase cases[] = {
	/* openssl: server.crt: OK */
	{ "lab server chain, rootCA trusted", "lab:rootCA.crt", LAB_CHAIN, AT_LAB_OK, 0, true,
	  TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
	/* openssl: CN = rootCA, O = LMT Corp
	 *   error 19 at 2 depth lookup: self-signed certificate in certificate chain */
	{ "lab server chain, only clientCA trusted", "lab:clientCA.crt", LAB_CHAIN, AT_LAB_OK, 0, true,
	  TD_CHAIN_UNKNOWN_ROOT, 19, 2, 2, "O=LMT Corp,CN=rootCA", "O=LMT Corp,CN=rootCA",
	  "self-signed certificate in certificate chain" },
	/* openssl -no-CAfile -no-CApath -no-CAstore: error 19 at 2 depth lookup:
	 *   self-signed certificate in certificate chain (wolfSSL's own
	 *   X509_verify_cert says "ok" here: it trusts the sent root) */
	{ "lab server chain, empty store", NULL, LAB_CHAIN, AT_LAB_OK, 0, true,
	  TD_CHAIN_UNKNOWN_ROOT, 19, 2, 2, "O=LMT Corp,CN=rootCA", "O=LMT Corp,CN=rootCA",
	  "self-signed certificate in certificate chain" },
	/* openssl: CN = tls-server.local, O = LMT Corp
	 *   error 20 at 0 depth lookup: unable to get local issuer certificate */
	{ "lab leaf only, rootCA trusted", "lab:rootCA.crt", { "lab:server.crt" }, AT_LAB_OK, 0, true,
	  TD_CHAIN_MISSING_ISSUER, 20, 0, 0, "O=LMT Corp,CN=tls-server.local",
	  "O=LMT Corp,CN=intermediateCA", "unable to get local issuer certificate" },
	/* openssl (-untrusted rootCA.crt): error 20 at 0 depth lookup: unable
	 *   to get local issuer certificate (wolfSSL says depth 1) */
	{ "lab leaf + root, intermediate missing", "lab:rootCA.crt",
	  { "lab:server.crt", "lab:rootCA.crt" }, AT_LAB_OK, 0, true,
	  TD_CHAIN_MISSING_ISSUER, 20, 0, 0, "O=LMT Corp,CN=tls-server.local",
	  "O=LMT Corp,CN=intermediateCA", "unable to get local issuer certificate" },
	/* openssl (-untrusted rootCA, clientCA, intermediateCA): OK */
	{ "lab chain out of order, with an extra", "lab:rootCA.crt",
	  { "lab:server.crt", "lab:rootCA.crt", "lab:clientCA.crt", "lab:intermediateCA.crt" },
	  AT_LAB_OK, 0, true, TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
	/* openssl -purpose sslclient: server.crt: OK (no keyUsage, no EKU) */
	{ "lab server chain for a client", "lab:rootCA.crt", LAB_CHAIN, AT_LAB_OK, 0, false,
	  TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
	/* openssl: error 10 at 2 depth lookup: certificate has expired (then
	 *   at 1 and at 0: the verify app goes on; the first one counts).
	 *   Depth 2 is rootCA from the store, not the one sent. */
	{ "lab server chain after notAfter", "lab:rootCA.crt", LAB_CHAIN, AT_LAB_AFTER, 0, true,
	  TD_CHAIN_EXPIRED, 10, 2, -1, "O=LMT Corp,CN=rootCA", "", "certificate has expired" },
	/* openssl: error 9 at 2 depth lookup: certificate is not yet valid */
	{ "lab server chain before notBefore", "lab:rootCA.crt", LAB_CHAIN, AT_LAB_BEFORE, 0, true,
	  TD_CHAIN_NOT_YET_VALID, 9, 2, -1, "O=LMT Corp,CN=rootCA", "", "certificate is not yet valid" },
	/* openssl -purpose sslclient -CAfile clientCA.crt: client.crt: OK */
	{ "lab client, clientCA trusted", "lab:clientCA.crt", { "lab:client.crt" }, AT_LAB_OK, 0, false,
	  TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
	/* openssl -purpose sslserver: error 26 at 0 depth lookup: unsuitable certificate purpose */
	{ "lab client cert used as a server's", "lab:clientCA.crt", { "lab:client.crt" }, AT_LAB_OK, 0, true,
	  TD_CHAIN_WRONG_PURPOSE, 26, 0, 0, "CN=client", "", "unsuitable certificate purpose" },
	/* openssl: CN = rogue-client
	 *   error 20 at 0 depth lookup: unable to get local issuer certificate */
	{ "rogue client alone vs clientCA", "lab:clientCA.crt", { "lab:rogueClient.crt" }, AT_LAB_OK, 0, false,
	  TD_CHAIN_MISSING_ISSUER, 20, 0, 0, "CN=rogue-client", "O=Rogue Corp,CN=rogueClientCA",
	  "unable to get local issuer certificate" },
	/* openssl (-untrusted rogueClientCA.crt): CN = rogueClientCA, O = Rogue Corp
	 *   error 19 at 1 depth lookup: self-signed certificate in certificate chain */
	{ "rogue client + its CA vs clientCA", "lab:clientCA.crt",
	  { "lab:rogueClient.crt", "lab:rogueClientCA.crt" }, AT_LAB_OK, 0, false,
	  TD_CHAIN_UNKNOWN_ROOT, 19, 1, 1, "O=Rogue Corp,CN=rogueClientCA", "O=Rogue Corp,CN=rogueClientCA",
	  "self-signed certificate in certificate chain" },
	/* openssl -purpose sslclient -CAfile clientCA.crt clientCA.crt: OK
	 *   (a trusted self-signed leaf is its own path) */
	{ "trusted root as the leaf", "lab:clientCA.crt", { "lab:clientCA.crt" }, AT_LAB_OK, 0, false,
	  TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },

	/* openssl: vleaf.pem: OK */
	{ "v: leaf + inter, root trusted", "v:vroot.pem", { "v:vleaf.pem", "v:vinter.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
	/* openssl: error 20 at 0 depth lookup: unable to get local issuer certificate */
	{ "v: intermediate missing", "v:vroot.pem", { "v:vleaf.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_MISSING_ISSUER, 20, 0, 0, "O=Verify Lab,CN=vleaf.example", "O=Verify Lab,CN=vinter",
	  "unable to get local issuer certificate" },
	/* openssl: error 10 at 0 depth lookup: certificate has expired */
	{ "v: expired leaf", "v:vroot.pem", { "v:vexpired.pem", "v:vinter.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_EXPIRED, 10, 0, 0, "O=Verify Lab,CN=vexpired.example", "", "certificate has expired" },
	/* openssl: error 9 at 0 depth lookup: certificate is not yet valid */
	{ "v: not yet valid leaf", "v:vroot.pem", { "v:vfuture.pem", "v:vinter.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_NOT_YET_VALID, 9, 0, 0, "O=Verify Lab,CN=vfuture.example", "", "certificate is not yet valid" },
	/* openssl -attime 1559347200 (2019-06-01): error 9 at 2 depth lookup:
	 *   certificate is not yet valid (the root is checked first) */
	{ "v: whole chain not yet valid", "v:vroot.pem", { "v:vleaf.pem", "v:vinter.pem" },
	  AT_FIXED, INT64_C(1559347200), true,
	  TD_CHAIN_NOT_YET_VALID, 9, 2, -1, "O=Verify Lab,CN=vroot", "", "certificate is not yet valid" },
	/* openssl -attime 2190499200 (2039-06-01): error 10 at 0 depth lookup: certificate has expired */
	{ "v: leaf expired, CAs not", "v:vroot.pem", { "v:vleaf.pem", "v:vinter.pem" },
	  AT_FIXED, INT64_C(2190499200), true,
	  TD_CHAIN_EXPIRED, 10, 0, 0, "O=Verify Lab,CN=vleaf.example", "", "certificate has expired" },
	/* openssl -attime 2177452800 (the leaf's notAfter, 2039-01-01 00:00:00):
	 *   error 10 at 0 depth lookup: certificate has expired; one second
	 *   earlier (2177452799): vleaf.pem: OK */
	{ "v: at notAfter exactly", "v:vroot.pem", { "v:vleaf.pem", "v:vinter.pem" },
	  AT_FIXED, INT64_C(2177452800), true,
	  TD_CHAIN_EXPIRED, 10, 0, 0, "O=Verify Lab,CN=vleaf.example", "", "certificate has expired" },
	{ "v: a second before notAfter", "v:vroot.pem", { "v:vleaf.pem", "v:vinter.pem" },
	  AT_FIXED, INT64_C(2177452799), true, TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
	/* openssl -attime 1577836800 (every notBefore, 2020-01-01 00:00:00): OK;
	 *   1577836799: error 9 at 2 depth lookup: certificate is not yet valid */
	{ "v: at notBefore exactly", "v:vroot.pem", { "v:vleaf.pem", "v:vinter.pem" },
	  AT_FIXED, INT64_C(1577836800), true, TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
	{ "v: a second before notBefore", "v:vroot.pem", { "v:vleaf.pem", "v:vinter.pem" },
	  AT_FIXED, INT64_C(1577836799), true,
	  TD_CHAIN_NOT_YET_VALID, 9, 2, -1, "O=Verify Lab,CN=vroot", "", "certificate is not yet valid" },
	/* openssl -purpose sslserver: error 26 at 0 depth lookup: unsuitable certificate purpose */
	{ "v: clientAuth-only leaf as server", "v:vroot.pem", { "v:vclientonly.pem", "v:vinter.pem" },
	  AT_FIXED, T2030, true,
	  TD_CHAIN_WRONG_PURPOSE, 26, 0, 0, "O=Verify Lab,CN=vclientonly", "", "unsuitable certificate purpose" },
	/* openssl -purpose sslclient: vclientonly.pem: OK */
	{ "v: clientAuth-only leaf as client", "v:vroot.pem", { "v:vclientonly.pem", "v:vinter.pem" },
	  AT_FIXED, T2030, false, TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
	/* openssl -purpose sslclient: error 26 at 0 depth lookup: unsuitable certificate purpose */
	{ "v: serverAuth-only leaf as client", "v:vroot.pem", { "v:vleaf.pem", "v:vinter.pem" },
	  AT_FIXED, T2030, false,
	  TD_CHAIN_WRONG_PURPOSE, 26, 0, 0, "O=Verify Lab,CN=vleaf.example", "", "unsuitable certificate purpose" },
	/* openssl -purpose sslserver (and sslclient): error 26 at 0 depth
	 *   lookup: unsuitable certificate purpose (keyUsage nonRepudiation) */
	{ "v: keyUsage nonRepudiation only", "v:vroot.pem", { "v:vkuonly.pem", "v:vinter.pem" },
	  AT_FIXED, T2030, true,
	  TD_CHAIN_WRONG_PURPOSE, 26, 0, 0, "O=Verify Lab,CN=vkuonly", "", "unsuitable certificate purpose" },
	{ "v: keyUsage nonRepudiation only, client", "v:vroot.pem", { "v:vkuonly.pem", "v:vinter.pem" },
	  AT_FIXED, T2030, false,
	  TD_CHAIN_WRONG_PURPOSE, 26, 0, 0, "O=Verify Lab,CN=vkuonly", "", "unsuitable certificate purpose" },
	/* openssl (sslserver and sslclient): error 26 at 0 depth lookup:
	 *   unsuitable certificate purpose (OpenSSL 3.0 does not take
	 *   anyExtendedKeyUsage for serverAuth) */
	{ "v: anyExtendedKeyUsage only", "v:vroot.pem", { "v:vanyeku.pem", "v:vinter.pem" },
	  AT_FIXED, T2030, true,
	  TD_CHAIN_WRONG_PURPOSE, 26, 0, 0, "O=Verify Lab,CN=vanyeku", "", "unsuitable certificate purpose" },
	/* openssl -CAfile vroot.pem vroot.pem: error 26 at 0 depth lookup:
	 *   unsuitable certificate purpose (a CA key as a TLS server's) */
	{ "v: trusted root as a server leaf", "v:vroot.pem", { "v:vroot.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_WRONG_PURPOSE, 26, 0, 0, "O=Verify Lab,CN=vroot", "", "unsuitable certificate purpose" },
	/* openssl: CN = vnotca, O = Verify Lab
	 *   error 79 at 1 depth lookup: invalid CA certificate  (79 in OpenSSL 3, 24 here) */
	{ "v: issuer is not a CA", "v:vroot.pem", { "v:vbynotca.pem", "v:vnotca.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_OTHER, 24, 1, 1, "O=Verify Lab,CN=vnotca", "", "invalid CA certificate" },
	/* openssl: error 7 at 0 depth lookup: certificate signature failure */
	{ "v: bad signature (ECDSA)", "v:vroot.pem", { "v:vbadsig.pem", "v:vinter.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_BAD_SIGNATURE, 7, 0, 0, "O=Verify Lab,CN=vleaf.example", "", "certificate signature failure" },
	/* openssl: CN = vinter, O = Verify Lab
	 *   error 2 at 1 depth lookup: unable to get issuer certificate
	 *   (an intermediate as the only anchor: no partial chains) */
	{ "v: only the intermediate trusted", "v:vinter.pem", { "v:vleaf.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_MISSING_ISSUER, 2, 1, -1, "O=Verify Lab,CN=vinter", "O=Verify Lab,CN=vroot",
	  "unable to get issuer certificate" },
	/* openssl -CAfile vleaf.pem vleaf.pem: error 20 at 0 depth lookup:
	 *   unable to get local issuer certificate */
	{ "v: the leaf itself trusted", "v:vleaf.pem", { "v:vleaf.pem" }, AT_FIXED, T2030, true,
	  TD_CHAIN_MISSING_ISSUER, 20, 0, 0, "O=Verify Lab,CN=vleaf.example", "O=Verify Lab,CN=vinter",
	  "unable to get local issuer certificate" },
	/* openssl (-untrusted vplsub, vpl0): CN = vpl0, O = Verify Lab
	 *   error 25 at 2 depth lookup: path length constraint exceeded */
	{ "v: pathlen 0 exceeded", "v:vroot.pem", { "v:vplleaf.pem", "v:vplsub.pem", "v:vpl0.pem" },
	  AT_FIXED, T2030, true,
	  TD_CHAIN_OTHER, 25, 2, 2, "O=Verify Lab,CN=vpl0", "", "path length constraint exceeded" },
	/* openssl: error 34 at 0 depth lookup: unhandled critical extension */
	{ "v: unknown critical extension", "v:vroot.pem", { "v:vcrit.pem", "v:vinter.pem" },
	  AT_FIXED, T2030, true,
	  TD_CHAIN_OTHER, 34, 0, 0, "O=Verify Lab,CN=vcrit", "", "unhandled critical extension" },
	/* duplicates and an unrelated certificate in the middle change nothing */
	{ "v: duplicates and extras", "v:vroot.pem",
	  { "v:vleaf.pem", "v:vleaf.pem", "v:vexpired.pem", "v:vinter.pem", "v:vinter.pem", "v:vroot.pem" },
	  AT_FIXED, T2030, true, TD_CHAIN_OK, 0, -1, -1, "", "", "ok" },
};

static bool str_is(const char *name, const char *field, const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return true;
	fprintf(stderr, "\n%s: %s: got \"%s\", want \"%s\"\n", name, field, got, want);
	return false;
}

static bool int_is(const char *name, const char *field, long got, long want)
{
	if (got == want)
		return true;
	fprintf(stderr, "\n%s: %s: got %ld, want %ld\n", name, field, got, want);
	return false;
}

static void test_table(void)
{
	CU_ASSERT_EQUAL_FATAL(td_x509_global_init(), TD_OK);
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const struct vcase *tc = &cases[k];
		struct td_trust *t = store(tc->trust);
		struct certs c = { 0 };
		bool loaded = true;
		for (size_t i = 0; i < MAXC && tc->chain[i]; i++)
			loaded = load_pem(tc->chain[i], &c) && loaded;
		CU_ASSERT(loaded);
		struct td_chain_check out;
		memset(&out, 0x5a, sizeof out);
		int64_t at = lab_time(tc->at_kind, tc->at);
		CU_ASSERT_EQUAL(verify(t, &c, at, tc->server, &out), TD_OK);
		CU_ASSERT(str_is(tc->name, "verdict", td_chain_verdict_name(out.verdict),
				 td_chain_verdict_name(tc->verdict)));
		CU_ASSERT(int_is(tc->name, "error", out.error, tc->error));
		CU_ASSERT(int_is(tc->name, "depth", out.depth, tc->depth));
		CU_ASSERT(int_is(tc->name, "sent_index", out.sent_index, tc->sent_index));
		CU_ASSERT(str_is(tc->name, "reason", out.reason, tc->reason));
		CU_ASSERT(str_is(tc->name, "subject", out.subject, tc->subject));
		CU_ASSERT(str_is(tc->name, "missing_issuer", out.missing_issuer, tc->missing));
		certs_free(&c);
		td_trust_free(t);
	}
}

/* The lab server's RSA signature with its last byte flipped.
 * openssl: error 7 at 0 depth lookup: certificate signature failure */
static void test_bad_rsa_signature(void)
{
	struct td_trust *t = store("lab:rootCA.crt");
	struct certs c = { 0 };
	CU_ASSERT_FATAL(load_pem("lab:server.crt", &c) && load_pem("lab:intermediateCA.crt", &c));
	c.der[0][c.len[0] - 1] ^= 1;
	struct td_chain_check out;
	CU_ASSERT_EQUAL(verify(t, &c, lab_time(AT_LAB_OK, 0), true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(out.error, 7);
	CU_ASSERT_EQUAL(out.depth, 0);
	/* the intermediate's own signature is still fine: flip that one instead */
	c.der[0][c.len[0] - 1] ^= 1;
	c.der[1][c.len[1] - 1] ^= 1;
	CU_ASSERT_EQUAL(verify(t, &c, lab_time(AT_LAB_OK, 0), true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_BAD_SIGNATURE);
	CU_ASSERT_EQUAL(out.depth, 1);
	CU_ASSERT_EQUAL(out.sent_index, 1);
	certs_free(&c);
	td_trust_free(t);
}

/* wolfSSL 5.5.4's X509_STORE_CTX_init adds the untrusted certificates
 * to the store for good; ours must not remember anything. */
static void test_store_not_polluted(void)
{
	struct td_trust *t = store("lab:rootCA.crt");
	struct certs full = { 0 }, leaf = { 0 };
	CU_ASSERT_FATAL(load_pem("lab:server.crt", &full) && load_pem("lab:intermediateCA.crt", &full) &&
			load_pem("lab:server.crt", &leaf));
	struct td_chain_check out;
	int64_t at = lab_time(AT_LAB_OK, 0);
	CU_ASSERT_EQUAL(verify(t, &full, at, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_OK);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 1);
	CU_ASSERT_EQUAL(verify(t, &leaf, at, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_MISSING_ISSUER);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 1);
	certs_free(&full);
	certs_free(&leaf);
	td_trust_free(t);
}

/* Garbage and every truncation of a real chain: a verdict, never a crash,
 * never OK. */
static void test_hostile(void)
{
	struct td_trust *t = store("v:vroot.pem");
	struct certs good = { 0 };
	CU_ASSERT_FATAL(load_pem("v:vleaf.pem", &good) && load_pem("v:vinter.pem", &good));
	struct td_chain_check out;

	static const uint8_t junk[] = "this is not a certificate";
	static const uint8_t tiny[] = { 0x30, 0x82, 0xff, 0xff, 0x30 };
	const uint8_t *d[2] = { junk, tiny };
	size_t l[2] = { sizeof junk - 1, sizeof tiny };
	CU_ASSERT_EQUAL(verify_der(t, d, l, 2, T2030, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_OTHER);
	CU_ASSERT_EQUAL(out.error, 1);
	CU_ASSERT_EQUAL(out.depth, 0);
	CU_ASSERT_EQUAL(out.sent_index, 0);
	CU_ASSERT(strncmp(out.reason, "unable to parse the certificate (wolfSSL: ", 42) == 0);
	CU_ASSERT_STRING_EQUAL(out.subject, "");

	/* NULL and empty entries */
	const uint8_t *nd[2] = { NULL, good.der[1] };
	size_t nl[2] = { 0, good.len[1] };
	CU_ASSERT_EQUAL(verify_der(t, nd, nl, 2, T2030, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_OTHER);

	/* an unparseable extra between leaf and intermediate is ignored */
	const uint8_t *xd[3] = { good.der[0], junk, good.der[1] };
	size_t xl[3] = { good.len[0], sizeof junk - 1, good.len[1] };
	CU_ASSERT_EQUAL(verify_der(t, xd, xl, 3, T2030, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_OK);

	unsigned not_ok = 0, tries = 0;
	for (size_t which = 0; which < 2; which++) {
		for (size_t cut = 0; cut < good.len[which]; cut++) {
			const uint8_t *cd[2] = { good.der[0], good.der[1] };
			size_t cl[2] = { good.len[0], good.len[1] };
			cl[which] = cut;
			CU_ASSERT_EQUAL(verify_der(t, cd, cl, 2, T2030, true, &out), TD_OK);
			tries++;
			not_ok += out.verdict != TD_CHAIN_OK;
		}
	}
	CU_ASSERT_EQUAL(not_ok, tries);

	/* every single byte flipped, in the leaf and in the intermediate */
	not_ok = tries = 0;
	for (size_t which = 0; which < 2; which++) {
		for (size_t i = 0; i < good.len[which]; i++) {
			good.der[which][i] ^= 0x55;
			CU_ASSERT_EQUAL(verify(t, &good, T2030, true, &out), TD_OK);
			if (out.verdict == TD_CHAIN_OK)
				fprintf(stderr, "\nflip %zu of cert %zu still verifies\n", i, which);
			not_ok += out.verdict != TD_CHAIN_OK;
			tries++;
			good.der[which][i] ^= 0x55;
		}
	}
	CU_ASSERT_EQUAL(not_ok, tries);
	CU_ASSERT_EQUAL(verify(t, &good, T2030, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_OK);
	certs_free(&good);
	td_trust_free(t);
}

static void test_not_checked_and_usage(void)
{
	struct certs c = { 0 };
	CU_ASSERT_FATAL(load_pem("v:vleaf.pem", &c));
	struct td_chain_check out;
	CU_ASSERT_EQUAL(verify(NULL, &c, T2030, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_NOT_CHECKED);
	CU_ASSERT_EQUAL(out.depth, -1);
	CU_ASSERT_STRING_EQUAL(out.reason, "no trust store");
	struct td_trust *t = store(NULL);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 0);
	CU_ASSERT_EQUAL(td_trust_verify(t, NULL, 0, T2030, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_NOT_CHECKED);
	CU_ASSERT_STRING_EQUAL(out.reason, "no certificate");
	CU_ASSERT_EQUAL(td_trust_verify(t, NULL, 1, T2030, true, &out), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(verify(t, &c, T2030, true, NULL), TD_ERR_USAGE);
	CU_ASSERT_EQUAL(td_trust_new(NULL, NULL, NULL, false, NULL, 0), TD_ERR_USAGE);
	/* an empty store trusts nothing */
	CU_ASSERT_EQUAL(verify(t, &c, T2030, true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_MISSING_ISSUER);
	CU_ASSERT_EQUAL(td_trust_anchor_count(NULL), 0);
	CU_ASSERT_EQUAL(td_trust_skipped(NULL), 0);
	td_trust_free(NULL);
	td_trust_free(t);
	certs_free(&c);

	CU_ASSERT_STRING_EQUAL(td_chain_verdict_name(TD_CHAIN_OK), "ok");
	CU_ASSERT_STRING_EQUAL(td_chain_verdict_name(TD_CHAIN_UNKNOWN_ROOT), "unknown_root");
	CU_ASSERT_STRING_EQUAL(td_chain_verdict_name(TD_CHAIN_MISSING_ISSUER), "missing_issuer");
	CU_ASSERT_STRING_EQUAL(td_chain_verdict_name(TD_CHAIN_NOT_CHECKED), "not_checked");
	CU_ASSERT_STRING_EQUAL(td_chain_verdict_name((enum td_chain_verdict)99), "other");
}

/* td_trust_new on file and directory errors: TD_ERR_IO and one line
 * naming the file. */
static void expect_io(const char *file, const char *dir, const char *want_in_err)
{
	struct td_trust *t = (struct td_trust *)&t;  /* must come back NULL */
	char err[256] = "untouched";
	CU_ASSERT_EQUAL(td_trust_new(&t, file, dir, false, err, sizeof err), TD_ERR_IO);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NULL(strchr(err, '\n'));
	if (!strstr(err, want_in_err))
		fprintf(stderr, "\nerror \"%s\" lacks \"%s\"\n", err, want_in_err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want_in_err));
	td_trust_free(t);
}

static void test_store_errors(void)
{
	char tmpl[] = "/tmp/td_verify_XXXXXX";
	char *tmp = mkdtemp(tmpl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	char missing[512], gen[512];
	snprintf(missing, sizeof missing, "%s/no-such.pem", tmp);
	expect_io(missing, NULL, "cannot read /tmp/td_verify_");
	expect_io(missing, NULL, "No such file or directory");
	/* a file without a certificate: the generator script */
	snprintf(gen, sizeof gen, "%s", path_of("v:gen.sh"));
	expect_io(gen, NULL, "gen.sh holds no certificate");
	/* a directory given as the file */
	expect_io(tmp, NULL, "Is a directory");
	/* an empty directory, and one that does not exist */
	expect_io(NULL, tmp, "holds no certificate");
	expect_io(NULL, missing, "cannot open directory");
	/* a directory whose only *.pem holds no certificate */
	char junk[512];
	snprintf(junk, sizeof junk, "%s/junk.pem", tmp);
	FILE *f = fopen(junk, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", f);
	fclose(f);
	expect_io(NULL, tmp, "holds no certificate");
	/* a file name with a newline is shown on one line */
	expect_io("/nonexistent/a\nb.pem", NULL, "a\\x0ab.pem");
	unlink(junk);
	rmdir(tmp);
}

static void test_store_loading(void)
{
	char err[256];
	struct td_trust *t = NULL;
	/* a bundle of two (captures/lab/chain.crt: intermediateCA, rootCA) */
	CU_ASSERT_EQUAL(td_trust_new(&t, path_of("lab:chain.crt"), NULL, false, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 2);
	CU_ASSERT_EQUAL(td_trust_skipped(t), 0);
	td_trust_free(t);

	/* a DER file */
	char der[4096];
	snprintf(der, sizeof der, "%s/x509_root.der", td_test_datadir());
	CU_ASSERT_EQUAL(td_trust_new(&t, der, NULL, false, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 1);
	td_trust_free(t);

	/* the directory of gen.sh's certificates: 15 distinct ones */
	char vdir[4096];
	snprintf(vdir, sizeof vdir, "%s/verify", td_test_datadir());
	CU_ASSERT_EQUAL(td_trust_new(&t, NULL, vdir, false, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 15);
	td_trust_free(t);

	/* a hashed directory: HASH.0 -> vroot, the same again as *.crt,
	 * a bad block and a good one in one *.pem, a README passed over */
	char tmpl[] = "/tmp/td_verify_XXXXXX";
	char *tmp = mkdtemp(tmpl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
	char p1[512], p2[512], p3[512], p4[512], root[4096];
	/* symlinks need an absolute target: top_srcdir may be relative */
	if (!realpath(path_of("v:vroot.pem"), root))
		snprintf(root, sizeof root, "%s", path_of("v:vroot.pem"));
	snprintf(p1, sizeof p1, "%s/0123abcd.0", tmp);
	snprintf(p2, sizeof p2, "%s/copy.crt", tmp);
	snprintf(p3, sizeof p3, "%s/mixed.pem", tmp);
	snprintf(p4, sizeof p4, "%s/README", tmp);
	CU_ASSERT_EQUAL(symlink(root, p1), 0);
	CU_ASSERT_EQUAL(symlink(root, p2), 0);
	FILE *f = fopen(p3, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("junk before\n-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n", f);
	FILE *in = fopen(path_of("v:vinter.pem"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	int ch;
	while ((ch = fgetc(in)) != EOF)
		fputc(ch, f);
	fclose(in);
	fputs("-----BEGIN CERTIFICATE-----\nMIIB\n", f);  /* cut short */
	fclose(f);
	f = fopen(p4, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("-----BEGIN CERTIFICATE-----\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(td_trust_new(&t, NULL, tmp, false, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 2);  /* vroot once, vinter */
	CU_ASSERT_EQUAL(td_trust_skipped(t), 2);       /* the bad block, the cut one */
	struct certs c = { 0 };
	CU_ASSERT(load_pem("v:vleaf.pem", &c));
	struct td_chain_check out;
	CU_ASSERT_EQUAL(verify(t, &c, T2030, true, &out), TD_OK);
	/* openssl -CAfile vroot+vinter vleaf.pem: OK (the leaf alone) */
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_OK);
	certs_free(&c);
	td_trust_free(t);
	unlink(p1), unlink(p2), unlink(p3), unlink(p4);
	rmdir(tmp);

	/* file and directory together, the file's certificates first */
	CU_ASSERT_EQUAL(td_trust_new(&t, path_of("lab:chain.crt"), vdir, false, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 17);
	td_trust_free(t);
}

static void test_system_bundle(void)
{
	char err[256];
	struct td_trust *t = NULL;
	if (access(TD_TRUST_SYSTEM_BUNDLE, R_OK) != 0) {
		printf("\n  note: %s absent, system bundle not tested\n", TD_TRUST_SYSTEM_BUNDLE);
		CU_ASSERT_EQUAL(td_trust_new(&t, NULL, NULL, true, err, sizeof err), TD_OK);
		CU_ASSERT_EQUAL(td_trust_anchor_count(t), 0);
		td_trust_free(t);
		return;
	}
	CU_ASSERT_EQUAL(td_trust_new(&t, NULL, NULL, true, err, sizeof err), TD_OK);
	/* Debian 12's ca-certificates holds about 140 roots */
	CU_ASSERT(td_trust_anchor_count(t) > 50);
	/* the lab chain is not publicly trusted: its root is unknown */
	struct certs c = { 0 };
	CU_ASSERT(load_pem("lab:server.crt", &c) && load_pem("lab:intermediateCA.crt", &c) &&
		  load_pem("lab:rootCA.crt", &c));
	struct td_chain_check out;
	CU_ASSERT_EQUAL(verify(t, &c, lab_time(AT_LAB_OK, 0), true, &out), TD_OK);
	CU_ASSERT_EQUAL(out.verdict, TD_CHAIN_UNKNOWN_ROOT);
	CU_ASSERT_STRING_EQUAL(out.missing_issuer, "O=LMT Corp,CN=rootCA");
	certs_free(&c);
	size_t sys = td_trust_anchor_count(t);
	td_trust_free(t);
	/* plus a file: one more anchor */
	CU_ASSERT_EQUAL(td_trust_new(&t, path_of("lab:rootCA.crt"), NULL, true, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), sys + 1);
	td_trust_free(t);
}

/* The diagnoser keeps chain verdicts (servers send the same chain to
 * every client): the same chain judged again within its validity gets
 * the same verdict without a new check, but one judged after its leaf
 * expired must not reuse the earlier "ok". */
static bool has_code(const struct td_conn *c, const char *code)
{
	for (size_t i = 0; i < c->n_diags; i++)
		if (strcmp(c->diags[i].code, code) == 0)
			return true;
	return false;
}

static struct td_conn *chain_conn(const struct certs *chain, uint64_t start_s)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c->tls = true;
	c->start_us = start_s * 1000000u;
	c->fate.outcome = TD_OUTCOME_ESTABLISHED;
	c->handshake_done = true;
	c->ch.present = true;
	c->sh.present = true;
	c->version = 0x0303;
	c->server_chain.present = true;
	for (size_t i = 0; i < chain->n && i < TD_CAP_CHAIN; i++) {
		CU_ASSERT_EQUAL(td_x509_parse(chain->der[i], chain->len[i], &c->server_chain.certs[i]),
				TD_OK);
		if (c->server_chain.certs[i])
			c->server_chain.n++;
	}
	return c;
}

static void test_verdict_reuse(void)
{
	struct certs chain = { .n = 0 };
	CU_ASSERT_FATAL(load_pem("v:vleaf.pem", &chain));
	CU_ASSERT_FATAL(load_pem("v:vinter.pem", &chain));
	struct td_diag_opts o = { .ca_file = path_of("v:vroot.pem"), .no_system_store = true };
	char err[256] = "";
	struct td_diagnoser *d = NULL;
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	/* 2030 (valid), 2030 again, then 2039-06 (leaf expired in Jan 2039). */
	static const uint64_t when[] = { 1893456000u, 1893456100u, 2191190400u };
	static const bool expired[] = { false, false, true };
	for (size_t k = 0; k < 3; k++) {
		struct td_conn *c = chain_conn(&chain, when[k]);
		CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
		CU_ASSERT_EQUAL(has_code(c, "SERVER_CERT_EXPIRED"), expired[k]);
		/* The named store's verdict: "certificate has expired" only then. */
		CU_ASSERT_EQUAL(has_code(c, "SERVER_CERT_UNTRUSTED"), expired[k]);
		td_conn_free(c);
	}
	td_diagnoser_free(d);
	for (size_t i = 0; i < chain.n; i++)
		free(chain.der[i]);
}

void td_suite_verify(void)
{
	CU_pSuite s = td_test_suite("verify");
	td_test_add(s, "verdicts vs openssl verify", test_table);
	td_test_add(s, "diagnoser reuses verdicts only while valid", test_verdict_reuse);
	td_test_add(s, "bad RSA signature", test_bad_rsa_signature);
	td_test_add(s, "store not polluted", test_store_not_polluted);
	td_test_add(s, "hostile DER", test_hostile);
	td_test_add(s, "not checked, usage", test_not_checked_and_usage);
	td_test_add(s, "store errors", test_store_errors);
	td_test_add(s, "store loading", test_store_loading);
	td_test_add(s, "system bundle", test_system_bundle);
}
