/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ja4.c - the JA4 client fingerprint of a decoded ClientHello (ja4.h),
 * written from FoxIO's specification (technical_details/JA4.md).
 *
 * The raw form is built first, a_B_C with B the sorted ciphers and C the
 * sorted extensions and the signature algorithms; parts b and c of the
 * fingerprint are the truncated SHA-256 of B and C exactly as they stand
 * in it, so the two forms cannot disagree.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filehash.h"
#include "ja4.h"
#include "tls_names.h"

enum {
	EXT_SERVER_NAME = 0x0000,
	EXT_ALPN = 0x0010,
	EXT_SUPPORTED_VERSIONS = 0x002b,
	A_LEN = 10,          /* "t13d1516h2" */
	HASH_HEX = 12,       /* a hashed part: the first 12 hex digits */
	COUNT_MAX = 99,      /* counts are two digits */
	NO_SKIP = 0x0a0a     /* filtered()'s "skip nothing more": a GREASE value */
};

static int cmp_u16(const void *a, const void *b)
{
	uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
	return (x > y) - (x < y);
}

/* The version's two characters (the specification's table; "00" for any
 * other value). */
static const char *version_code(uint16_t v)
{
	switch (v) {
	case TD_VERSION_TLS13: return "13";
	case TD_VERSION_TLS12: return "12";
	case TD_VERSION_TLS11: return "11";
	case TD_VERSION_TLS10: return "10";
	case TD_VERSION_SSL3: return "s3";
	case TD_VERSION_SSL2: return "s2";
	case TD_VERSION_DTLS10: return "d1";
	case TD_VERSION_DTLS12: return "d2";
	case TD_VERSION_DTLS13: return "d3";
	default: return "00";
	}
}

/* The highest non-GREASE value of supported_versions when the extension
 * was sent, else the ClientHello's legacy_version (the record's version
 * is not looked at). */
static uint16_t hello_version(const struct td_client_hello *ch)
{
	uint16_t best = 0;
	bool any = false;
	for (size_t i = 0; i < ch->versions.n; i++) {
		uint16_t v = ch->versions.v[i];
		if (td_tls_is_grease(v))
			continue;
		if (!any || v > best)
			best = v;
		any = true;
	}
	return td_u16list_has(&ch->extensions, EXT_SUPPORTED_VERSIONS) && any ? best
									       : ch->legacy_version;
}

static bool alnum(uint8_t b)
{
	return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

/* The first and last character of the first ALPN name: themselves when
 * both bytes are ASCII letters or digits, else the first and the last
 * hex digit of the bytes ("00": no name). */
static void alpn_chars(const struct td_client_hello *ch, char out[3])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t first = ch->alpn_ends[0], last = ch->alpn_ends[1];
	if (ch->alpn.n == 0) {
		out[0] = out[1] = '0';
	} else if (alnum(first) && alnum(last)) {
		out[0] = (char)first;
		out[1] = (char)last;
	} else {
		out[0] = hex[first >> 4];
		out[1] = hex[last & 0x0f];
	}
	out[2] = '\0';
}

/* The non-GREASE values of l, without skip_a and skip_b (NO_SKIP: none),
 * sorted when asked, into out (room for l->n); how many. */
static size_t filtered(const struct td_u16list *l, uint16_t skip_a, uint16_t skip_b, bool sort,
		       uint16_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		uint16_t v = l->v[i];
		if (!td_tls_is_grease(v) && v != skip_a && v != skip_b)
			out[n++] = v;
	}
	if (sort && n > 1)
		qsort(out, n, sizeof out[0], cmp_u16);
	return n;
}

/* Append "xxxx,yyyy,..." (4 lowercase hex digits each) at p; the end. */
static char *hex_list(char *p, const uint16_t *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = hex[v[i] >> 12];
		*p++ = hex[(v[i] >> 8) & 0x0f];
		*p++ = hex[(v[i] >> 4) & 0x0f];
		*p++ = hex[v[i] & 0x0f];
	}
	return p;
}

