/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hello.c - ClientHello, SSLv2-compatible ClientHello, ServerHello /
 * HelloRetryRequest and EncryptedExtensions (RFC 8446 4.1.2, 4.1.3,
 * 4.2, 4.3.1; RFC 5246 7.4.1.2, 7.4.1.3, E.2; RFC 6066 3; RFC 7301 3.1;
 * RFC 5077 3.2; draft-ietf-tls-esni).
 *
 *   ClientHello                           ServerHello / HRR
 *   +-------------------------------+     +-------------------------------+
 *   | legacy_version        2       |     | legacy_version        2       |
 *   | random                32      |     | random                32  (*) |
 *   | session_id            <0..32> |     | session_id            <0..32> |
 *   | cipher_suites         <2..2^16-2> | | cipher_suite          2       |
 *   | compression_methods   <1..2^8-1>  | | compression_method    1       |
 *   | extensions            <8..2^16-1> | | extensions            <6..2^16-1> |
 *   +-------------------------------+     +-------------------------------+
 *   (*) SHA-256("HelloRetryRequest") marks a HelloRetryRequest.
 *   Extensions may be absent altogether (SSL 3.0, early TLS 1.0).
 *
 *   Extension:  | type 2 | length 2 | extension_data[length] |
 *
 *   SSLv2-compatible ClientHello (RFC 5246 E.2), from msg_type on:
 *   +----------+---------+-----------------+-------------------+
 *   | msg_type | version | cipher_spec_len | session_id_len    |
 *   | 1 (= 1)  | 2       | 2 (n * 3)       | 2                 |
 *   +----------+---------+-----------------+-------------------+
 *   | challenge_len 2 | cipher_specs | session_id | challenge  |
 *   +-----------------+--------------+------------+------------+
 *
 * Errors: TD_ERR_TRUNCATED when the message ends before its grammar
 * does (a vector claims more bytes than the message has left);
 * TD_ERR_MALFORMED when an inner structure is inconsistent (an odd u16
 * list, an extension overrunning the extensions block, trailing bytes).
 * Decoding goes on past a malformed extension whose framing is intact,
 * so everything decodable is kept; the first error is returned
 * (TD_ERR_NOMEM wins over all).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "quic_tp.h"
#include "reader.h"
#include "text.h"
#include "tls_handshake.h"

enum {
	EXT_SERVER_NAME = 0,
	EXT_SUPPORTED_GROUPS = 10,
	EXT_SIGNATURE_ALGORITHMS = 13,
	EXT_ALPN = 16,
	EXT_COMPRESS_CERTIFICATE = 27,
	EXT_SESSION_TICKET = 35,
	EXT_PRE_SHARED_KEY = 41,
	EXT_EARLY_DATA = 42,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_KEY_SHARE = 51,
	EXT_QUIC_TRANSPORT_PARAMETERS = 57,
	EXT_ENCRYPTED_CLIENT_HELLO = 0xfe0d,

	SNI_HOST_NAME = 0,
	RANDOM_LEN = 32,
	SESSION_ID_MAX = 32,
	SSLV2_CLIENT_HELLO = 1,
	SSLV2_CHALLENGE_MIN = 16,
	SSLV2_CHALLENGE_MAX = 32
};

/* RFC 8446 4.1.3: the random of a HelloRetryRequest. */
static const uint8_t hrr_random[RANDOM_LEN] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c
};

/* Keep the first error; out of memory overrides everything. */
static void note(enum td_result *res, enum td_result r)
{
	if (r == TD_ERR_NOMEM || (*res == TD_OK && r != TD_OK))
		*res = r;
}

/* MALFORMED unless the reader is healthy and used up. */
static enum td_result finish(const struct td_reader *r)
{
	return td_rd_done(r) ? TD_OK : TD_ERR_MALFORMED;
}

