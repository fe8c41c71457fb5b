/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json_hello.c - the ClientHello and ServerHello objects of a connection
 * line (schema: json.c): the versions, suites, extensions, groups and
 * signature algorithms offered, and what the server picked, by name;
 * the ECH offer and the JA4 fingerprint.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonconn.h"

/* The ClientHello lists repeat from one connection to the next (one
 * client program sends the same suites, groups and algorithms every
 * time), and writing one is a name lookup and a string per entry: a
 * tenth of the JSON sink's time on make bench's handshake-heavy
 * workload.  So the sink keeps, per list member, the last list written
 * and its bytes, and writes them again when the next list has the same
 * values.  The key is the whole input: the bytes are a function of the
 * values alone (GREASE values, all written "GREASE", compare equal), so
 * a line still depends on its connection alone. */
#define LIST_MEMO_MAX 128u   /* longer lists are written afresh */
#define LIST_MEMO_JSON 8192u /* ...and so are longer texts */
#define GREASE_KEY 0x0a0au

enum list_slot { L_VERSIONS, L_SUITES, L_EXTENSIONS, L_GROUPS, L_KEY_SHARES, L_SIGALGS,
		 L_SH_EXTENSIONS, L_SLOTS };

struct td_json_lists {
	struct {
		size_t n;               /* SIZE_MAX: nothing kept */
		uint16_t v[LIST_MEMO_MAX];   /* the key: GREASE values as GREASE_KEY */
		uint16_t raw[LIST_MEMO_MAX]; /* the values as they came */
		size_t len;
		char json[LIST_MEMO_JSON];
	} slot[L_SLOTS];
};

struct td_json_lists *td_json_lists_new(void)
{
	struct td_json_lists *m = malloc(sizeof *m);
	if (m)
		for (size_t i = 0; i < L_SLOTS; i++)
			m->slot[i].n = SIZE_MAX;
	return m;
}

void td_json_lists_free(struct td_json_lists *m)
{
	free(m);
}

static inline uint16_t list_key(uint16_t v)
{
	return td_tls_is_grease(v) ? GREASE_KEY : v;
}

/* key: [NAME, ...] as knames() writes it, from memo slot i when the
 * values are those of the last list written there. */
static void knames_memo(struct td_jsonw *w, struct td_json_lists *m, enum list_slot i,
			struct td_jkey key, enum td_tls_registry reg, const struct td_u16list *l)
{
	if (!m || l->n > LIST_MEMO_MAX) {
		knames(w, key, reg, l);
		return;
	}
	td_jsonw_jkey(w, key);
	__typeof__(m->slot[0]) *s = &m->slot[i];
	/* The same values exactly (a client without GREASE, or the same
	 * GREASE values): one memcmp; else the key, GREASE compared equal. */
	if (s->n == l->n && (l->n == 0 || memcmp(s->raw, l->v, l->n * sizeof l->v[0]) == 0)) {
		td_jsonw_value_raw(w, s->json, s->len);
		return;
	}
	if (s->n == l->n) {
		size_t k = 0;
		while (k < l->n && s->v[k] == list_key(l->v[k]))
			k++;
		if (k == l->n) {
			td_jsonw_value_raw(w, s->json, s->len);
			return;
		}
	}
	/* Write it, and keep its bytes when they are still in the buffer. */
	td_jsonw_array_begin(w);
	size_t start = w->len - 1;  /* the '[' (a value after a key has no comma) */
	uint64_t handed = w->handed;
	for (size_t k = 0; k < l->n; k++)
		code_name(w, reg, l->v[k]);
	td_jsonw_array_end(w);
	size_t len = w->len - start;
	s->n = SIZE_MAX;
	if (w->handed != handed || len > LIST_MEMO_JSON || w->buf[start] != '[')
		return;
	memcpy(s->json, w->buf + start, len);
	s->len = len;
	for (size_t k = 0; k < l->n; k++)
		s->v[k] = list_key(l->v[k]);
	if (l->n)
		memcpy(s->raw, l->v, l->n * sizeof l->v[0]);
	s->n = l->n;
}

