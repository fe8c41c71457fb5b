/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_certshare.c - one certificate per distinct DER (issue 14): the
 * engine fed 1,000 TLS 1.2 connections that all carry the same server
 * chain (real DER from tests/unit/data), with a diagnoser validating
 * the chain against a store of its root, gives wolfSSL each DER to
 * decode once, and every connection holds the same objects; a clone
 * shares them; a redacted clone replaces them and leaves the shared
 * ones untouched.
 *
 * The counts are x509.h's: every whole-certificate decode x509/ makes
 * goes through one counted call (td_vcert_decode, vcert.c), which
 * vcert.h makes the only way in by poisoning wolfSSL's others
 * (wc_ParseCert, wolfSSL_d2i_X509, ...) for the rest of x509/; so a
 * second decode of a DER, for display or for validation, shows here.
 * Signature checks (which read the child's DER up to its signature) are
 * counted apart: one per link of the chain, the verdict then reused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "conn.h"
#include "diagnose.h"
#include "engine.h"
#include "frames.h"
#include "redact.h"
#include "sink.h"
#include "tests.h"
#include "verify.h"
#include "x509.h"

#define CONNECTIONS 1000u
#define CHAIN 3u

static const char *const chain_files[CHAIN] = { "x509_server.der", "x509_inter.der",
						  "x509_root.der" };

/* ---- a sink that checks identity ---- */

struct share_sink {
	struct td_sink base;
	size_t conns;
	size_t same;                    /* connections whose chain is first[] */
	struct td_cert *first[CHAIN];   /* references to the first chain's */
	bool clone_shared, redact_ok;
	struct td_redactor *redactor;
};

static void share_done(struct td_sink *s, const struct td_conn *c)
{
	struct share_sink *k = (struct share_sink *)s;
	const struct td_chain *ch = &c->server_chain;
	if (ch->n != CHAIN)
		return;
	if (k->conns++ == 0) {
		for (size_t i = 0; i < CHAIN; i++)
			k->first[i] = td_cert_ref(ch->certs[i]);
		/* A clone raises the counts instead of copying. */
		size_t refs = ch->certs[0]->refs;
		struct td_conn *copy = td_conn_clone(c);
		CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
		k->clone_shared = copy->server_chain.certs[0] == ch->certs[0] &&
				  ch->certs[0]->refs == refs + 1;
		/* Redaction replaces the clone's certificates with its own and
		 * leaves the shared ones as they were. */
		char *subject = strdup(ch->certs[0]->subject);
		CU_ASSERT_PTR_NOT_NULL_FATAL(subject);
		CU_ASSERT_EQUAL(td_redact_conn(k->redactor, copy), TD_OK);
		const struct td_cert *r = copy->server_chain.certs[0];
		k->redact_ok = r != ch->certs[0] && r->base == ch->certs[0] && !r->der &&
			       strcmp(r->subject, subject) != 0 &&
			       strcmp(ch->certs[0]->subject, subject) == 0 &&
			       ch->certs[0]->der != NULL && ch->certs[0]->refs == refs + 1;
		td_conn_free(copy);
		CU_ASSERT_EQUAL(ch->certs[0]->refs, refs);
		free(subject);
	}
	size_t i = 0;
	while (i < CHAIN && ch->certs[i] == k->first[i])
		i++;
	k->same += i == CHAIN;
}

static void share_finish(struct td_sink *s, const struct td_stats *st)
{
	(void)s;
	(void)st;
}

static void share_free(struct td_sink *s)
{
	(void)s;
}

/* ---- the wire ---- */

static uint8_t *load(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", td_test_datadir(), name);
	FILE *f = fopen(path, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	uint8_t *buf = malloc(65536);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	*len = fread(buf, 1, 65536, f);
	fclose(f);
	return buf;
}

static size_t put24(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
	return 3;
}

/* A minimal TLS 1.2 ClientHello record (one suite, no extensions). */
static size_t client_hello(uint8_t *out)
{
	static const uint8_t rec[] = {
		22, 3, 1, 0, 45, 1, 0, 0, 41, 3, 3,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
		0, 0, 2, 0xc0, 0x2f, 1, 0
	};
	memcpy(out, rec, sizeof rec);
	return sizeof rec;
}

/* ServerHello, Certificate (der[0..n)) and ServerHelloDone, in one
 * handshake record. */
static size_t server_flight(uint8_t *out, uint8_t *const *der, const size_t *len, size_t n)
{
	uint8_t *hs = out + 5;
	size_t o = 0;
	static const uint8_t sh[] = {
		2, 0, 0, 38, 3, 3,
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
		17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
		0, 0xc0, 0x2f, 0
	};
	memcpy(hs, sh, sizeof sh);
	o += sizeof sh;
	size_t list = 0;
	for (size_t i = 0; i < n; i++)
		list += 3 + len[i];
	hs[o++] = 11;
	o += put24(hs + o, 3 + list);
	o += put24(hs + o, list);
	for (size_t i = 0; i < n; i++) {
		o += put24(hs + o, len[i]);
		memcpy(hs + o, der[i], len[i]);
		o += len[i];
	}
	static const uint8_t shd[] = { 14, 0, 0, 0 };
	memcpy(hs + o, shd, sizeof shd);
	o += sizeof shd;
	out[0] = 22;
	out[1] = 3;
	out[2] = 3;
	out[3] = (uint8_t)(o >> 8);
	out[4] = (uint8_t)o;
	return 5 + o;
}

struct flow {
	uint16_t cport;
	uint32_t cseq, sseq;
	uint64_t ts;
};

static void segment(struct td_engine *e, struct flow *f, bool client, uint8_t flags,
		    const uint8_t *p, size_t n)
{
	struct td_frame_spec s;
	if (client)
		td_frame_spec_init(&s, TD_LINK_ETHERNET, "10.9.0.1", f->cport, "10.9.0.2", 443);
	else
		td_frame_spec_init(&s, TD_LINK_ETHERNET, "10.9.0.2", 443, "10.9.0.1", f->cport);
	s.flags = flags;
	s.seq = client ? f->cseq : f->sseq;
	s.payload = p;
	s.payload_len = n;
	static uint8_t buf[TD_FRAME_MAX];
	size_t len = td_frame_build(buf, sizeof buf, &s);
	CU_ASSERT_FATAL(len > 0);
	f->ts += 10;
	td_engine_frame(e, TD_LINK_ETHERNET, f->ts, buf, len, len);
	uint32_t used = (uint32_t)n + ((flags & (TD_TCP_SYN | TD_TCP_FIN)) ? 1u : 0u);
	if (client)
		f->cseq += used;
	else
		f->sseq += used;
}

/* One connection: handshake start, the hellos and the chain, then both
 * sides close (so the engine reports it at once). */
static void connection(struct td_engine *e, uint16_t port, uint64_t ts, const uint8_t *ch,
		       size_t chn, const uint8_t *flight, size_t fn)
{
	struct flow f = { port, 1000, 5000, ts };
	segment(e, &f, true, TD_TCP_SYN, NULL, 0);
	segment(e, &f, false, TD_TCP_SYN | TD_TCP_ACK, NULL, 0);
	segment(e, &f, true, TD_TCP_ACK | TD_TCP_PSH, ch, chn);
	for (size_t off = 0; off < fn; off += 1400)
		segment(e, &f, false, TD_TCP_ACK | TD_TCP_PSH, flight + off,
			fn - off < 1400 ? fn - off : 1400);
	segment(e, &f, true, TD_TCP_FIN | TD_TCP_ACK, NULL, 0);
	segment(e, &f, false, TD_TCP_FIN | TD_TCP_ACK, NULL, 0);
}

static void test_parsed_once(void)
{
	uint8_t *der[CHAIN];
	size_t len[CHAIN];
	for (size_t i = 0; i < CHAIN; i++)
		der[i] = load(chain_files[i], &len[i]);
	static uint8_t flight[16384], ch[128];
	size_t fn = server_flight(flight, der, len, CHAIN), chn = client_hello(ch);

	struct share_sink k;
	memset(&k, 0, sizeof k);
	k.base.conn_done = share_done;
	k.base.finish = share_finish;
	k.base.free = share_free;
	k.redactor = td_redactor_new(TD_REDACT_PRIVATE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k.redactor);

	/* Validation runs too, against a store of the chain's root (its DER
	 * file, not the system bundle), as with --ca-file. */
	char root[4096];
	snprintf(root, sizeof root, "%s/%s", td_test_datadir(), chain_files[CHAIN - 1]);
	struct td_diag_opts opts;
	memset(&opts, 0, sizeof opts);
	opts.ca_file = root;
	opts.no_system_store = true;
	struct td_diagnoser *d = NULL;
	char err[256] = "";
	uint64_t before = td_x509_parse_count();
	CU_ASSERT_EQUAL_FATAL(td_diagnoser_new(&d, &opts, err, sizeof err), TD_OK);
	/* The store's one anchor, decoded once. */
	CU_ASSERT_EQUAL(td_x509_parse_count() - before, 1);

	struct td_config cfg;
	td_config_defaults(&cfg);
	cfg.diagnoser = d;
	struct td_engine *e = td_engine_new(&cfg, &k.base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);

	before = td_x509_parse_count();
	uint64_t sig_before = td_x509_sigcheck_count();
	for (uint32_t i = 0; i < CONNECTIONS; i++)
		connection(e, (uint16_t)(20000 + i), 1700000000000000u + 1000000u * i, ch, chn,
			   flight, fn);
	td_engine_finish(e);
	uint64_t parses = td_x509_parse_count() - before;
	uint64_t sigs = td_x509_sigcheck_count() - sig_before;
	td_engine_free(e);
	td_diagnoser_free(d);

	CU_ASSERT_EQUAL(k.conns, CONNECTIONS);
	/* Each distinct DER decoded once, not once a connection, and not
	 * once for display and again for validation. */
	if (parses != CHAIN || sigs != CHAIN - 1)
		fprintf(stderr, "\n%llu wolfSSL decodes, %llu signature checks for %u "
			"connections of %u certificates\n", (unsigned long long)parses,
			(unsigned long long)sigs, CONNECTIONS, CHAIN);
	CU_ASSERT_EQUAL(parses, CHAIN);
	/* Validation ran, on the parsed certificates: one signature check a
	 * link (leaf by intermediate, intermediate by the anchor), then the
	 * verdict is reused by identity. */
	CU_ASSERT_EQUAL(sigs, CHAIN - 1);
	/* ...and one object each, shared by every connection. */
	CU_ASSERT_EQUAL(k.same, CONNECTIONS);
	CU_ASSERT_TRUE(k.clone_shared);
	CU_ASSERT_TRUE(k.redact_ok);
	/* The engine, its cache and the diagnoser are gone: the sink's
	 * references are the last ones. */
	for (size_t i = 0; i < CHAIN; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(k.first[i]);
		CU_ASSERT_EQUAL(k.first[i]->refs, 1);
		CU_ASSERT_EQUAL(k.first[i]->der_len, len[i]);
		td_cert_unref(k.first[i]);
		free(der[i]);
	}
	td_redactor_free(k.redactor);
}

/* A store given as one DER file (not PEM): the file is decoded once,
 * whether it is a certificate or not. */
static void test_store_der_once(void)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", td_test_datadir(), chain_files[CHAIN - 1]);
	struct td_trust *t = NULL;
	char err[256] = "";
	uint64_t before = td_x509_parse_count();
	CU_ASSERT_EQUAL_FATAL(td_trust_new(&t, path, NULL, false, err, sizeof err), TD_OK);
	CU_ASSERT_EQUAL(td_x509_parse_count() - before, 1);
	CU_ASSERT_EQUAL(td_trust_anchor_count(t), 1);
	td_trust_free(t);

	snprintf(path, sizeof path, "%s/%s", td_test_datadir(), "x509_garbage.der");
	before = td_x509_parse_count();
	CU_ASSERT_NOT_EQUAL(td_trust_new(&t, path, NULL, false, err, sizeof err), TD_OK);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(td_x509_parse_count() - before, 1);
}

void td_suite_certshare(void)
{
	CU_pSuite s = td_test_suite("certshare");
	td_test_add(s, "1,000 connections of one chain, validated: each DER decoded once, shared",
		    test_parsed_once);
	td_test_add(s, "a DER trust store file: decoded once", test_store_der_once);
}