/* A list of u16 code points filling the whole reader. */
static enum td_result u16_items(struct td_reader *v, struct td_u16list *l)
{
	enum td_result r = td_u16list_add_wire(l, v);
	return r != TD_OK ? r : finish(v);
}

/* A sanitized copy of the rest of the reader (NULL: out of memory). */
static char *text_of(struct td_reader *v)
{
	size_t n = td_rd_left(v);
	return td_text_sanitize(td_rd_bytes(v, n), n);
}

/* ServerNameList (RFC 6066 3): the first host_name is kept. */
static enum td_result ext_server_name(struct td_reader *d, struct td_client_hello *ch)
{
	struct td_reader list = td_rd_vec16(d);
	while (td_rd_ok(&list) && td_rd_left(&list) > 0) {
		uint8_t type = td_rd_u8(&list);
		struct td_reader name = td_rd_vec16(&list);
		if (!td_rd_ok(&list) || td_rd_left(&name) == 0)
			return TD_ERR_MALFORMED;
		if (type == SNI_HOST_NAME && !ch->sni) {
			ch->sni = text_of(&name);
			if (!ch->sni)
				return TD_ERR_NOMEM;
		}
	}
	if (!td_rd_ok(&list))
		return TD_ERR_MALFORMED;
	return finish(d);
}

/* ProtocolNameList (RFC 7301 3.1).  The first name's first and last
 * bytes are kept as sent (JA4 reads them; the list holds sanitized text). */
static enum td_result ext_alpn_list(struct td_reader *d, struct td_client_hello *ch)
{
	struct td_strlist *out = &ch->alpn;
	struct td_reader list = td_rd_vec16(d);
	if (td_rd_left(&list) == 0)
		return TD_ERR_MALFORMED;
	while (td_rd_left(&list) > 0) {
		struct td_reader name = td_rd_vec8(&list);
		if (!td_rd_ok(&list) || td_rd_left(&name) == 0)
			return TD_ERR_MALFORMED;
		if (out->n == 0) {
			ch->alpn_ends[0] = td_rd_peek(&name, 0);
			ch->alpn_ends[1] = td_rd_peek(&name, td_rd_left(&name) - 1);
		}
		enum td_result r = td_strlist_take(out, text_of(&name));
		if (r != TD_OK)
			return r;
	}
	return finish(d);
}

/* KeyShareClientHello (RFC 8446 4.2.8): the groups offered. */
static enum td_result ext_client_key_share(struct td_reader *d, struct td_client_hello *ch)
{
	struct td_reader shares = td_rd_vec16(d);
	while (td_rd_left(&shares) > 0) {
		uint16_t group = td_rd_u16(&shares);
		struct td_reader key = td_rd_vec16(&shares);
		if (!td_rd_ok(&shares) || td_rd_left(&key) == 0)
			return TD_ERR_MALFORMED;
		enum td_result r = td_u16list_add(&ch->key_share_groups, group);
		if (r != TD_OK)
			return r;
	}
	if (!td_rd_ok(&shares))
		return TD_ERR_MALFORMED;
	return finish(d);
}

/* OfferedPsks (RFC 8446 4.2.11): identities and binders, both non-empty. */
/*
 * OfferedPsks (RFC 8446 4.2.11): the identities are counted and the
 * first TD_PSK_AGES obfuscated ages kept; the tickets and binders are
 * opaque to an observer.
 *
 *   identities<7..2^16-1>: { opaque identity<1..2^16-1>; uint32 obfuscated_ticket_age; }...
 *   binders<33..2^16-1>:   { opaque PskBinderEntry<32..255>; }...
 */