/* "ech_offer": what the encrypted_client_hello extension shows, or null
 * without one.  An outer offer may be GREASE ECH (draft-ietf-tls-esni
 * 6.2: random values from a client without the server's ECHConfig), and
 * only the server's config tells: possibly_grease says so. */
static void json_ech(struct td_jsonw *w, const struct td_client_hello *ch)
{
	const struct td_ech_ext *e = &ch->ech_ext;
	td_jsonw_jkey(w, TD_JKEY("ech_offer"));
	if (!ch->ech || !e->parsed) {
		td_jsonw_null(w);
		return;
	}
	td_jsonw_object_begin(w);
	td_jsonw_jkey(w, TD_JKEY("type"));
	if (e->type == TD_ECH_OUTER || e->type == TD_ECH_INNER)
		td_jsonw_string(w, e->type == TD_ECH_OUTER ? "outer" : "inner");
	else
		td_jsonw_uint(w, e->type);
	if (e->type == TD_ECH_OUTER) {
		kname(w, TD_JKEY("kdf"), TD_REG_HPKE_KDF, e->kdf_id);
		kname(w, TD_JKEY("aead"), TD_REG_HPKE_AEAD, e->aead_id);
		td_jsonw_jk_uint(w, TD_JKEY("config_id"), e->config_id);
		td_jsonw_jk_uint(w, TD_JKEY("enc_len"), e->enc_len);
		td_jsonw_jk_uint(w, TD_JKEY("payload_len"), e->payload_len);
		td_jsonw_jk_bool(w, TD_JKEY("possibly_grease"), true);
	}
	td_jsonw_object_end(w);
}

void td_json_client_hello(struct td_jsonw *w, struct td_json_lists *m,
			  const struct td_client_hello *ch)
{
	td_jsonw_jkey(w, TD_JKEY("client_hello"));
	if (!ch->present) {
		td_jsonw_null(w);
		return;
	}
	td_jsonw_object_begin(w);
	kname(w, TD_JKEY("record_version"), TD_REG_VERSION, ch->record_version);
	kname(w, TD_JKEY("legacy_version"), TD_REG_VERSION, ch->legacy_version);
	knames_memo(w, m, L_VERSIONS, TD_JKEY("versions"), TD_REG_VERSION, &ch->versions);
	knames_memo(w, m, L_SUITES, TD_JKEY("cipher_suites"), TD_REG_CIPHER, &ch->suites);
	knames_memo(w, m, L_EXTENSIONS, TD_JKEY("extensions"), TD_REG_EXTENSION, &ch->extensions);
	knames_memo(w, m, L_GROUPS, TD_JKEY("groups"), TD_REG_GROUP, &ch->groups);
	knames_memo(w, m, L_KEY_SHARES, TD_JKEY("key_share_groups"), TD_REG_GROUP,
		    &ch->key_share_groups);
	knames_memo(w, m, L_SIGALGS, TD_JKEY("signature_algorithms"), TD_REG_SIGALG, &ch->sig_algs);
	kstrings(w, TD_JKEY("alpn"), &ch->alpn);
	/* Only when the client sent compress_certificate (RFC 8879). */
	if (ch->cert_compression.n)
		knames(w, TD_JKEY("cert_compression"), TD_REG_CERT_COMPRESSION,
		       &ch->cert_compression);
	td_jsonw_jk_uint(w, TD_JKEY("session_id_len"), ch->session_id_len);
	td_jsonw_jk_bool(w, TD_JKEY("session_ticket"), ch->session_ticket);
	td_jsonw_jk_bool(w, TD_JKEY("psk"), ch->psk);
	td_jsonw_jk_bool(w, TD_JKEY("early_data"), ch->early_data);
	td_jsonw_jk_bool(w, TD_JKEY("ech"), ch->ech);
	json_ech(w, ch);
	td_jsonw_jk_bool(w, TD_JKEY("sslv2"), ch->sslv2);
	/* Hex digits, letters, '_' and ',' (ja4.c): nothing to escape. */
	if (ch->ja4[0])
		td_jsonw_jk_word(w, TD_JKEY("ja4"), ch->ja4);
	else
		td_jsonw_jk_null(w, TD_JKEY("ja4"));
	if (ch->ja4_r)
		td_jsonw_jk_word(w, TD_JKEY("ja4_r"), ch->ja4_r);
	else
		td_jsonw_jk_null(w, TD_JKEY("ja4_r"));
	td_jsonw_object_end(w);
}

