/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules_cipher.c - cipher suites nobody should use (see rules.h):
 * WEAK_CIPHER, and the classifier rule_cipher (rules.c) asks before
 * telling a server to enable one of the client's suites.
 *
 * A suite is judged by its IANA name from the registry (tls_names.h,
 * src/tls/names_cipher.c), so every code point the registry knows is
 * covered without a second list that could drift:
 *
 *   NULL encryption   ..._WITH_NULL_..., TLS_NULL_WITH_NULL_NULL, and the
 *                     integrity-only TLS 1.3 suites of RFC 9150
 *                     (TLS_SHA256_SHA256, TLS_SHA384_SHA384)
 *   anonymous         ..._anon_... (no certificate: anyone in the path
 *                     can be the server)
 *   export            ..._EXPORT... (40/56-bit keys, RFC 2246 era)
 *   RC4               ..._RC4_... (RFC 7465 prohibits it)
 *   DES and 3DES      ..._DES_..., ..._DES40_..., ..._3DES_... (64-bit
 *                     blocks: Sweet32; single DES is broken outright)
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"
#include "tls_names.h"

/* One '_'-separated word of a suite's name, by its length and bytes. */
static bool word_is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(w, lit, n) == 0;
}

/* The name is read word by word. */
static const char *weakness_of_name(uint16_t suite)
{
	size_t len = 0;
	const char *n = td_tls_lookup_len(TD_REG_CIPHER, suite, &len);
	if (!n)
		return NULL;
	if (strcmp(n, "TLS_SHA256_SHA256") == 0 || strcmp(n, "TLS_SHA384_SHA384") == 0)
		return "no encryption (NULL)";
	bool null = false, anon = false, export = false, rc4 = false, des = false, des3 = false;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && n[j] != '_')
			j++;
		const char *w = n + i;
		size_t wn = j - i;
		null = null || word_is(w, wn, "NULL");
		anon = anon || word_is(w, wn, "anon");
		export = export || (wn >= 6 && memcmp(w, "EXPORT", 6) == 0);
		rc4 = rc4 || word_is(w, wn, "RC4");
		des = des || word_is(w, wn, "DES") || word_is(w, wn, "DES40");
		des3 = des3 || word_is(w, wn, "3DES");
		i = j + 1;
	}
	if (null)
		return "no encryption (NULL)";
	if (anon)
		return "no authentication (anonymous)";
	if (export)
		return "export-grade keys";
	if (rc4)
		return "RC4 (RFC 7465 prohibits it)";
	if (des3)
		return "3DES (64-bit blocks, Sweet32)";
	if (des)
		return "DES (broken)";
	return NULL;
}

/* A ClientHello lists dozens of suites and every connection has one:
 * judging each by its name was a fifth of a JSON run on make bench's
 * handshake-heavy workload, so the verdicts are kept by suite in a small
 * direct-mapped table (per thread: no lock, no sharing).  A verdict
 * depends on the suite alone. */
#define WEAK_MEMO 256u
const char *dx_cipher_weakness(uint16_t suite)
{
	static _Thread_local struct {
		bool known;
		uint16_t suite;
		const char *why;
	} memo[WEAK_MEMO];
	__typeof__(memo[0]) *m = &memo[(suite ^ (suite >> 8)) % WEAK_MEMO];
	if (!m->known || m->suite != suite) {
		m->why = weakness_of_name(suite);
		m->suite = suite;
		m->known = true;
	}
	return m->why;
}

/* The last suite list judged and its counts (per thread, as above): one
 * client sends the same list on every connection, and most lists hold no
 * weak suite, whose text is then empty. */
#define LIST_MEMO_MAX 128u
struct list_memo {
	size_t n;                    /* SIZE_MAX: nothing kept */
	uint16_t v[LIST_MEMO_MAX];
	bool only13;                 /* judged as a TLS 1.3-only hello's */
	size_t weak, strong;
};

static bool list_known(const struct list_memo *m, const struct td_u16list *l, bool only13)
{
	return m->n == l->n && l->n > 0 && m->only13 == only13 &&
	       memcmp(m->v, l->v, l->n * sizeof l->v[0]) == 0;
}

/* Does the ClientHello offer TLS 1.3 alone (its supported_versions lists
 * nothing older, GREASE aside)?  A QUIC client's always does (RFC 9001
 * 4.2), and Go's lists its TLS 1.2 suites all the same. */
static bool hello_only13(const struct td_conn *c)
{
	const struct td_u16list *v = &c->ch.versions;
	size_t n13 = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (td_tls_is_grease(v->v[i]))
			continue;
		if (v->v[i] < TD_VERSION_TLS13)
			return false;
		n13++;
	}
	return n13 > 0;
}

/* A suite TLS 1.3 can negotiate: RFC 8446 B.4's (0x13xx), RFC 9150's
 * integrity-only ones and RFC 8998's SM4 ones.  The others are TLS 1.2's
 * and older: with TLS 1.3 alone offered, the server cannot choose them
 * (RFC 8446 4.1.3), so they weaken nothing. */
static bool tls13_suite(uint16_t s)
{
	return (s >> 8) == 0x13u || s == 0xc0b4u || s == 0xc0b5u || s == 0x00c6u || s == 0x00c7u;
}

/* The suites of the ClientHello that dx_cipher_weakness() names, as
 * "A, B and N more", and how many there are and are not; of a TLS
 * 1.3-only hello, only the suites TLS 1.3 can choose count. */
