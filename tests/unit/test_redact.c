/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_redact.c - the redactor (redact.h), the filter sink (filter.h)
 * and the JSON summary seen through it: stable and distinct pseudonyms,
 * IPv4 and IPv6, free-text substitution (longest first, case, word
 * boundaries), CA names kept or not, the cap, and --only-failed.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "filter.h"
#include "out.h"
#include "redact.h"
#include "sink.h"
#include "tests.h"

/* ---- building connections ---- */

static void set_addr(struct td_addr *a, const char *text)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, text, a->b) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, text, a->b) == 1)
		a->family = 6;
}

static char *addr_text(const struct td_addr *a)
{
	static char buf[64];
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->b, buf, sizeof buf))
		snprintf(buf, sizeof buf, "?");
	return buf;
}

static struct td_conn *mk_conn(uint64_t id, const char *cli, const char *srv, const char *sni)
{
	struct td_conn *c = td_conn_new(id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	set_addr(&c->client_addr, cli);
	set_addr(&c->server_addr, srv);
	c->client_port = 50000;
	c->server_port = 443;
	c->tls = true;
	c->ch.present = true;
	c->ch.sni = sni ? strdup(sni) : NULL;
	c->fate.outcome = TD_OUTCOME_ESTABLISHED;
	return c;
}

/* Append a certificate; san is a NULL-terminated list. */
static struct td_cert *add_cert(struct td_chain *ch, const char *subject, const char *issuer,
				bool is_ca, const char *const *san)
{
	CU_ASSERT_FATAL(ch->n < TD_CAP_CHAIN);
	struct td_cert *cert = td_cert_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(cert);
	ch->certs[ch->n++] = cert;
	ch->present = true;
	cert->parsed = true;
	cert->subject = strdup(subject);
	cert->issuer = strdup(issuer);
	cert->serial = strdup("36:8f:d6:93:14:98:7c:3f");
	cert->is_ca = is_ca;
	cert->path_len = -1;
	cert->self_signed = strcmp(subject, issuer) == 0;
	cert->der_len = 16;
	cert->der = calloc(1, 16);
	/* Not of the pseudonym digests' shape (0...0N). */
	snprintf(cert->sha256, sizeof cert->sha256, "ab%062x", (unsigned)ch->n + (is_ca ? 0xca00u : 0));
	for (size_t i = 0; san && san[i]; i++)
		CU_ASSERT_EQUAL(td_strlist_add(&cert->san, san[i]), TD_OK);
	return cert;
}

static void add_diag(struct td_conn *c, enum td_severity sev, const char *code,
		     const char *summary, const char *evidence, const char *fix)
{
	struct td_diagnosis d;
	memset(&d, 0, sizeof d);
	d.code = code;
	d.severity = sev;
	d.summary = strdup(summary);
	d.fix = fix ? strdup(fix) : NULL;
	if (evidence)
		CU_ASSERT_EQUAL(td_strlist_add(&d.evidence, evidence), TD_OK);
	CU_ASSERT_EQUAL(td_conn_add_diagnosis(c, &d), TD_OK);
}

static struct td_redactor *mk_redactor(enum td_redact_level level)
{
	struct td_redactor *r = td_redactor_new(level);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	return r;
}

/* ---- tests ---- */

static void test_stable(void)
{
	struct td_redactor *r = mk_redactor(TD_REDACT_NAMES);
	struct td_conn *a = mk_conn(1, "10.1.2.3", "10.9.9.9", "www.corp.test");
	struct td_conn *b = mk_conn(2, "10.1.2.4", "10.9.9.9", "WWW.Corp.Test");
	struct td_conn *c = mk_conn(3, "10.1.2.3", "10.9.9.10", "api.corp.test");
	CU_ASSERT_EQUAL(td_redact_conn(r, a), TD_OK);
	CU_ASSERT_EQUAL(td_redact_conn(r, b), TD_OK);
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	/* Numbered in order of first appearance, from the documentation nets. */
	CU_ASSERT_STRING_EQUAL(addr_text(&a->client_addr), "192.0.2.1");
	CU_ASSERT_STRING_EQUAL(addr_text(&a->server_addr), "192.0.2.2");
	CU_ASSERT_STRING_EQUAL(a->ch.sni, "host-1.example");
	/* Same original, same pseudonym (host names case-insensitively)... */
	CU_ASSERT_STRING_EQUAL(addr_text(&b->server_addr), "192.0.2.2");
	CU_ASSERT_STRING_EQUAL(b->ch.sni, "host-1.example");
	CU_ASSERT_STRING_EQUAL(addr_text(&c->client_addr), "192.0.2.1");
	/* ...different originals, different pseudonyms. */
	CU_ASSERT_STRING_EQUAL(addr_text(&b->client_addr), "192.0.2.3");
	CU_ASSERT_STRING_EQUAL(addr_text(&c->server_addr), "192.0.2.4");
	CU_ASSERT_STRING_EQUAL(c->ch.sni, "host-2.example");
	CU_ASSERT_EQUAL(c->client_port, 50000);  /* ports stay */
	CU_ASSERT_EQUAL(td_redactor_overflow(r), 0);
	td_conn_free(a);
	td_conn_free(b);
	td_conn_free(c);

	/* A new redactor numbers from 1 again: pseudonyms belong to one report. */
	td_redactor_free(r);
	r = mk_redactor(TD_REDACT_NAMES);
	a = mk_conn(1, "10.1.2.4", "10.9.9.9", "api.corp.test");
	CU_ASSERT_EQUAL(td_redact_conn(r, a), TD_OK);
	CU_ASSERT_STRING_EQUAL(addr_text(&a->client_addr), "192.0.2.1");
	CU_ASSERT_STRING_EQUAL(a->ch.sni, "host-1.example");
	td_conn_free(a);
	td_redactor_free(r);
}

static void test_ipv6_and_ip_san(void)
{
	struct td_redactor *r = mk_redactor(TD_REDACT_NAMES);
	struct td_conn *c = mk_conn(1, "::1", "2a00:1450:4001:80b::200e", "2a00:1450:4001:80b::200e");
	static const char *const san[] = { "IP:2a00:1450:4001:80b::200e", "IP:127.0.0.1",
					   "IP:#0a000000ff000000", "email:alice@corp.test",
					   "URI:spiffe://corp.test/ns/x", "DNS:*.corp.test", NULL };
	add_cert(&c->server_chain, "CN=leaf", "CN=ca", false, san);
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	CU_ASSERT_EQUAL(c->client_addr.family, 6);
	CU_ASSERT_STRING_EQUAL(addr_text(&c->client_addr), "2001:db8::1");
	CU_ASSERT_STRING_EQUAL(addr_text(&c->server_addr), "2001:db8::2");
	/* An SNI that is an address gets the address's pseudonym. */
	CU_ASSERT_STRING_EQUAL(c->ch.sni, "2001:db8::2");
	const struct td_strlist *l = &c->server_chain.certs[0]->san;
	CU_ASSERT_EQUAL_FATAL(l->n, 6);
	CU_ASSERT_STRING_EQUAL(l->v[0], "IP:2001:db8::2");   /* same as the address */
	CU_ASSERT_STRING_EQUAL(l->v[1], "IP:192.0.2.1");     /* IPv4 numbering is its own */
	CU_ASSERT_STRING_EQUAL(l->v[2], "IP:value-1");
	CU_ASSERT_STRING_EQUAL(l->v[3], "email:user-1@example.com");
	CU_ASSERT_STRING_EQUAL(l->v[4], "URI:https://uri-1.example/");
	CU_ASSERT_STRING_EQUAL(l->v[5], "DNS:*.host-1.example");
	td_conn_free(c);

	/* A later connection from 127.0.0.1 gets the SAN's pseudonym. */
	c = mk_conn(2, "127.0.0.1", "::1", NULL);
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	CU_ASSERT_STRING_EQUAL(addr_text(&c->client_addr), "192.0.2.1");
	CU_ASSERT_STRING_EQUAL(addr_text(&c->server_addr), "2001:db8::1");
	CU_ASSERT_PTR_NULL(c->ch.sni);
	td_conn_free(c);
	td_redactor_free(r);
}

static void test_free_text(void)
{
	struct td_redactor *r = mk_redactor(TD_REDACT_NAMES);
	struct td_conn *c = mk_conn(1, "10.0.0.1", "10.0.0.2", "www.example.com");
	static const char *const san[] = { "DNS:example.com", NULL };
	add_cert(&c->server_chain, "O=Acme,CN=www.example.com", "O=Acme,CN=Acme CA", false, san);
	add_cert(&c->client_chain, "O=Acme,CN=rogue-client", "O=Acme,CN=Acme CA", false, NULL);
	add_cert(&c->client_chain, "CN=client", "O=Acme,CN=Acme CA", false, NULL);
	CU_ASSERT_EQUAL(td_conn_anomaly(c, TD_AN_NON_TLS_BYTES, TD_DIR_C2S, 1,
					"to 10.0.0.2:443 for www.example.com, WWW.EXAMPLE.COM and "
					"example.com; not 10.0.0.12 nor 110.0.0.1 nor my-example.com",
					NULL), TD_OK);
	add_diag(c, TD_SEV_ERROR, "X", "The client sent 'CN=rogue-client' (rogue-client) to the server.",
		 "the certificate 'O=Acme,CN=www.example.com' names DNS:example.com",
		 "Trust 'O=Acme,CN=Acme CA' or ask the client for something else.");
	c->cleartext[0] = strdup("GET / HTTP/1.1\\x0d\\x0aHost: intranet.corp:8080\\x0d\\x0a");
	c->cleartext_bytes[0] = 47;
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);

