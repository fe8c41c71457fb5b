/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.c - IANA names for TLS code points (see tls_names.h).
 *
 * Registries: "Transport Layer Security (TLS) Parameters" and "TLS
 * Extensiontype Values" (IANA), RFC 8446 4.1.2-4.2 and B.3, RFC 5246
 * 7.4 and A.5, RFC 8422 5.1, RFC 8701 (GREASE), RFC 8879 7.3.
 *
 * Every registry is one X-macro list of X(value, "name") lines (those
 * the code names a constant of, X(CONSTANT, value, "name"), are in
 * tls_registry.h; the cipher suites, the longest, in names_cipher.c);
 * the lookup is a switch generated from the list, so the compiler rejects a
 * value listed twice and picks the fastest search (jump table or binary
 * search).  A few non-IANA values that real stacks sent (TLS 1.3
 * drafts, Facebook's TLS 1.3 variants, Netscape FIPS and GM/T suites,
 * ChaCha20 draft suites, Chrome's application_settings and channel_id,
 * post-quantum draft groups) are listed because captures still carry
 * them; their names follow the stack that defined them.
 */
#include "config.h"

#include <stdio.h>

#include "names_int.h"
#include "tls_names.h"

/* NamedGroup (RFC 8446 4.2.7, RFC 8422 5.1.1, RFC 7919, RFC 8734,
 * RFC 9189, draft-ietf-tls-ecdhe-mlkem, draft-tls-westerbaan-xyber768d00). */
#define TD_GROUPS(X) \
	X(0x0001, "sect163k1") \
	X(0x0002, "sect163r1") \
	X(0x0003, "sect163r2") \
	X(0x0004, "sect193r1") \
	X(0x0005, "sect193r2") \
	X(0x0006, "sect233k1") \
	X(0x0007, "sect233r1") \
	X(0x0008, "sect239k1") \
	X(0x0009, "sect283k1") \
	X(0x000a, "sect283r1") \
	X(0x000b, "sect409k1") \
	X(0x000c, "sect409r1") \
	X(0x000d, "sect571k1") \
	X(0x000e, "sect571r1") \
	X(0x000f, "secp160k1") \
	X(0x0010, "secp160r1") \
	X(0x0011, "secp160r2") \
	X(0x0012, "secp192k1") \
	X(0x0013, "secp192r1") \
	X(0x0014, "secp224k1") \
	X(0x0015, "secp224r1") \
	X(0x0016, "secp256k1") \
	X(0x0017, "secp256r1") \
	X(0x0018, "secp384r1") \
	X(0x0019, "secp521r1") \
	X(0x001a, "brainpoolP256r1") \
	X(0x001b, "brainpoolP384r1") \
	X(0x001c, "brainpoolP512r1") \
	X(0x001d, "x25519") \
	X(0x001e, "x448") \
	X(0x001f, "brainpoolP256r1tls13") \
	X(0x0020, "brainpoolP384r1tls13") \
	X(0x0021, "brainpoolP512r1tls13") \
	X(0x0022, "GC256A") \
	X(0x0023, "GC256B") \
	X(0x0024, "GC256C") \
	X(0x0025, "GC256D") \
	X(0x0026, "GC512A") \
	X(0x0027, "GC512B") \
	X(0x0028, "GC512C") \
	X(0x0029, "curveSM2") \
	X(0x0100, "ffdhe2048") \
	X(0x0101, "ffdhe3072") \
	X(0x0102, "ffdhe4096") \
	X(0x0103, "ffdhe6144") \
	X(0x0104, "ffdhe8192") \
	X(0x0200, "MLKEM512") \
	X(0x0201, "MLKEM768") \
	X(0x0202, "MLKEM1024") \
	X(0x11eb, "SecP256r1MLKEM768") \
	X(0x11ec, "X25519MLKEM768") \
	X(0x11ed, "SecP384r1MLKEM1024") \
	X(0x6399, "X25519Kyber768Draft00") \
	X(0x639a, "SecP256r1Kyber768Draft00") \
	X(0xfe30, "X25519Kyber512Draft00") \
	X(0xfe31, "X25519Kyber768Draft00Old") \
	X(0xff01, "arbitrary_explicit_prime_curves") \
	X(0xff02, "arbitrary_explicit_char2_curves")