static enum td_result ext_client_psk(struct td_reader *d, struct td_client_hello *ch)
{
	struct td_reader ids = td_rd_vec16(d);
	struct td_reader binders = td_rd_vec16(d);
	if (td_rd_left(&ids) == 0 || td_rd_left(&binders) == 0)
		return TD_ERR_MALFORMED;
	while (td_rd_ok(&ids) && td_rd_left(&ids) > 0) {
		struct td_reader id = td_rd_vec16(&ids);
		uint32_t age = td_rd_u32(&ids);
		if (!td_rd_ok(&ids) || td_rd_left(&id) == 0)
			return TD_ERR_MALFORMED;
		if (ch->psk_identities < TD_PSK_AGES)
			ch->psk_ages[ch->psk_identities] = age;
		if (ch->psk_identities < UINT16_MAX)
			ch->psk_identities++;
	}
	return finish(d);
}

/*
 * ECHClientHello (draft-ietf-tls-esni 5): what an observer can read of
 * it; the payload stays sealed (it needs the server's ECH key).
 *
 *   +------+---------------------------+-----------+----------+--------------+
 *   | type | cipher_suite: kdf_id aead | config_id | enc      | payload      |
 *   | 1    | 2             2           | 1         | <0..2^16-1> | <1..2^16-1> |
 *   +------+---------------------------+-----------+----------+--------------+
 *   type outer (0) has the rest; type inner (1) is empty.
 */
static enum td_result ext_client_ech(struct td_reader *d, struct td_ech_ext *e)
{
	enum { ECH_OUTER = 0 };
	memset(e, 0, sizeof *e);
	e->type = td_rd_u8(d);
	if (!td_rd_ok(d))
		return TD_ERR_MALFORMED;
	if (e->type != ECH_OUTER) {
		e->parsed = true;
		return finish(d);
	}
	e->kdf_id = td_rd_u16(d);
	e->aead_id = td_rd_u16(d);
	e->config_id = td_rd_u8(d);
	struct td_reader enc = td_rd_vec16(d);
	struct td_reader payload = td_rd_vec16(d);
	if (!td_rd_ok(d) || td_rd_left(&payload) == 0)
		return TD_ERR_MALFORMED;
	e->enc_len = (uint16_t)td_rd_left(&enc);
	e->payload_len = (uint16_t)td_rd_left(&payload);
	e->parsed = true;
	return finish(d);
}

/* quic_transport_parameters (RFC 9001 8.2): decoded into a new *tps (a
 * repeated extension replaces the first one's list). */
static enum td_result ext_quic_tp(struct td_reader *d, struct td_quic_tps **tps)
{
	free(*tps);
	size_t n = td_rd_left(d);
	return td_quic_tp_decode(td_rd_bytes(d, n), n, tps);
}

/* A non-empty u16 list vector v that must fill the extension data d. */
static enum td_result u16_list_ext(struct td_reader v, struct td_reader *d, struct td_u16list *l)
{
	if (td_rd_left(&v) == 0)
		return TD_ERR_MALFORMED;
	enum td_result r = u16_items(&v, l);
	return r != TD_OK ? r : finish(d);
}

static enum td_result client_extension(uint16_t type, struct td_reader *d,
				       struct td_client_hello *ch)
{
	switch (type) {
	case EXT_SERVER_NAME:
		return ext_server_name(d, ch);
	case EXT_SUPPORTED_GROUPS:
		return u16_list_ext(td_rd_vec16(d), d, &ch->groups);
	case EXT_SIGNATURE_ALGORITHMS:
		return u16_list_ext(td_rd_vec16(d), d, &ch->sig_algs);
	case EXT_SUPPORTED_VERSIONS:
		return u16_list_ext(td_rd_vec8(d), d, &ch->versions);
	case EXT_ALPN:
		return ext_alpn_list(d, ch);
	case EXT_COMPRESS_CERTIFICATE:
		/* RFC 8879 3: CertificateCompressionAlgorithm algorithms<2..2^8-2>. */
		return u16_list_ext(td_rd_vec8(d), d, &ch->cert_compression);
	case EXT_KEY_SHARE:
		return ext_client_key_share(d, ch);
	case EXT_SESSION_TICKET:
		/* RFC 5077 3.2: empty asks for a ticket, non-empty resumes. */
		ch->session_ticket = true;
		ch->session_ticket_data = td_rd_left(d) > 0;
		return TD_OK;
	case EXT_PRE_SHARED_KEY:
		ch->psk = true;
		return ext_client_psk(d, ch);
	case EXT_EARLY_DATA:
		ch->early_data = true;
		return finish(d);  /* empty in a ClientHello */
	case EXT_ENCRYPTED_CLIENT_HELLO:
		ch->ech = true;
		return ext_client_ech(d, &ch->ech_ext);
	case EXT_QUIC_TRANSPORT_PARAMETERS:
		return ext_quic_tp(d, &ch->quic_tp);
	default:
		return TD_OK;
	}
}