	/* Longest first: www.example.com is not "www." + example.com's. */
	CU_ASSERT_STRING_EQUAL(c->anomalies.v[0].str[0],
			       "to 192.0.2.2:443 for host-1.example, host-1.example and host-3.example; "
			       "not 10.0.0.12 nor 110.0.0.1 nor my-example.com");
	const struct td_diagnosis *d = &c->diags[0];
	/* A CN that is more than a plain word is replaced as a word too;
	 * "client" (a plain word) is not, or "the client" would be. */
	CU_ASSERT_STRING_EQUAL(d->summary, "The client sent 'CN=subject-2' (subject-2) to the server.");
	CU_ASSERT_STRING_EQUAL(d->evidence.v[0], "the certificate 'CN=subject-1' names DNS:host-3.example");
	CU_ASSERT_STRING_EQUAL(d->fix, "Trust 'O=Acme,CN=Acme CA' or ask the client for something else.");
	CU_ASSERT_STRING_EQUAL(c->client_chain.certs[1]->subject, "CN=subject-3");
	/* The cleartext itself is replaced whole (test_redact_ca.c), but its
	 * Host header is a name the client asked for: learnt (host-2). */
	CU_ASSERT_STRING_EQUAL(c->cleartext[0], "GET [47 bytes redacted]");