static void weak_offered(const struct td_conn *c, char *out, size_t len, size_t *weak,
			 size_t *strong)
{
	static _Thread_local struct list_memo memo = { .n = SIZE_MAX };
	size_t o = 0, shown = 0;
	*weak = *strong = 0;
	out[0] = '\0';
	bool only13 = hello_only13(c);
	if (list_known(&memo, &c->ch.suites, only13) && memo.weak == 0) {
		*strong = memo.strong;
		return;
	}
	for (size_t i = 0; i < c->ch.suites.n; i++) {
		uint16_t s = c->ch.suites.v[i];
		if (td_tls_is_grease(s) || s == 0x00ff || s == 0x5600)
			continue;  /* GREASE and the signalling suites are no ciphers */
		if (only13 && !tls13_suite(s))
			continue;  /* cannot be chosen */
		if (!dx_cipher_weakness(s)) {
			(*strong)++;
			continue;
		}
		(*weak)++;
		if (shown < 4 && o < len) {
			int k = snprintf(out + o, len - o, "%s%s", o ? ", " : "",
					 dx_name(TD_REG_CIPHER, s));
			if (k > 0 && (size_t)k < len - o) {
				o += (size_t)k;
				shown++;
			}
		}
	}
	if (*weak > shown && o < len)
		snprintf(out + o, len - o, " and %zu more", *weak - shown);
	if (c->ch.suites.n <= LIST_MEMO_MAX && c->ch.suites.n > 0) {
		memcpy(memo.v, c->ch.suites.v, c->ch.suites.n * sizeof memo.v[0]);
		memo.n = c->ch.suites.n;
		memo.only13 = only13;
		memo.weak = *weak;
		memo.strong = *strong;
	}
}

bool dx_client_offers_only_weak(const struct td_conn *c)
{
	char list[8];
	size_t weak, strong;
	weak_offered(c, list, sizeof list, &weak, &strong);
	return weak > 0 && strong == 0;
}

/* A weak suite negotiated: a warning, not an error.  The handshake
 * worked and the rule is that a successful handshake carries no
 * error (exit status 0 on healthy-looking traffic); the weakness is
 * reported as WEAK_KEY and DEPRECATED_VERSION are.  Offered among
 * others but not chosen: information only, since many clients still list
 * 3DES last (Go 1.19, older browsers) and a warning on each of their
 * connections would drown the ones that matter; offered alone: a warning
 * about the client's configuration (a server that enabled them would
 * pick them). */
bool rule_weak_cipher(const struct dx *x, struct finding *f)
{
	const struct td_conn *c = x->c;
	const char *why = c->sh.present && !c->sh.hrr ? dx_cipher_weakness(c->cipher) : NULL;
	char list[300];
	size_t weak = 0, strong = 0;
	if (c->ch.present)
		weak_offered(c, list, sizeof list, &weak, &strong);
	if (!why && weak == 0)
		return false;
	if (why) {
		finding_set(f, TD_SEV_WARNING, TD_STAGE_SERVER_HELLO, TD_PARTY_NOBODY,
		    "The server chose %s: %s.", dx_name(TD_REG_CIPHER, c->cipher), why);
		size_t sh = dx_last_message(c, TD_DIR_S2C, TD_HS_SERVER_HELLO);
		finding_evidence(f, "the ServerHello chose %s", dx_name(TD_REG_CIPHER, c->cipher));
		if (sh != SIZE_MAX)
			finding_event(f, sh);
		if (weak)
			finding_evidence(f, "the client offered %zu weak suite%s (%s) and %zu other%s",
					 weak, weak == 1 ? "" : "s", list, strong,
					 strong == 1 ? "" : "s");
		if (strong)
			finding_fix(f, "Disable %s on the server (and the client): both sides "
			    "support stronger suites, e.g. TLS 1.3 or an ECDHE suite with AES-GCM "
			    "or ChaCha20-Poly1305.", dx_name(TD_REG_CIPHER, c->cipher));
		else
			finding_fix(f, "Configure the client to offer modern suites (TLS 1.3, or "
			    "ECDHE with AES-GCM or ChaCha20-Poly1305) and disable %s on the server.",
			    dx_name(TD_REG_CIPHER, c->cipher));
		return true;
	}
	finding_set(f, strong ? TD_SEV_INFO : TD_SEV_WARNING, TD_STAGE_CLIENT_HELLO, TD_PARTY_NOBODY,
	    "The client offers %s (NULL, anonymous, export, RC4 or DES).",
	    !strong ? "only weak cipher suites"
	    : weak == 1 ? "a weak cipher suite among others" : "weak cipher suites among others");
	finding_evidence(f, "weak suites offered: %s", list);
	finding_evidence(f, "%zu other suite%s offered", strong, strong == 1 ? "" : "s");
	if (c->sh.present && !c->sh.hrr)
		finding_evidence(f, "the server chose %s", dx_name(TD_REG_CIPHER, c->cipher));
	size_t ch = dx_last_message(c, TD_DIR_C2S, TD_HS_CLIENT_HELLO);
	if (ch != SIZE_MAX)
		finding_event(f, ch);
	finding_fix(f, "Remove the weak suites from the client's configuration (e.g. OpenSSL "
	    "'DEFAULT:!aNULL:!eNULL:!EXPORT:!RC4:!DES:!3DES', Go tls.Config.CipherSuites)%s.",
	    strong ? "" : " and offer modern ones (TLS 1.3, ECDHE with AES-GCM)");
	return true;
}