/* Walk an extensions block: each type is listed (when `types` is not
 * NULL) and handed to fn.  A broken framing stops the walk. */
typedef enum td_result (*ext_fn)(uint16_t type, struct td_reader *d, void *model);

static enum td_result walk_extensions(struct td_reader *exts, struct td_u16list *types,
				      ext_fn fn, void *model)
{
	enum td_result res = TD_OK;
	/* Each extension takes 4 bytes at least: room for them all at once
	 * (a ClientHello lists a dozen or two). */
	if (types && td_u16list_reserve(types, td_rd_left(exts) / 4 < 32 ? td_rd_left(exts) / 4
									 : 32) != TD_OK)
		return TD_ERR_NOMEM;
	while (td_rd_left(exts) > 0) {
		uint16_t type = td_rd_u16(exts);
		if (!td_rd_ok(exts))
			return TD_ERR_MALFORMED;
		if (types) {
			enum td_result r = td_u16list_add(types, type);
			if (r != TD_OK)
				return r;
		}
		struct td_reader data = td_rd_vec16(exts);
		if (!td_rd_ok(exts)) {
			note(&res, TD_ERR_MALFORMED);
			break;
		}
		note(&res, fn(type, &data, model));
		if (res == TD_ERR_NOMEM)
			break;
	}
	return res;
}

/* The extensions block that may close a hello: absent is fine, trailing
 * bytes after it are not. */
static enum td_result hello_extensions(struct td_reader *r, struct td_u16list *types,
				       ext_fn fn, void *model)
{
	if (td_rd_left(r) == 0)
		return TD_OK;
	struct td_reader exts = td_rd_vec16(r);
	if (!td_rd_ok(r))
		return TD_ERR_TRUNCATED;
	enum td_result res = td_rd_left(r) == 0 ? TD_OK : TD_ERR_MALFORMED;
	note(&res, walk_extensions(&exts, types, fn, model));
	return res;
}

static enum td_result client_ext_fn(uint16_t type, struct td_reader *d, void *model)
{
	return client_extension(type, d, model);
}

/* Keep the first 32 bytes of a session id (the model's size). */
static void copy_session_id(uint8_t out[32], struct td_reader *sid)
{
	size_t n = td_rd_left(sid);
	const uint8_t *p = td_rd_bytes(sid, n > 32 ? 32 : n);
	if (p)
		memcpy(out, p, n > 32 ? 32 : n);
}

enum td_result td_tls_decode_client_hello(const uint8_t *body, size_t len,
					  struct td_client_hello *ch)
{
	struct td_reader r = td_rd_make(body, len);
	enum td_result res = TD_OK;

	ch->present = true;
	ch->legacy_version = td_rd_u16(&r);
	const uint8_t *random = td_rd_bytes(&r, RANDOM_LEN);
	if (random)
		memcpy(ch->random, random, RANDOM_LEN);
	struct td_reader sid = td_rd_vec8(&r);
	ch->session_id_len = (uint8_t)td_rd_left(&sid);
	if (td_rd_left(&sid) > SESSION_ID_MAX)
		note(&res, TD_ERR_MALFORMED);
	copy_session_id(ch->session_id, &sid);