	/* Later text knows every original replaced so far. */
	char *t = td_redact_text(r, "intranet.corp, 10.0.0.1, CN=client and client; "
				 "O=Acme,CN=rogue-client");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t, "host-2.example, 192.0.2.1, CN=subject-3 and client; CN=subject-2");
	free(t);
	t = td_redact_text(r, "");
	CU_ASSERT_STRING_EQUAL(t, "");
	free(t);
	td_conn_free(c);
	td_redactor_free(r);
}

/* Addresses written in cleartext bytes are learnt too; not tlsdiag's prose. */
static void test_cleartext_addrs(void)
{
	struct td_redactor *r = mk_redactor(TD_REDACT_NAMES);
	struct td_conn *c = mk_conn(1, "10.0.0.1", "10.0.0.2", NULL);
	c->cleartext[0] = strdup("GET http://172.16.0.9/x HTTP/1.1\\x0d\\x0aX-Forwarded-For: "
				 "2001:db8:1::5, 10.0.0.1, 1.2.3.4.5\\x0d\\x0a");
	CU_ASSERT_EQUAL(td_conn_anomaly(c, TD_AN_MALFORMED, TD_DIR_C2S, 0, "sent to 172.16.0.9.",
					NULL), TD_OK);
	add_diag(c, TD_SEV_ERROR, "X", "serial 36:8f:d6:93:14:98:7c:3f", NULL, NULL);
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	CU_ASSERT_STRING_EQUAL(c->cleartext[0], "GET [0 bytes redacted]");
	/* Learnt from it, in order: 172.16.0.9 (192.0.2.3), then 2001:db8:1::5. */
	char *t = td_redact_text(r, "172.16.0.9 2001:db8:1::5 1.2.3.4.5");
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_STRING_EQUAL(t, "192.0.2.3 2001:db8::1 1.2.3.4.5");
	free(t);
	CU_ASSERT_STRING_EQUAL(c->anomalies.v[0].str[0], "sent to 192.0.2.3.");
	/* A serial has the shape of an IPv6 address: left alone in prose. */
	CU_ASSERT_STRING_EQUAL(c->diags[0].summary, "serial 36:8f:d6:93:14:98:7c:3f");
	td_conn_free(c);
	td_redactor_free(r);
}