/* SignatureScheme (RFC 8446 4.2.3) and the TLS 1.2 HashAlgorithm x
 * SignatureAlgorithm pairs it left as legacy (RFC 5246 7.4.1.4.1), named
 * the OpenSSL way. */
#define TD_SIGALGS(X) \
	X(0x0101, "rsa_md5") \
	X(0x0102, "dsa_md5") \
	X(0x0103, "ecdsa_md5") \
	X(0x0201, "rsa_pkcs1_sha1") \
	X(0x0202, "dsa_sha1") \
	X(0x0203, "ecdsa_sha1") \
	X(0x0301, "rsa_sha224") \
	X(0x0302, "dsa_sha224") \
	X(0x0303, "ecdsa_sha224") \
	X(0x0401, "rsa_pkcs1_sha256") \
	X(0x0402, "dsa_sha256") \
	X(0x0403, "ecdsa_secp256r1_sha256") \
	X(0x0420, "rsa_pkcs1_sha256_legacy") \
	X(0x0501, "rsa_pkcs1_sha384") \
	X(0x0502, "dsa_sha384") \
	X(0x0503, "ecdsa_secp384r1_sha384") \
	X(0x0520, "rsa_pkcs1_sha384_legacy") \
	X(0x0601, "rsa_pkcs1_sha512") \
	X(0x0602, "dsa_sha512") \
	X(0x0603, "ecdsa_secp521r1_sha512") \
	X(0x0620, "rsa_pkcs1_sha512_legacy") \
	X(0x0704, "eccsi_sha256") \
	X(0x0705, "iso_ibs1") \
	X(0x0706, "iso_ibs2") \
	X(0x0707, "iso_chinese_ibs") \
	X(0x0708, "sm2sig_sm3") \
	X(0x0709, "gostr34102012_256a") \
	X(0x070a, "gostr34102012_256b") \
	X(0x070b, "gostr34102012_256c") \
	X(0x070c, "gostr34102012_256d") \
	X(0x070d, "gostr34102012_512a") \
	X(0x070e, "gostr34102012_512b") \
	X(0x070f, "gostr34102012_512c") \
	X(0x0804, "rsa_pss_rsae_sha256") \
	X(0x0805, "rsa_pss_rsae_sha384") \
	X(0x0806, "rsa_pss_rsae_sha512") \
	X(0x0807, "ed25519") \
	X(0x0808, "ed448") \
	X(0x0809, "rsa_pss_pss_sha256") \
	X(0x080a, "rsa_pss_pss_sha384") \
	X(0x080b, "rsa_pss_pss_sha512") \
	X(0x081a, "ecdsa_brainpoolP256r1tls13_sha256") \
	X(0x081b, "ecdsa_brainpoolP384r1tls13_sha384") \
	X(0x081c, "ecdsa_brainpoolP512r1tls13_sha512") \
	X(0x0904, "mldsa44") \
	X(0x0905, "mldsa65") \
	X(0x0906, "mldsa87")

/* ExtensionType (IANA TLS ExtensionType Values, RFC 8446 4.2). */
#define TD_EXTENSIONS(X) \
	X(0, "server_name") \
	X(1, "max_fragment_length") \
	X(2, "client_certificate_url") \
	X(3, "trusted_ca_keys") \
	X(4, "truncated_hmac") \
	X(5, "status_request") \
	X(6, "user_mapping") \
	X(7, "client_authz") \
	X(8, "server_authz") \
	X(9, "cert_type") \
	X(10, "supported_groups") \
	X(11, "ec_point_formats") \
	X(12, "srp") \
	X(13, "signature_algorithms") \
	X(14, "use_srtp") \
	X(15, "heartbeat") \
	X(16, "application_layer_protocol_negotiation") \
	X(17, "status_request_v2") \
	X(18, "signed_certificate_timestamp") \
	X(19, "client_certificate_type") \
	X(20, "server_certificate_type") \
	X(21, "padding") \
	X(22, "encrypt_then_mac") \
	X(23, "extended_master_secret") \
	X(24, "token_binding") \
	X(25, "cached_info") \
	X(26, "tls_lts") \
	X(27, "compress_certificate") \
	X(28, "record_size_limit") \
	X(29, "pwd_protect") \
	X(30, "pwd_clear") \
	X(31, "password_salt") \
	X(32, "ticket_pinning") \
	X(33, "tls_cert_with_extern_psk") \
	X(34, "delegated_credential") \
	X(35, "session_ticket") \
	X(36, "TLMSP") \
	X(37, "TLMSP_proxying") \
	X(38, "TLMSP_delegate") \
	X(39, "supported_ekt_ciphers") \
	X(40, "key_share_old") \
	X(41, "pre_shared_key") \
	X(42, "early_data") \
	X(43, "supported_versions") \
	X(44, "cookie") \
	X(45, "psk_key_exchange_modes") \
	X(46, "ticket_early_data_info") \
	X(47, "certificate_authorities") \
	X(48, "oid_filters") \
	X(49, "post_handshake_auth") \
	X(50, "signature_algorithms_cert") \
	X(51, "key_share") \
	X(52, "transparency_info") \
	X(53, "connection_id_deprecated") \
	X(54, "connection_id") \
	X(55, "external_id_hash") \
	X(56, "external_session_id") \
	X(57, "quic_transport_parameters") \
	X(58, "ticket_request") \
	X(59, "dnssec_chain") \
	X(60, "sequence_number_encryption_algorithms") \
	X(61, "rrc") \
	X(62, "tls_flags") \
	X(13172, "next_protocol_negotiation") \
	X(17513, "application_settings") \
	X(17613, "application_settings") \
	X(30031, "channel_id_old") \
	X(30032, "channel_id") \
	X(0xfd00, "ech_outer_extensions") \
	X(0xfe0d, "encrypted_client_hello") \
	X(0xff01, "renegotiation_info") \
	X(0xffa5, "quic_transport_parameters_draft") \
	X(0xffce, "encrypted_server_name")

/* ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5, RFC 9189). */
#define TD_CERT_TYPES(X) \
	X(1, "rsa_sign") \
	X(2, "dss_sign") \
	X(3, "rsa_fixed_dh") \
	X(4, "dss_fixed_dh") \
	X(5, "rsa_ephemeral_dh") \
	X(6, "dss_ephemeral_dh") \
	X(20, "fortezza_dms") \
	X(64, "ecdsa_sign") \
	X(65, "rsa_fixed_ecdh") \
	X(66, "ecdsa_fixed_ecdh") \
	X(67, "gost_sign256") \
	X(68, "gost_sign512")

/* HPKE KDF and AEAD identifiers (RFC 9180 7.2, 7.3), named by the IANA
 * HPKE registry: an ECH offer's cipher suite (draft-ietf-tls-esni 5). */
#define TD_HPKE_KDFS(X) \
	X(0x0001, "HKDF-SHA256") \
	X(0x0002, "HKDF-SHA384") \
	X(0x0003, "HKDF-SHA512")
#define TD_HPKE_AEADS(X) \
	X(0x0001, "AES-128-GCM") \
	X(0x0002, "AES-256-GCM") \
	X(0x0003, "ChaCha20Poly1305") \
	X(0xffff, "Export-only")

/* CertificateCompressionAlgorithm (RFC 8879 7.3; the values decomp.h
 * decodes, TD_CERTCOMP_*). */
#define TD_CERT_COMPRESSIONS(X) \
	X(1, "zlib") \
	X(2, "brotli") \
	X(3, "zstd")

/* One lookup function per registry: a switch over its list (the lists
 * of tls_registry.h also name a constant: TD_CASE3), returning the name
 * with its length, which the compiler knows (sizeof a literal). */
#define TD_CASE(value, name) case value: return TD_TLS_NM(name);
#define TD_CASE3(id, value, name) case id: return TD_TLS_NM(name);
#define TD_LOOKUP_FN(fn, list, CASE) \
	static struct td_tls_nm fn(uint16_t v) \
	{ \
		switch (v) { \
		list(CASE) \
		default: \
			return (struct td_tls_nm){ NULL, 0 }; \
		} \
	}

TD_LOOKUP_FN(version_name, TD_VERSIONS, TD_CASE3)
TD_LOOKUP_FN(group_name, TD_GROUPS, TD_CASE)
TD_LOOKUP_FN(sigalg_name, TD_SIGALGS, TD_CASE)
TD_LOOKUP_FN(extension_name, TD_EXTENSIONS, TD_CASE)
TD_LOOKUP_FN(alert_name, TD_ALERTS, TD_CASE3)
TD_LOOKUP_FN(alert_level_name, TD_ALERT_LEVELS, TD_CASE3)
TD_LOOKUP_FN(handshake_name, TD_HANDSHAKES, TD_CASE3)
TD_LOOKUP_FN(content_type_name, TD_CONTENT_TYPES, TD_CASE3)
TD_LOOKUP_FN(cert_type_name, TD_CERT_TYPES, TD_CASE)
TD_LOOKUP_FN(hpke_kdf_name, TD_HPKE_KDFS, TD_CASE)
TD_LOOKUP_FN(hpke_aead_name, TD_HPKE_AEADS, TD_CASE)
TD_LOOKUP_FN(cert_compression_name, TD_CERT_COMPRESSIONS, TD_CASE)

