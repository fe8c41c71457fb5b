/*
 * test_diagnose.c - every diagnosis rule on synthetic connections, and
 * certificate name matching.  The lab captures check the same rules on
 * real traffic (tests/e2e); here each rule gets the situation it is
 * about, built by hand, plus the near misses it must not fire on.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "diagnose.h"
#include "hostname.h"
#include "tests.h"
#include "tls_names.h"

/* ---- building connections --------------------------------------------- */

static uint64_t clock_us;

static struct td_conn *conn(void)
{
	struct td_conn *c = td_conn_new(1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	clock_us = 1700000000000000u;
	c->start_us = clock_us;
	c->tls = true;
	c->client_addr.family = 4;
	c->client_addr.b[0] = 10; c->client_addr.b[3] = 1;
	c->server_addr.family = 4;
	c->server_addr.b[0] = 10; c->server_addr.b[3] = 2;
	c->client_port = 50000;
	c->server_port = 8443;
	c->ch.present = true;
	c->ch.legacy_version = TD_VERSION_TLS12;
	CU_ASSERT_EQUAL(td_u16list_add(&c->ch.suites, 0x1303), TD_OK);
	CU_ASSERT_EQUAL(td_u16list_add(&c->ch.suites, 0xc02f), TD_OK);
	return c;
}

static void ev(struct td_conn *c, enum td_event_kind k, enum td_dir d, uint8_t hs, uint32_t len)
{
	struct td_event e = { .ts_us = (clock_us += 1000), .dir = d, .kind = k, .hs_type = hs,
			      .length = len };
	if (k == TD_EV_ENCRYPTED || k == TD_EV_APPDATA) {
		e.content_type = TD_CT_APPLICATION_DATA;
		e.encrypted = true;
	}
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
}

static void alert(struct td_conn *c, enum td_dir d, uint8_t desc)
{
	struct td_event e = { .ts_us = (clock_us += 1000), .dir = d, .kind = TD_EV_ALERT,
			      .alert_level = 2, .alert_desc = desc, .content_type = TD_CT_ALERT,
			      .length = 2 };
	CU_ASSERT_EQUAL(td_conn_add_event(c, &e, NULL), TD_OK);
}

static void server_hello(struct td_conn *c, uint16_t version)
{
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 500);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_SERVER_HELLO, 90);
	c->sh.present = true;
	c->sh.legacy_version = TD_VERSION_TLS12;
	c->version = version;
	c->cipher = version == TD_VERSION_TLS13 ? 0x1303 : 0xc02f;
}

static struct td_cert *add_cert(struct td_chain *ch, const char *subject, const char *issuer,
				const char *san)
{
	ch->present = true;
	ch->certs = realloc(ch->certs, (ch->n + 1) * sizeof *ch->certs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ch->certs);
	struct td_cert *k = &ch->certs[ch->n++];
	memset(k, 0, sizeof *k);
	k->parsed = true;
	k->subject = strdup(subject);
	k->issuer = strdup(issuer);
	k->self_signed = strcmp(subject, issuer) == 0;
	k->is_ca = k->self_signed;
	k->not_before = 1600000000;   /* 2020 */
	k->not_after = 1900000000;    /* 2030 */
	k->key_type = strdup("RSA");
	k->key_bits = 4096;
	k->sig_alg = strdup("sha256WithRSAEncryption");
	k->path_len = -1;
	if (san)
		CU_ASSERT_EQUAL(td_strlist_add(&k->san, san), TD_OK);
	return k;
}

static void lab_server_chain(struct td_conn *c)
{
	add_cert(&c->server_chain, "O=LMT Corp,CN=tls-server.local", "O=LMT Corp,CN=intermediateCA",
		 "DNS:tls-server.local");
	add_cert(&c->server_chain, "O=LMT Corp,CN=intermediateCA", "O=LMT Corp,CN=rootCA", NULL);
	add_cert(&c->server_chain, "O=LMT Corp,CN=rootCA", "O=LMT Corp,CN=rootCA", NULL);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_CERTIFICATE, 4000);
}

static void cert_request(struct td_conn *c, const char *ca)
{
	c->cr.present = true;
	if (ca)
		CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, ca), TD_OK);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_CERTIFICATE_REQUEST, 90);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_S2C, TD_HS_SERVER_HELLO_DONE, 0);
}

static struct td_diagnoser *diagnoser(void)
{
	struct td_diag_opts o = { .no_system_store = true };
	struct td_diagnoser *d = NULL;
	char err[200];
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &o, err, sizeof err), TD_OK);
	return d;
}