/* A three-certificate chain and a CertificateRequest, at both levels. */
static void test_ca_names(void)
{
	for (int all = 0; all < 2; all++) {
		struct td_redactor *r = mk_redactor(all ? TD_REDACT_ALL : TD_REDACT_NAMES);
		struct td_conn *c = mk_conn(1, "10.0.0.1", "10.0.0.2", "srv.corp.test");
		static const char *const san[] = { "DNS:srv.corp.test", NULL };
		add_cert(&c->server_chain, "O=Corp,CN=srv.corp.test", "O=Corp,CN=Issuing CA 1", false, san);
		add_cert(&c->server_chain, "O=Corp,CN=Issuing CA 1", "O=Corp,CN=Root", true, NULL);
		add_cert(&c->server_chain, "O=Corp,CN=Root", "O=Corp,CN=Root", true, NULL);
		/* A self-signed client certificate: its issuer is its subject. */
		add_cert(&c->client_chain, "CN=Alice Smith,emailAddress=alice@corp.test",
			 "CN=Alice Smith,emailAddress=alice@corp.test", false, NULL);
		CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, "O=Corp,CN=Root"), TD_OK);
		CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, "O=Other,CN=Partner CA"), TD_OK);
		/* A CA name that repeats the leaf's email address. */
		CU_ASSERT_EQUAL(td_strlist_add(&c->cr.ca_names, "emailAddress=alice@corp.test,CN=Corp"),
				TD_OK);
		c->cr.present = true;
		add_diag(c, TD_SEV_ERROR, "X", "Alice Smith <alice@corp.test> is not trusted.",
			 "'O=Corp,CN=Issuing CA 1' issued 'O=Corp,CN=srv.corp.test'", NULL);
		CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);

		const struct td_cert *leaf = c->server_chain.certs[0];
		const struct td_cert *mid = c->server_chain.certs[1];
		const struct td_cert *root = c->server_chain.certs[2];
		const struct td_cert *alice = c->client_chain.certs[0];
		CU_ASSERT_STRING_EQUAL(leaf->subject, "CN=subject-1");
		CU_ASSERT_STRING_EQUAL(leaf->san.v[0], "DNS:host-1.example");
		CU_ASSERT_STRING_EQUAL(leaf->serial, "00:00:00:00:00:00:00:01");
		CU_ASSERT_STRING_EQUAL(leaf->sha256,
				       "0000000000000000000000000000000000000000000000000000000000000001");
		CU_ASSERT_STRING_EQUAL(alice->subject, "CN=subject-2");
		CU_ASSERT_STRING_EQUAL(alice->issuer, "CN=subject-2");
		CU_ASSERT_PTR_NULL(leaf->der);
		CU_ASSERT_EQUAL(leaf->der_len, 0);
		CU_ASSERT_PTR_NULL(mid->der);
		CU_ASSERT_STRING_EQUAL(c->diags[0].summary, "subject-2 <user-1@example.com> is not trusted.");
		if (!all) {
			CU_ASSERT_STRING_EQUAL(leaf->issuer, "O=Corp,CN=Issuing CA 1");
			CU_ASSERT_STRING_EQUAL(mid->subject, "O=Corp,CN=Issuing CA 1");
			CU_ASSERT_STRING_EQUAL(mid->issuer, "O=Corp,CN=Root");
			CU_ASSERT_STRING_EQUAL(root->subject, "O=Corp,CN=Root");
			CU_ASSERT_STRING_EQUAL(mid->serial, "36:8f:d6:93:14:98:7c:3f");  /* CA: kept */
			CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[0], "O=Corp,CN=Root");
			CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[1], "O=Other,CN=Partner CA");
			/* Kept, but not with the leaf's address in it. */
			CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[2], "emailAddress=user-1@example.com,CN=Corp");
			CU_ASSERT_STRING_EQUAL(c->diags[0].evidence.v[0],
					       "'O=Corp,CN=Issuing CA 1' issued 'CN=subject-1'");
		} else {
			/* The leaf's issuer is its CA's subject, consistently. */
			CU_ASSERT_STRING_EQUAL(leaf->issuer, "CN=ca-1");
			CU_ASSERT_STRING_EQUAL(mid->subject, "CN=ca-1");
			CU_ASSERT_STRING_EQUAL(mid->issuer, "CN=ca-2");
			CU_ASSERT_STRING_EQUAL(root->subject, "CN=ca-2");
			CU_ASSERT_STRING_EQUAL(root->issuer, "CN=ca-2");
			CU_ASSERT_STRING_EQUAL(mid->serial, "00:00:00:00:00:00:00:01");  /* same serial */
			CU_ASSERT_STRING_EQUAL(root->sha256,
					       "0000000000000000000000000000000000000000000000000000000000000003");
			CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[0], "CN=ca-2");
			CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[1], "CN=ca-3");
			CU_ASSERT_STRING_EQUAL(c->cr.ca_names.v[2], "CN=ca-4");
			CU_ASSERT_STRING_EQUAL(c->diags[0].evidence.v[0], "'CN=ca-1' issued 'CN=subject-1'");
		}
		td_conn_free(c);
		td_redactor_free(r);
	}
}