	struct td_reader suites = td_rd_vec16(&r);
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;
	if (td_rd_left(&suites) == 0)
		note(&res, TD_ERR_MALFORMED);
	note(&res, u16_items(&suites, &ch->suites));
	if (res == TD_ERR_NOMEM)
		return res;

	struct td_reader comp = td_rd_vec8(&r);
	if (!td_rd_ok(&r))
		return res != TD_OK ? res : TD_ERR_TRUNCATED;
	if (td_rd_left(&comp) == 0)
		note(&res, TD_ERR_MALFORMED);
	while (td_rd_left(&comp) > 0) {
		enum td_result e = td_u16list_add(&ch->compression, td_rd_u8(&comp));
		if (e != TD_OK)
			return e;
	}

	note(&res, hello_extensions(&r, &ch->extensions, client_ext_fn, ch));
	return res;
}

enum td_result td_tls_decode_sslv2_hello(const uint8_t *msg, size_t len,
					 struct td_client_hello *ch)
{
	struct td_reader r = td_rd_make(msg, len);
	enum td_result res = TD_OK;

	ch->present = true;
	ch->sslv2 = true;
	uint8_t msg_type = td_rd_u8(&r);
	ch->legacy_version = td_rd_u16(&r);
	uint16_t specs_len = td_rd_u16(&r);
	uint16_t sid_len = td_rd_u16(&r);
	uint16_t challenge_len = td_rd_u16(&r);
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;
	if (msg_type != SSLV2_CLIENT_HELLO)
		return TD_ERR_MALFORMED;

	/*
	 * Cipher specs are 3 bytes.  0x00XXYY is TLS suite 0xXXYY (E.2) and
	 * goes into `suites`, in order.  Specs with a non-zero first byte
	 * are SSLv2-only ciphers (SSL_CK_RC4_128_WITH_MD5 = 0x010080 ...):
	 * they are not TLS suites, no TLS server can pick them, and a u16
	 * list cannot hold them, so they are left out.
	 */
	struct td_reader specs = td_rd_sub(&r, specs_len);
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;
	if (specs_len == 0 || specs_len % 3 != 0)
		note(&res, TD_ERR_MALFORMED);
	while (td_rd_left(&specs) >= 3) {
		uint8_t kind = td_rd_u8(&specs);
		uint16_t suite = td_rd_u16(&specs);
		if (kind == 0) {
			enum td_result e = td_u16list_add(&ch->suites, suite);
			if (e != TD_OK)
				return e;
		}
	}

	ch->session_id_len = sid_len > SESSION_ID_MAX ? UINT8_MAX : (uint8_t)sid_len;
	if (sid_len > SESSION_ID_MAX)
		note(&res, TD_ERR_MALFORMED);
	td_rd_skip(&r, sid_len);
	td_rd_skip(&r, challenge_len);
	if (!td_rd_ok(&r))
		return res != TD_OK ? res : TD_ERR_TRUNCATED;
	if (challenge_len < SSLV2_CHALLENGE_MIN || challenge_len > SSLV2_CHALLENGE_MAX ||
	    td_rd_left(&r) != 0)
		note(&res, TD_ERR_MALFORMED);
	return res;
}

/* Extensions of a ServerHello or HelloRetryRequest (RFC 8446 4.2). */
static enum td_result server_extension(uint16_t type, struct td_reader *d,
				       struct td_server_hello *sh)
{
	switch (type) {
	case EXT_SUPPORTED_VERSIONS:
		sh->selected_version = td_rd_u16(d);
		return finish(d);
	case EXT_KEY_SHARE:
		/* KeyShareServerHello: a group and its key; in a
		 * HelloRetryRequest only the group asked for. */
		sh->key_share_group = td_rd_u16(d);
		if (!sh->hrr) {
			struct td_reader key = td_rd_vec16(d);
			if (td_rd_left(&key) == 0)
				return TD_ERR_MALFORMED;
		}
		return finish(d);
	case EXT_ALPN: {
		/* RFC 7301 3.1: the server answers with exactly one name. */
		struct td_reader list = td_rd_vec16(d);
		struct td_reader name = td_rd_vec8(&list);
		if (!td_rd_ok(&list) || td_rd_left(&name) == 0)
			return TD_ERR_MALFORMED;
		char *proto = text_of(&name);
		if (!proto)
			return TD_ERR_NOMEM;
		free(sh->alpn);
		sh->alpn = proto;
		return td_rd_left(&list) == 0 ? finish(d) : TD_ERR_MALFORMED;
	}
	case EXT_PRE_SHARED_KEY:
		sh->psk_identity = td_rd_u16(d);  /* selected_identity */
		sh->psk = true;
		return finish(d);
	default:
		return TD_OK;
	}
}