/* Diagnose c and check its root cause (the first diagnosis). */
static const struct td_diagnosis *root(struct td_conn *c, const char *code, enum td_stage stage,
				       enum td_party who)
{
	struct td_diagnoser *d = diagnoser();
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	td_diagnoser_free(d);
	CU_ASSERT_TRUE_FATAL(c->n_diags > 0);
	const struct td_diagnosis *g = &c->diags[0];
	if (strcmp(g->code, code) != 0)
		fprintf(stderr, "\nwant %s, got %s (%s)\n", code, g->code, g->summary);
	CU_ASSERT_STRING_EQUAL(g->code, code);
	CU_ASSERT_EQUAL(g->severity, TD_SEV_ERROR);
	CU_ASSERT_EQUAL(g->stage, stage);
	CU_ASSERT_EQUAL(g->gave_up, who);
	CU_ASSERT_PTR_NOT_NULL(g->summary);
	CU_ASSERT_PTR_NOT_NULL(g->fix);
	CU_ASSERT_TRUE(g->evidence.n > 0);
	return g;
}

static bool has(const struct td_conn *c, const char *code)
{
	for (size_t i = 0; i < c->n_diags; i++)
		if (strcmp(c->diags[i].code, code) == 0)
			return true;
	return false;
}

static bool contains(const char *s, const char *part)
{
	return s && strstr(s, part) != NULL;
}

/* ---- the seed's table ------------------------------------------------- */

static void test_version_mismatch(void)
{
	struct td_conn *c = conn();
	CU_ASSERT_EQUAL(td_u16list_add(&c->ch.versions, TD_VERSION_TLS12), TD_OK);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 500);
	alert(c, TD_DIR_S2C, 70);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "PROTOCOL_VERSION_MISMATCH", TD_STAGE_CLIENT_HELLO,
					    TD_PARTY_SERVER);
	CU_ASSERT_TRUE(contains(g->evidence.v[0], "TLS 1.2"));
	CU_ASSERT_EQUAL(g->n_events, 1);
	CU_ASSERT_EQUAL(g->events[0], 1);  /* the alert's timeline entry */
	td_conn_free(c);
}

static void test_no_shared_cipher(void)
{
	struct td_conn *c = conn();
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 500);
	alert(c, TD_DIR_S2C, 40);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "NO_SHARED_CIPHER", TD_STAGE_CLIENT_HELLO,
					    TD_PARTY_SERVER);
	CU_ASSERT_TRUE(contains(g->evidence.v[0], "TLS_CHACHA20_POLY1305_SHA256"));
	CU_ASSERT_TRUE(contains(g->fix, "TLS_CHACHA20_POLY1305_SHA256"));
	td_conn_free(c);

	/* handshake_failure after a ServerHello is not a cipher problem */
	c = conn();
	server_hello(c, TD_VERSION_TLS12);
	alert(c, TD_DIR_S2C, 40);
	c->outcome = TD_OUTCOME_FAILED;
	struct td_diagnoser *d = diagnoser();
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	CU_ASSERT_FALSE(has(c, "NO_SHARED_CIPHER"));
	CU_ASSERT_TRUE(has(c, "FATAL_ALERT"));
	td_diagnoser_free(d);
	td_conn_free(c);
}

static void test_server_untrusted(void)
{
	struct td_conn *c = conn();
	c->ch.sni = strdup("tls-server.local");
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	alert(c, TD_DIR_C2S, 48);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "SERVER_CERT_UNTRUSTED", TD_STAGE_SERVER_CERTIFICATE,
					    TD_PARTY_CLIENT);
	CU_ASSERT_TRUE(contains(g->fix, "'O=LMT Corp,CN=rootCA'"));
	td_conn_free(c);
}

static void test_hostname(void)
{
	/* curl to https://10.0.0.2:8443: no SNI, completes, then quits */
	struct td_conn *c = conn();
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	c->handshake_done = true;
	c->client_quit_after_handshake = true;
	ev(c, TD_EV_TCP_FIN, TD_DIR_C2S, 0, 0);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "HOSTNAME_MISMATCH", TD_STAGE_AFTER_HANDSHAKE,
					    TD_PARTY_CLIENT);
	CU_ASSERT_TRUE(contains(g->summary, "10.0.0.2"));
	CU_ASSERT_TRUE(contains(g->fix, "tls-server.local"));
	CU_ASSERT_TRUE(contains(g->fix, "IP:10.0.0.2"));
	td_conn_free(c);

	/* a matching SNI on a successful handshake: no diagnosis at all */
	c = conn();
	c->ch.sni = strdup("TLS-Server.local");
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	c->handshake_done = true;
	c->outcome = TD_OUTCOME_ESTABLISHED;
	struct td_diagnoser *d = diagnoser();
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	CU_ASSERT_EQUAL(c->n_diags, 0);
	td_diagnoser_free(d);
	td_conn_free(c);
}