/* Past TD_CAP_REDACT_VALUES: placeholders, counted, and still no leak. */
static void test_cap(void)
{
	struct td_redactor *r = mk_redactor(TD_REDACT_NAMES);
	char name[64];
	/* Two addresses, then one new name per connection. */
	size_t n = TD_CAP_REDACT_VALUES - 2;
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "h%zu.corp.test", i);
		struct td_conn *c = mk_conn(i + 1, "10.0.0.1", "10.0.0.2", name);
		CU_ASSERT_EQUAL_FATAL(td_redact_conn(r, c), TD_OK);
		if (i == n - 1)
			CU_ASSERT_STRING_EQUAL(c->ch.sni, "host-16382.example");
		td_conn_free(c);
	}
	CU_ASSERT_EQUAL(td_redactor_overflow(r), 0);
	/* The map is full: a new name gets the placeholder, in its free text too. */
	struct td_conn *c = mk_conn(1, "10.0.0.1", "10.0.0.3", "late.corp.test");
	CU_ASSERT_EQUAL(td_conn_anomaly(c, TD_AN_MALFORMED, TD_DIR_C2S, 0,
					"late.corp.test at 10.0.0.3 and h0.corp.test", NULL), TD_OK);
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	CU_ASSERT_STRING_EQUAL(addr_text(&c->client_addr), "192.0.2.1");  /* known: stable */
	CU_ASSERT_STRING_EQUAL(addr_text(&c->server_addr), "0.0.0.0");
	CU_ASSERT_STRING_EQUAL(c->ch.sni, "redacted.example");
	CU_ASSERT_STRING_EQUAL(c->anomalies.v[0].str[0], "redacted.example at 0.0.0.0 and host-1.example");
	CU_ASSERT_EQUAL(td_redactor_overflow(r), 2);
	td_conn_free(c);
	/* The placeholders were for that connection only. */
	char *t = td_redact_text(r, "late.corp.test");
	CU_ASSERT_STRING_EQUAL(t, "late.corp.test");
	free(t);
	td_redactor_free(r);
}