static enum td_result server_ext_fn(uint16_t type, struct td_reader *d, void *model)
{
	return server_extension(type, d, model);
}

enum td_result td_tls_decode_server_hello(const uint8_t *body, size_t len,
					  struct td_server_hello *sh)
{
	struct td_reader r = td_rd_make(body, len);
	enum td_result res = TD_OK;

	sh->present = true;
	sh->legacy_version = td_rd_u16(&r);
	const uint8_t *random = td_rd_bytes(&r, RANDOM_LEN);
	if (random)
		memcpy(sh->random, random, RANDOM_LEN);
	if (random && memcmp(random, hrr_random, RANDOM_LEN) == 0)
		sh->hrr = true;
	struct td_reader sid = td_rd_vec8(&r);
	sh->session_id_len = (uint8_t)td_rd_left(&sid);
	if (td_rd_left(&sid) > SESSION_ID_MAX)
		note(&res, TD_ERR_MALFORMED);
	copy_session_id(sh->session_id, &sid);
	sh->cipher = td_rd_u16(&r);
	sh->compression = td_rd_u8(&r);
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;

	note(&res, hello_extensions(&r, &sh->extensions, server_ext_fn, sh));
	return res;
}

/* EncryptedExtensions: ALPN, QUIC's transport parameters, early_data
 * (RFC 8446 4.2.10: empty here, the server accepts 0-RTT) and
 * encrypted_client_hello (draft-ietf-tls-esni 5: ECHEncryptedExtensions,
 * retry_configs<4..2^16-1>, sent only when the server rejected ECH) are
 * kept (other types are not listed in sh->extensions, which holds the
 * ServerHello's). */
static enum td_result ee_ext_fn(uint16_t type, struct td_reader *d, void *model)
{
	struct td_server_hello *sh = model;
	switch (type) {
	case EXT_QUIC_TRANSPORT_PARAMETERS:
		return ext_quic_tp(d, &sh->quic_tp);
	case EXT_EARLY_DATA:
		sh->ee_early_data = true;
		return finish(d);
	case EXT_ENCRYPTED_CLIENT_HELLO: {
		struct td_reader configs = td_rd_vec16(d);
		sh->ech_retry = true;
		sh->ech_retry_len = (uint16_t)td_rd_left(&configs);
		return td_rd_ok(d) && td_rd_left(&configs) >= 4 ? finish(d) : TD_ERR_MALFORMED;
	}
	case EXT_ALPN:
		return server_extension(type, d, model);
	default:
		return TD_OK;
	}
}

enum td_result td_tls_decode_encrypted_extensions(const uint8_t *body, size_t len,
						  struct td_server_hello *sh)
{
	/*   struct { Extension extensions<0..2^16-1>; } EncryptedExtensions; */
	struct td_reader r = td_rd_make(body, len);
	struct td_reader exts = td_rd_vec16(&r);
	if (!td_rd_ok(&r))
		return TD_ERR_TRUNCATED;
	enum td_result res = td_rd_left(&r) == 0 ? TD_OK : TD_ERR_MALFORMED;
	sh->ee_seen = true;
	note(&res, walk_extensions(&exts, NULL, ee_ext_fn, sh));
	return res;
}