static void test_client_aborted(void)
{
	struct td_conn *c = conn();
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	cert_request(c, "O=LMT Corp,CN=clientCA");
	alert(c, TD_DIR_C2S, 80);  /* internal_error, no Certificate */
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "CLIENT_ABORTED_AFTER_CERT_REQUEST",
					    TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_CLIENT);
	CU_ASSERT_TRUE(contains(g->fix, "O=LMT Corp,CN=clientCA"));
	td_conn_free(c);
}

static void test_client_cert_missing(void)
{
	struct td_conn *c = conn();
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	cert_request(c, "O=LMT Corp,CN=clientCA");
	c->client_chain.present = true;  /* empty Certificate */
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CERTIFICATE, 3);
	alert(c, TD_DIR_S2C, 40);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "CLIENT_CERT_MISSING", TD_STAGE_CLIENT_CERTIFICATE,
					    TD_PARTY_SERVER);
	CU_ASSERT_TRUE(contains(g->fix, "O=LMT Corp,CN=clientCA"));
	CU_ASSERT_EQUAL(g->n_events, 2);  /* the empty Certificate and the alert */
	td_conn_free(c);
}

static void test_client_untrusted(void)
{
	struct td_conn *c = conn();
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	cert_request(c, "O=LMT Corp,CN=clientCA");
	add_cert(&c->client_chain, "CN=rogue-client", "O=Rogue Corp,CN=rogueClientCA", NULL);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CERTIFICATE, 1300);
	alert(c, TD_DIR_S2C, 48);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "CLIENT_CERT_UNTRUSTED", TD_STAGE_CLIENT_CERTIFICATE,
					    TD_PARTY_SERVER);
	CU_ASSERT_TRUE(contains(g->fix, "O=Rogue Corp,CN=rogueClientCA"));
	CU_ASSERT_TRUE(has(c, "CLIENT_CERT_NOT_ACCEPTABLE"));
	td_conn_free(c);
}

/* ---- beyond the table --------------------------------------------------- */

static void test_expired(void)
{
	struct td_conn *c = conn();
	c->ch.sni = strdup("tls-server.local");
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	c->server_chain.certs[0].not_after = 1650000000;  /* 2022, before the capture */
	alert(c, TD_DIR_C2S, 45);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "SERVER_CERT_EXPIRED", TD_STAGE_SERVER_CERTIFICATE,
					    TD_PARTY_CLIENT);
	CU_ASSERT_TRUE(contains(g->fix, "tls-server.local"));
	td_conn_free(c);
}

static void test_chain_incomplete(void)
{
	struct td_conn *c = conn();
	c->ch.sni = strdup("tls-server.local");
	server_hello(c, TD_VERSION_TLS12);
	add_cert(&c->server_chain, "O=LMT Corp,CN=tls-server.local", "O=LMT Corp,CN=intermediateCA",
		 "DNS:tls-server.local");
	alert(c, TD_DIR_C2S, 48);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "SERVER_CHAIN_INCOMPLETE",
					    TD_STAGE_SERVER_CERTIFICATE, TD_PARTY_CLIENT);
	CU_ASSERT_TRUE(contains(g->fix, "O=LMT Corp,CN=intermediateCA"));
	CU_ASSERT_TRUE(has(c, "SERVER_CERT_UNTRUSTED"));
	td_conn_free(c);
}

static void test_usage_and_key(void)
{
	struct td_conn *c = conn();
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	cert_request(c, "O=LMT Corp,CN=clientCA");
	struct td_cert *k = add_cert(&c->client_chain, "CN=client", "O=LMT Corp,CN=clientCA", NULL);
	CU_ASSERT_EQUAL(td_strlist_add(&k->ext_key_usage, "serverAuth"), TD_OK);
	alert(c, TD_DIR_S2C, 43);
	c->outcome = TD_OUTCOME_FAILED;
	root(c, "CLIENT_CERT_WRONG_USAGE", TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER);
	td_conn_free(c);

	c = conn();
	server_hello(c, TD_VERSION_TLS12);
	lab_server_chain(c);
	cert_request(c, "O=LMT Corp,CN=clientCA");
	add_cert(&c->client_chain, "CN=client", "O=LMT Corp,CN=clientCA", NULL);
	c->client_cert_verify = true;
	alert(c, TD_DIR_S2C, 51);
	c->outcome = TD_OUTCOME_FAILED;
	root(c, "CLIENT_KEY_MISMATCH", TD_STAGE_CLIENT_CERTIFICATE, TD_PARTY_SERVER);
	td_conn_free(c);
}