/* ---- the filter sink ---- */

struct rec_sink {
	struct td_sink base;
	struct td_conn *got[8];
	size_t n;
	size_t updates;
	bool finished;
};

static void rec_done(struct td_sink *s, const struct td_conn *c)
{
	struct rec_sink *rs = (struct rec_sink *)s;
	if (rs->n < 8)
		rs->got[rs->n++] = td_conn_clone(c);
}

static void rec_update(struct td_sink *s, const struct td_conn *c)
{
	struct rec_sink *rs = (struct rec_sink *)s;
	rs->updates++;
	CU_ASSERT_STRING_EQUAL(c->ch.sni, "host-1.example");
}

static void rec_finish(struct td_sink *s, const struct td_stats *st)
{
	(void)st;
	((struct rec_sink *)s)->finished = true;
}

static void rec_free(struct td_sink *s)
{
	(void)s;
}

static void test_filter_sink(void)
{
	struct rec_sink rs;
	memset(&rs, 0, sizeof rs);
	rs.base.conn_done = rec_done;
	rs.base.finish = rec_finish;
	rs.base.free = rec_free;

	/* No conn_update inside, none outside: the engine skips the call. */
	struct td_redactor *r = mk_redactor(TD_REDACT_NAMES);
	struct td_sink *f = td_filter_sink_new(&rs.base, r, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NULL(f->conn_update);
	td_sink_free(f);

	rs.base.conn_update = rec_update;
	f = td_filter_sink_new(&rs.base, r, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->conn_update);
	struct td_conn *ok = mk_conn(1, "10.0.0.1", "10.0.0.2", "secret.corp.test");
	struct td_conn *bad = mk_conn(2, "10.0.0.1", "10.0.0.2", "secret.corp.test");
	bad->fate.outcome = TD_OUTCOME_FAILED;
	CU_ASSERT_EQUAL(td_conn_anomaly(bad, TD_AN_MALFORMED, TD_DIR_S2C, 0, "asked secret.corp.test",
					NULL), TD_OK);
	f->conn_update(f, ok);   /* updates are forwarded, redacted, filter or not */
	td_test_fate(ok, ok->fate.outcome);
	f->conn_done(f, ok);     /* established, no error: skipped */
	td_test_fate(bad, bad->fate.outcome);
	f->conn_done(f, bad);
	f->finish(f, NULL);
	CU_ASSERT_EQUAL(rs.updates, 1);
	CU_ASSERT_TRUE(rs.finished);
	CU_ASSERT_EQUAL_FATAL(rs.n, 1);
	CU_ASSERT_EQUAL(rs.got[0]->id, 2);
	CU_ASSERT_STRING_EQUAL(rs.got[0]->ch.sni, "host-1.example");
	CU_ASSERT_STRING_EQUAL(rs.got[0]->anomalies.v[0].str[0], "asked host-1.example");
	CU_ASSERT_STRING_EQUAL(addr_text(&rs.got[0]->server_addr), "192.0.2.2");
	/* The engine's connection is not touched. */
	CU_ASSERT_STRING_EQUAL(bad->ch.sni, "secret.corp.test");
	CU_ASSERT_STRING_EQUAL(addr_text(&bad->server_addr), "10.0.0.2");
	CU_ASSERT_EQUAL(td_filter_sink_dropped(f), 0);
	td_sink_free(f);

	/* Without a redactor: forwarded as they are. */
	f = td_filter_sink_new(&rs.base, NULL, false);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	td_test_fate(ok, ok->fate.outcome);
	f->conn_done(f, ok);
	CU_ASSERT_EQUAL_FATAL(rs.n, 2);
	CU_ASSERT_STRING_EQUAL(rs.got[1]->ch.sni, "secret.corp.test");
	td_sink_free(f);

	for (size_t i = 0; i < rs.n; i++)
		td_conn_free(rs.got[i]);
	td_conn_free(ok);
	td_conn_free(bad);
	td_redactor_free(r);
}

/* The JSON writer behind the filter: lines and summary agree, and no
 * original reaches the output. */
static void test_filter_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mf);
	struct td_sink *js = td_json_sink_new(mf);
	struct td_redactor *r = mk_redactor(TD_REDACT_NAMES);
	struct td_sink *f = td_filter_sink_new(js, r, true);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	struct td_conn *c[3] = {
		mk_conn(1, "10.0.0.1", "10.0.0.2", "a.corp.test"),
		mk_conn(2, "10.0.0.1", "10.0.0.2", "b.corp.test"),
		mk_conn(3, "10.0.0.1", "10.0.0.2", "c.corp.test"),
	};
	c[1]->fate.outcome = TD_OUTCOME_FAILED;
	add_diag(c[1], TD_SEV_ERROR, "SERVER_CERT_UNTRUSTED", "b.corp.test is not trusted", NULL, NULL);
	add_diag(c[1], TD_SEV_WARNING, "CLIENT_CERT_NOT_ACCEPTABLE", "x", NULL, NULL);
	c[2]->fate.outcome = TD_OUTCOME_INCOMPLETE;
	for (size_t i = 0; i < 3; i++) {
		td_test_fate(c[i], c[i]->fate.outcome);
		f->conn_done(f, c[i]);
	}
	struct td_stats st;
	memset(&st, 0, sizeof st);
	st.frames = 42;
	st.tls_connections = 3;
	st.flows_evicted_full = 1;
	st.note = "no trust store";
	f->finish(f, &st);
	td_sink_free(f);
	td_sink_free(js);
	fclose(mf);

	CU_ASSERT_PTR_NULL(strstr(buf, "corp.test"));
	CU_ASSERT_PTR_NULL(strstr(buf, "10.0.0."));
	CU_ASSERT_PTR_NULL(strstr(buf, "\"id\":1,"));
	/* Incomplete is not failed (conn.h): --only-failed leaves it out. */
	CU_ASSERT_PTR_NULL(strstr(buf, "\"id\":3,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"id\":2,\"client\":\"192.0.2.1:50000\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"summary\":\"host-1.example is not trusted\""));
	const char *last = buf;
	for (const char *p = buf; *p; p++)
		if (p[0] == '\n' && p[1])
			last = p + 1;
	CU_ASSERT_STRING_EQUAL(last,
		"{\"type\":\"summary\",\"schema\":2,\"summary\":{\"connections\":1,"
		"\"by_outcome\":{\"established\":0,\"failed\":1,\"incomplete\":0},"
		"\"with_errors\":1,"
		"\"by_code\":{\"CLIENT_CERT_NOT_ACCEPTABLE\":1,\"SERVER_CERT_UNTRUSTED\":1},"
		"\"capture\":{\"frames\":42,\"bytes\":0,\"tcp_segments\":0,\"skipped_frames\":0,"
		"\"malformed_frames\":0,\"flows\":0,\"tls_connections\":3,\"connections_with_errors\":0,"
		"\"flows_idle\":0,\"gap_bytes\":0,\"first\":\"1970-01-01T00:00:00.000000Z\","
		"\"last\":\"1970-01-01T00:00:00.000000Z\"},"
		"\"dropped\":{\"flows_evicted\":1,\"flow_buffer_bytes\":0,\"memory_bytes\":0,"
			"\"hs_messages\":0,\"starttls_bytes\":0,\"starttls_steps\":0,\"retransmitted_bytes\":0,"
		"\"events\":0,\"certs\":0,\"list_items\":0,\"anomalies\":0,\"stream_bytes\":0},"
		"\"note\":\"no trust store\",\"truncated\":false}}\n");
	for (size_t i = 0; i < 3; i++)
		td_conn_free(c[i]);
	td_redactor_free(r);
	free(buf);
}