/* The first 12 hex digits of the SHA-256 of len bytes at s into out, or
 * twelve zeros for an empty list (the specification's choice: an empty
 * field shows as such rather than as the hash of nothing). */
static enum td_result hash12(const char *s, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t digest[32];
	if (len == 0) {
		memset(out, '0', HASH_HEX);
		return TD_OK;
	}
	enum td_result r = td_sha256(s, len, digest);
	if (r != TD_OK)
		return r;
	for (size_t i = 0; i < HASH_HEX / 2; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	return TD_OK;
}

/* A client program sends the same ClientHello lists on every
 * connection, and sorting them and hashing twice was a tenth of a JSON
 * run on make bench's handshake-heavy workload: the last fingerprints
 * are kept (MEMO_SLOTS of them, per thread: no lock, no sharing; a few
 * client programs take turns on a busy link) with everything each was
 * made from -- the lists as sent, what their caps dropped, the version,
 * the ALPN characters and the transport -- and given again when all of
 * it is the same.  Larger hellos are computed afresh. */
enum { MEMO_SLOTS = 8, MEMO_VALUES = 256, MEMO_RAW = A_LEN + 3 + 5 * MEMO_VALUES + 1 };
struct ja4_memo {
	bool set, quic;
	uint16_t version;
	char alpn[3];
	size_t n[3], dropped[2];
	uint16_t v[MEMO_VALUES];
	char ja4[TD_JA4_LEN + 1];
	char raw[MEMO_RAW];
};
static _Thread_local struct ja4_memo memos[MEMO_SLOTS];
static _Thread_local size_t memo_next;  /* the slot a miss replaces */

/* The lists memo compares: suites, extensions, signature algorithms. */
static void memo_lists(const struct td_client_hello *ch, const struct td_u16list *l[3])
{
	l[0] = &ch->suites;
	l[1] = &ch->extensions;
	l[2] = &ch->sig_algs;
}

static bool memo_same(const struct ja4_memo *m, const struct td_client_hello *ch, bool quic,
		      uint16_t version, const char alpn[3])
{
	if (!m->set || m->quic != quic || m->version != version ||
	    memcmp(m->alpn, alpn, 3) != 0 || m->dropped[0] != ch->suites.dropped ||
	    m->dropped[1] != ch->extensions.dropped)
		return false;
	const struct td_u16list *l[3];
	memo_lists(ch, l);
	size_t at = 0;
	for (int i = 0; i < 3; i++) {
		if (m->n[i] != l[i]->n ||
		    (l[i]->n && memcmp(m->v + at, l[i]->v, l[i]->n * sizeof l[i]->v[0]) != 0))
			return false;
		at += l[i]->n;
	}
	return true;
}

static const struct ja4_memo *memo_find(const struct td_client_hello *ch, bool quic,
					uint16_t version, const char alpn[3])
{
	for (size_t i = 0; i < MEMO_SLOTS; i++)
		if (memo_same(&memos[i], ch, quic, version, alpn))
			return &memos[i];
	return NULL;
}

static void memo_keep(const struct td_client_hello *ch, bool quic, uint16_t version,
		      const char alpn[3])
{
	const struct td_u16list *l[3];
	memo_lists(ch, l);
	if (l[0]->n + l[1]->n + l[2]->n > MEMO_VALUES || strlen(ch->ja4_r) >= MEMO_RAW)
		return;
	struct ja4_memo *m = &memos[memo_next];
	memo_next = (memo_next + 1) % MEMO_SLOTS;
	size_t at = 0;
	for (int i = 0; i < 3; i++) {
		m->n[i] = l[i]->n;
		if (l[i]->n)
			memcpy(m->v + at, l[i]->v, l[i]->n * sizeof l[i]->v[0]);
		at += l[i]->n;
	}
	m->dropped[0] = ch->suites.dropped;
	m->dropped[1] = ch->extensions.dropped;
	m->quic = quic;
	m->version = version;
	memcpy(m->alpn, alpn, 3);
	memcpy(m->ja4, ch->ja4, sizeof m->ja4);
	strcpy(m->raw, ch->ja4_r);
	m->set = true;
}

enum td_result td_ja4_compute(struct td_client_hello *ch, bool quic)
{
	free(ch->ja4_r);
	ch->ja4_r = NULL;
	ch->ja4[0] = '\0';
	if (!ch->present || ch->sslv2)
		return TD_OK;
	char alpn[3];
	alpn_chars(ch, alpn);
	uint16_t version = hello_version(ch);
	const struct ja4_memo *m = memo_find(ch, quic, version, alpn);
	if (m) {
		ch->ja4_r = strdup(m->raw);
		if (!ch->ja4_r)
			return TD_ERR_NOMEM;
		memcpy(ch->ja4, m->ja4, sizeof ch->ja4);
		return TD_OK;
	}

	/* One scratch array for the three lists; the raw text takes 5
	 * characters a value at most, plus part a and three underscores. */
	size_t total = ch->suites.n + ch->extensions.n + ch->sig_algs.n;
	uint16_t *v = malloc((total ? total : 1) * sizeof *v);
	char *raw = malloc(A_LEN + 3 + 5 * total + 1);
	enum td_result res = TD_ERR_NOMEM;
	if (!v || !raw)
		goto out;
	uint16_t *suites = v, *exts = v + ch->suites.n, *sigs = exts + ch->extensions.n;
	/* The counts: every non-GREASE value, SNI and ALPN included (and
	 * those the list cap dropped, which were sent too). */
	size_t n_suites = filtered(&ch->suites, NO_SKIP, NO_SKIP, true, suites);
	size_t n_exts = filtered(&ch->extensions, NO_SKIP, NO_SKIP, false, exts);
	size_t count_suites = n_suites + ch->suites.dropped;
	size_t count_exts = n_exts + ch->extensions.dropped;
	n_exts = filtered(&ch->extensions, EXT_SERVER_NAME, EXT_ALPN, true, exts);
	size_t n_sigs = filtered(&ch->sig_algs, NO_SKIP, NO_SKIP, false, sigs);

	/* "%c%s%c%02zu%02zu%s": 1 + 2 + 1 + 2 + 2 + 2 = A_LEN. */
	snprintf(raw, A_LEN + 1, "%c%s%c%02zu%02zu%s", quic ? 'q' : 't',
		 version_code(version),
		 td_u16list_has(&ch->extensions, EXT_SERVER_NAME) ? 'd' : 'i',
		 count_suites > COUNT_MAX ? (size_t)COUNT_MAX : count_suites,
		 count_exts > COUNT_MAX ? (size_t)COUNT_MAX : count_exts, alpn);
	char *p = raw + A_LEN;
	*p++ = '_';
	const char *b = p;
	p = hex_list(p, suites, n_suites);
	size_t b_len = (size_t)(p - b);
	*p++ = '_';
	const char *c = p;
	p = hex_list(p, exts, n_exts);
	/* No signature algorithms: no underscore either. */
	if (n_sigs > 0 && n_exts > 0) {
		*p++ = '_';
		p = hex_list(p, sigs, n_sigs);
	}
	size_t c_len = n_exts > 0 ? (size_t)(p - c) : 0;
	*p = '\0';

	char ja4[TD_JA4_LEN + 1];
	memcpy(ja4, raw, A_LEN);
	ja4[A_LEN] = '_';
	ja4[A_LEN + 1 + HASH_HEX] = '_';
	ja4[TD_JA4_LEN] = '\0';
	res = hash12(b, b_len, ja4 + A_LEN + 1);
	if (res == TD_OK)
		res = hash12(c, c_len, ja4 + A_LEN + 2 + HASH_HEX);
	if (res != TD_OK)
		goto out;
	memcpy(ch->ja4, ja4, sizeof ja4);
	ch->ja4_r = raw;
	raw = NULL;
	memo_keep(ch, quic, version, alpn);
out:
	free(v);
	free(raw);
	return res;
}