static void test_alpn(void)
{
	struct td_conn *c = conn();
	CU_ASSERT_EQUAL(td_strlist_add(&c->ch.alpn, "h2"), TD_OK);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 500);
	alert(c, TD_DIR_S2C, 120);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "ALPN_MISMATCH", TD_STAGE_CLIENT_HELLO,
					    TD_PARTY_SERVER);
	CU_ASSERT_TRUE(contains(g->evidence.v[0], "h2"));
	td_conn_free(c);
}

/* TLS 1.3 without keys: the server's 19-byte record after the client's
 * flight, then its FIN. */
static void test_encrypted_alert(void)
{
	struct td_conn *c = conn();
	c->ch.sni = strdup("tls-server.local");
	server_hello(c, TD_VERSION_TLS13);
	ev(c, TD_EV_ENCRYPTED, TD_DIR_S2C, 0, 4053);
	ev(c, TD_EV_ENCRYPTED, TD_DIR_C2S, 0, 25);
	ev(c, TD_EV_ENCRYPTED, TD_DIR_C2S, 0, 53);
	c->side[TD_DIR_C2S].encrypted_records = 2;
	ev(c, TD_EV_ENCRYPTED, TD_DIR_S2C, 0, 19);
	ev(c, TD_EV_TCP_FIN, TD_DIR_S2C, 0, 0);
	c->outcome = TD_OUTCOME_FAILED;
	const struct td_diagnosis *g = root(c, "ENCRYPTED_ALERT", TD_STAGE_CLIENT_CERTIFICATE,
					    TD_PARTY_SERVER);
	CU_ASSERT_TRUE(contains(g->fix, "SSLKEYLOGFILE"));
	td_conn_free(c);
}

static void test_aborted_and_fallback(void)
{
	struct td_conn *c = conn();
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 500);
	ev(c, TD_EV_TCP_FIN, TD_DIR_S2C, 0, 0);
	c->outcome = TD_OUTCOME_FAILED;
	root(c, "HANDSHAKE_ABORTED", TD_STAGE_CLIENT_HELLO, TD_PARTY_SERVER);
	td_conn_free(c);

	c = conn();
	server_hello(c, TD_VERSION_TLS12);
	alert(c, TD_DIR_C2S, 10);  /* unexpected_message */
	c->outcome = TD_OUTCOME_FAILED;
	root(c, "FATAL_ALERT", TD_STAGE_SERVER_HELLO, TD_PARTY_CLIENT);
	td_conn_free(c);
}

/* Healthy handshakes: information and warnings, never an error. */
static void test_healthy(void)
{
	struct td_conn *c = conn();
	c->ch.sni = strdup("tls-server.local");
	server_hello(c, TD_VERSION_TLS11);
	c->sh.session_id_echo = true;
	c->sh.hrr = false;
	c->handshake_done = true;
	c->outcome = TD_OUTCOME_ESTABLISHED;
	struct td_diagnoser *d = diagnoser();
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	CU_ASSERT_FALSE(td_conn_has_error(c));
	CU_ASSERT_TRUE(has(c, "RESUMED"));
	CU_ASSERT_TRUE(has(c, "DEPRECATED_VERSION"));
	/* warnings before information */
	CU_ASSERT_EQUAL_FATAL(c->n_diags, 2);
	CU_ASSERT_STRING_EQUAL(c->diags[0].code, "DEPRECATED_VERSION");
	td_diagnoser_free(d);
	td_conn_free(c);

	c = conn();
	c->ch.sni = strdup("tls-server.local");
	server_hello(c, TD_VERSION_TLS13);
	c->sh.hrr = true;
	c->sh.key_share_group = 0x0017;
	lab_server_chain(c);
	c->server_chain.certs[0].key_bits = 1024;
	cert_request(c, NULL);
	c->handshake_done = true;
	c->outcome = TD_OUTCOME_ESTABLISHED;
	d = diagnoser();
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	CU_ASSERT_FALSE(td_conn_has_error(c));
	CU_ASSERT_TRUE(has(c, "HELLO_RETRY"));
	CU_ASSERT_TRUE(has(c, "WEAK_KEY"));
	CU_ASSERT_TRUE(has(c, "EMPTY_CA_LIST"));
	td_diagnoser_free(d);
	td_conn_free(c);
}