void td_json_server_hello(struct td_jsonw *w, struct td_json_lists *m,
			  const struct td_server_hello *sh)
{
	td_jsonw_jkey(w, TD_JKEY("server_hello"));
	if (!sh->present) {
		td_jsonw_null(w);
		return;
	}
	td_jsonw_object_begin(w);
	kname(w, TD_JKEY("legacy_version"), TD_REG_VERSION, sh->legacy_version);
	kname_or_null(w, TD_JKEY("selected_version"), TD_REG_VERSION, sh->selected_version);
	kname(w, TD_JKEY("cipher"), TD_REG_CIPHER, sh->cipher);
	knames_memo(w, m, L_SH_EXTENSIONS, TD_JKEY("extensions"), TD_REG_EXTENSION,
		    &sh->extensions);
	kname_or_null(w, TD_JKEY("key_share_group"), TD_REG_GROUP, sh->key_share_group);
	td_jsonw_jk_bool(w, TD_JKEY("hrr"), sh->hrr);
	td_jsonw_jk_bool(w, TD_JKEY("psk"), sh->psk);
	/* Only when EncryptedExtensions carried ECH retry_configs. */
	if (sh->ech_retry)
		td_jsonw_jk_uint(w, TD_JKEY("ech_retry_configs"), sh->ech_retry_len);
	td_jsonw_object_end(w);
}

void td_json_resumption(struct td_jsonw *w, const struct td_conn *c)
{
	static const char *const early[] = {
		[TD_EARLY_NONE] = "none", [TD_EARLY_OFFERED] = "offered",
		[TD_EARLY_ACCEPTED] = "accepted", [TD_EARLY_REJECTED] = "rejected",
	};
	const struct td_client_hello *ch = &c->ch;
	if (ch->present && ch->psk) {
		td_jsonw_jkey(w, TD_JKEY("psk"));
		td_jsonw_object_begin(w);
		td_jsonw_jk_uint(w, TD_JKEY("offered"), ch->psk_identities);
		td_jsonw_jkey(w, TD_JKEY("obfuscated_ages"));
		td_jsonw_array_begin(w);
		for (size_t i = 0; i < ch->psk_identities && i < TD_PSK_AGES; i++)
			td_jsonw_uint(w, ch->psk_ages[i]);
		td_jsonw_array_end(w);
		if (c->sh.present) {
			td_jsonw_jk_bool(w, TD_JKEY("accepted"), c->sh.psk);
			if (c->sh.psk)
				td_jsonw_jk_uint(w, TD_JKEY("selected"), c->sh.psk_identity);
			else
				td_jsonw_jk_null(w, TD_JKEY("selected"));
		} else {
			td_jsonw_jk_null(w, TD_JKEY("accepted"));
			td_jsonw_jk_null(w, TD_JKEY("selected"));
		}
		td_jsonw_object_end(w);
	}
	if (c->early_data != TD_EARLY_NONE && (size_t)c->early_data < sizeof early / sizeof *early) {
		td_jsonw_jk_word(w, TD_JKEY("early_data"), early[c->early_data]);
		td_jsonw_jk_bool(w, TD_JKEY("early_data_inferred"), c->early_inferred);
		td_jsonw_jk_uint(w, TD_JKEY("early_records"), c->early_records);
		td_jsonw_jk_uint(w, TD_JKEY("early_records_decrypted"), c->early_decrypted);
	}
}