static void set_cid(struct td_quic_cid *id, uint8_t len, uint8_t fill)
{
	id->len = len;
	memset(id->b, fill, len);
}

/* QUIC: connection IDs become 8-byte pseudonyms, the same ID (in the
 * header fields and the transport parameters) the same one; the reason
 * phrase reason-N, in the event's detail too; an empty CID stays empty. */
static void test_quic(void)
{
	struct td_redactor *r = mk_redactor(TD_REDACT_PRIVATE);
	struct td_conn *c = mk_conn(1, "10.1.2.3", "10.9.9.9", "q.corp.test");
	c->quic.present = true;
	set_cid(&c->quic.odcid, 18, 0xf2);
	set_cid(&c->quic.client_scid, 0, 0);
	set_cid(&c->quic.server_scid, 17, 0x37);
	c->quic.server_scid_seen = true;
	c->quic.close.seen = true;
	snprintf(c->quic.close.reason, sizeof c->quic.close.reason, "secret-tenant-42 refused");
	char detail[] = "closed, reason \"secret-tenant-42 refused\"";
	struct td_event ev = { .kind = TD_EV_QUIC_CLOSE, .detail = detail };
	CU_ASSERT_EQUAL(td_conn_add_event(c, &ev, NULL), TD_OK);
	c->sh.quic_tp = calloc(1, sizeof *c->sh.quic_tp + 2 * sizeof c->sh.quic_tp->v[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->sh.quic_tp);
	struct td_quic_tp *t = &c->sh.quic_tp->v[0];
	t->id = 0x00;  /* original_destination_connection_id: the odcid again */
	t->kind = TD_QTP_CID;
	t->len = t->n = 18;
	memset(t->b, 0xf2, 18);
	t = &c->sh.quic_tp->v[1];
	t->id = 0x01;
	t->kind = TD_QTP_INT;
	t->num = 3000;
	c->sh.quic_tp->n = 2;

	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	static const uint8_t p1[8] = { 0xcd, 0, 0, 0, 0, 0, 0, 1 };
	static const uint8_t p2[8] = { 0xcd, 0, 0, 0, 0, 0, 0, 2 };
	CU_ASSERT_EQUAL(c->quic.odcid.len, 8);
	CU_ASSERT_EQUAL(memcmp(c->quic.odcid.b, p1, 8), 0);
	CU_ASSERT_EQUAL(c->quic.client_scid.len, 0);
	CU_ASSERT_EQUAL(c->quic.server_scid.len, 8);
	CU_ASSERT_EQUAL(memcmp(c->quic.server_scid.b, p2, 8), 0);
	CU_ASSERT_EQUAL(c->sh.quic_tp->v[0].n, 8);
	CU_ASSERT_EQUAL(c->sh.quic_tp->v[0].len, 8);
	CU_ASSERT_EQUAL(memcmp(c->sh.quic_tp->v[0].b, p1, 8), 0);
	CU_ASSERT_EQUAL(c->sh.quic_tp->v[1].num, 3000);
	CU_ASSERT_STRING_EQUAL(c->quic.close.reason, "reason-1");
	CU_ASSERT_PTR_NULL(strstr(c->events[c->n_events - 1].detail, "secret-tenant"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c->events[c->n_events - 1].detail, "reason-1"));
	td_conn_free(c);

	/* The same ID in a later connection: the same pseudonym. */
	c = mk_conn(2, "10.1.2.3", "10.9.9.9", NULL);
	c->quic.present = true;
	set_cid(&c->quic.odcid, 18, 0xf2);
	CU_ASSERT_EQUAL(td_redact_conn(r, c), TD_OK);
	CU_ASSERT_EQUAL(memcmp(c->quic.odcid.b, p1, 8), 0);
	td_conn_free(c);
	td_redactor_free(r);
}

void td_suite_redact(void)
{
	CU_pSuite s = td_test_suite("redact");
	td_test_add(s, "stable and distinct pseudonyms", test_stable);
	td_test_add(s, "IPv6, IP and other SANs", test_ipv6_and_ip_san);
	td_test_add(s, "free text", test_free_text);
	td_test_add(s, "addresses in cleartext", test_cleartext_addrs);
	td_test_add(s, "CA names kept, or not with all", test_ca_names);
	td_test_add(s, "map cap", test_cap);
	td_test_add(s, "filter sink", test_filter_sink);
	td_test_add(s, "filter sink and JSON summary", test_filter_json);
	td_test_add(s, "QUIC connection IDs and reason phrase", test_quic);
}