/* What one connection teaches about its server explains the next. */
static void test_capture_memory(void)
{
	struct td_diagnoser *d = diagnoser();
	struct td_conn *ok = conn();
	server_hello(ok, TD_VERSION_TLS13);
	ok->handshake_done = true;
	ok->outcome = TD_OUTCOME_ESTABLISHED;
	CU_ASSERT_EQUAL(td_diagnose(d, ok), TD_OK);
	td_conn_free(ok);

	struct td_conn *c = conn();
	CU_ASSERT_EQUAL(td_u16list_add(&c->ch.versions, TD_VERSION_TLS12), TD_OK);
	ev(c, TD_EV_HANDSHAKE, TD_DIR_C2S, TD_HS_CLIENT_HELLO, 500);
	alert(c, TD_DIR_S2C, 70);
	c->outcome = TD_OUTCOME_FAILED;
	CU_ASSERT_EQUAL(td_diagnose(d, c), TD_OK);
	CU_ASSERT_TRUE_FATAL(c->n_diags > 0);
	CU_ASSERT_TRUE(contains(c->diags[0].fix, "Enable TLS 1.3 on the client"));
	td_conn_free(c);
	td_diagnoser_free(d);
}

static void test_hostname_match(void)
{
	struct td_cert k = { 0 };
	k.subject = (char *)"O=x,CN=legacy.example";
	CU_ASSERT_EQUAL(td_hostname_match(&k, "legacy.example"), TD_NAME_MATCH_CN);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "other.example"), TD_NAME_MISMATCH);
	CU_ASSERT_EQUAL(td_strlist_add(&k.san, "DNS:*.example.com"), TD_OK);
	CU_ASSERT_EQUAL(td_strlist_add(&k.san, "DNS:tls-server.local"), TD_OK);
	CU_ASSERT_EQUAL(td_strlist_add(&k.san, "IP:2001:db8::1"), TD_OK);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "a.example.com"), TD_NAME_MATCH);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "A.EXAMPLE.COM."), TD_NAME_MATCH);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "example.com"), TD_NAME_MISMATCH);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "a.b.example.com"), TD_NAME_MISMATCH);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "tls-server.local"), TD_NAME_MATCH);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "2001:db8:0::1"), TD_NAME_MATCH);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "127.0.0.1"), TD_NAME_MISMATCH);
	/* with SANs, the CN no longer counts */
	CU_ASSERT_EQUAL(td_hostname_match(&k, "legacy.example"), TD_NAME_MISMATCH);
	td_strlist_cleanup(&k.san);
	CU_ASSERT_EQUAL(td_strlist_add(&k.san, "DNS:*.com"), TD_OK);
	CU_ASSERT_EQUAL(td_hostname_match(&k, "example.com"), TD_NAME_MISMATCH);
	td_strlist_cleanup(&k.san);
	k.subject = (char *)"O=nobody";
	CU_ASSERT_EQUAL(td_hostname_match(&k, "x"), TD_NAME_NO_NAMES);
	CU_ASSERT_TRUE(td_hostname_is_ip("::1"));
	CU_ASSERT_FALSE(td_hostname_is_ip("tls-server.local"));
}

void td_suite_diagnose(void)
{
	CU_pSuite s = td_test_suite("diagnose");
	td_test_add(s, "PROTOCOL_VERSION_MISMATCH", test_version_mismatch);
	td_test_add(s, "NO_SHARED_CIPHER", test_no_shared_cipher);
	td_test_add(s, "SERVER_CERT_UNTRUSTED", test_server_untrusted);
	td_test_add(s, "HOSTNAME_MISMATCH", test_hostname);
	td_test_add(s, "CLIENT_ABORTED_AFTER_CERT_REQUEST", test_client_aborted);
	td_test_add(s, "CLIENT_CERT_MISSING", test_client_cert_missing);
	td_test_add(s, "CLIENT_CERT_UNTRUSTED", test_client_untrusted);
	td_test_add(s, "SERVER_CERT_EXPIRED", test_expired);
	td_test_add(s, "SERVER_CHAIN_INCOMPLETE", test_chain_incomplete);
	td_test_add(s, "wrong usage, key mismatch", test_usage_and_key);
	td_test_add(s, "ALPN_MISMATCH", test_alpn);
	td_test_add(s, "ENCRYPTED_ALERT", test_encrypted_alert);
	td_test_add(s, "HANDSHAKE_ABORTED, FATAL_ALERT", test_aborted_and_fallback);
	td_test_add(s, "healthy handshakes: no error", test_healthy);
	td_test_add(s, "what the capture taught", test_capture_memory);
	td_test_add(s, "certificate name matching", test_hostname_match);
}