/* Registries whose code points are 16 bits wide and can carry GREASE. */
static bool reg_has_grease(enum td_tls_registry reg)
{
	switch (reg) {
	case TD_REG_VERSION:
	case TD_REG_CIPHER:
	case TD_REG_GROUP:
	case TD_REG_SIGALG:
	case TD_REG_EXTENSION:
		return true;
	case TD_REG_ALERT:
	case TD_REG_ALERT_LEVEL:
	case TD_REG_HANDSHAKE:
	case TD_REG_CONTENT_TYPE:
	case TD_REG_CERT_TYPE:
	case TD_REG_HPKE_KDF:
	case TD_REG_HPKE_AEAD:
	case TD_REG_CERT_COMPRESSION:
		break;
	}
	return false;
}

/* Registries written in hex when a value has no name (16-bit code
 * points, as their RFCs list them). */
static bool reg_hex(enum td_tls_registry reg)
{
	return reg_has_grease(reg) || reg == TD_REG_HPKE_KDF || reg == TD_REG_HPKE_AEAD;
}

static struct td_tls_nm lookup(enum td_tls_registry reg, uint16_t value);

const char *td_tls_lookup(enum td_tls_registry reg, uint16_t value)
{
	size_t len;
	return td_tls_lookup_len(reg, value, &len);
}

const char *td_tls_lookup_len(enum td_tls_registry reg, uint16_t value, size_t *len)
{
	struct td_tls_nm nm = lookup(reg, value);
	*len = nm.len;
	return nm.s;
}

static struct td_tls_nm lookup(enum td_tls_registry reg, uint16_t value)
{
	if (reg_has_grease(reg) && td_tls_is_grease(value))
		return TD_TLS_NM("GREASE");
	switch (reg) {
	case TD_REG_VERSION: return version_name(value);
	case TD_REG_CIPHER: return td_tls_cipher_name(value);
	case TD_REG_GROUP: return group_name(value);
	case TD_REG_SIGALG: return sigalg_name(value);
	case TD_REG_EXTENSION: return extension_name(value);
	case TD_REG_ALERT: return alert_name(value);
	case TD_REG_ALERT_LEVEL: return alert_level_name(value);
	case TD_REG_HANDSHAKE: return handshake_name(value);
	case TD_REG_CONTENT_TYPE: return content_type_name(value);
	case TD_REG_CERT_TYPE: return cert_type_name(value);
	case TD_REG_HPKE_KDF: return hpke_kdf_name(value);
	case TD_REG_HPKE_AEAD: return hpke_aead_name(value);
	case TD_REG_CERT_COMPRESSION: return cert_compression_name(value);
	}
	return (struct td_tls_nm){ NULL, 0 };
}

const char *td_tls_name(enum td_tls_registry reg, uint16_t value, char *buf, size_t buflen)
{
	const char *name = td_tls_lookup(reg, value);
	if (name)
		return name;
	if (!buf || buflen == 0)
		return "?";
	/* Wide code points read best in hex (that is how the RFCs list
	 * them); the one-byte registries are listed in decimal. */
	if (reg_hex(reg))
		snprintf(buf, buflen, "0x%04x", (unsigned)value);
	else
		snprintf(buf, buflen, "%u", (unsigned)value);
	return buf;
}

void td_tls_message_name(char *buf, size_t len, uint8_t type)
{
	if (len == 0)
		return;
	const char *n = td_tls_lookup(TD_REG_HANDSHAKE, type);
	if (!n) {
		snprintf(buf, len, "handshake message %u", (unsigned)type);
		return;
	}
	size_t o = 0;
	bool up = true;
	for (size_t i = 0; n[i] && o + 1 < len; i++) {
		if (n[i] == '_') {
			up = true;
			continue;
		}
		char ch = n[i];
		if (up && ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		buf[o++] = ch;
		up = false;
	}
	buf[o] = '\0';
}
