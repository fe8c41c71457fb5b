/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_registry.h - TLS code points that the code names: versions,
 * content types, handshake types, alert levels and alerts.
 *
 * Each registry is one X-macro list of X(CONSTANT, value, "IANA name")
 * lines; the list makes both the enum constants below (TD_VERSION_TLS12,
 * TD_CT_ALERT, TD_HS_FINISHED, TD_ALERT_LEVEL_FATAL, TD_ALERT_UNKNOWN_CA)
 * and the name lookup of src/tls/names.c (tls_names.h), so names and
 * numbers never drift and no code writes a bare 0x0303 or 2.  The other
 * registries (suites, groups, signature schemes, extensions) live in
 * names.c, as the code only prints them.
 *
 * Constants only: any layer from the model up may include it.
 */
#ifndef TD_TLS_REGISTRY_H
#define TD_TLS_REGISTRY_H

/* ProtocolVersion (RFC 8446 4.1.2, draft-ietf-tls-tls13 for 0x7fNN). */
#define TD_VERSIONS(X) \
	X(TD_VERSION_SSL2, 0x0002, "SSL 2.0") \
	X(TD_VERSION_SSL3, 0x0300, "SSL 3.0") \
	X(TD_VERSION_TLS10, 0x0301, "TLS 1.0") \
	X(TD_VERSION_TLS11, 0x0302, "TLS 1.1") \
	X(TD_VERSION_TLS12, 0x0303, "TLS 1.2") \
	X(TD_VERSION_TLS13, 0x0304, "TLS 1.3") \
	X(TD_VERSION_TLS13_DRAFT14, 0x7f0e, "TLS 1.3 draft 14") \
	X(TD_VERSION_TLS13_DRAFT15, 0x7f0f, "TLS 1.3 draft 15") \
	X(TD_VERSION_TLS13_DRAFT16, 0x7f10, "TLS 1.3 draft 16") \
	X(TD_VERSION_TLS13_DRAFT17, 0x7f11, "TLS 1.3 draft 17") \
	X(TD_VERSION_TLS13_DRAFT18, 0x7f12, "TLS 1.3 draft 18") \
	X(TD_VERSION_TLS13_DRAFT19, 0x7f13, "TLS 1.3 draft 19") \
	X(TD_VERSION_TLS13_DRAFT20, 0x7f14, "TLS 1.3 draft 20") \
	X(TD_VERSION_TLS13_DRAFT21, 0x7f15, "TLS 1.3 draft 21") \
	X(TD_VERSION_TLS13_DRAFT22, 0x7f16, "TLS 1.3 draft 22") \
	X(TD_VERSION_TLS13_DRAFT23, 0x7f17, "TLS 1.3 draft 23") \
	X(TD_VERSION_TLS13_DRAFT24, 0x7f18, "TLS 1.3 draft 24") \
	X(TD_VERSION_TLS13_DRAFT25, 0x7f19, "TLS 1.3 draft 25") \
	X(TD_VERSION_TLS13_DRAFT26, 0x7f1a, "TLS 1.3 draft 26") \
	X(TD_VERSION_TLS13_DRAFT27, 0x7f1b, "TLS 1.3 draft 27") \
	X(TD_VERSION_TLS13_DRAFT28, 0x7f1c, "TLS 1.3 draft 28") \
	X(TD_VERSION_TLS13_GOOGLE1, 0x7e01, "TLS 1.3 Google experiment 1") \
	X(TD_VERSION_TLS13_GOOGLE2, 0x7e02, "TLS 1.3 Google experiment 2") \
	X(TD_VERSION_TLS13_FB23, 0xfb17, "TLS 1.3 Facebook draft 23") \
	X(TD_VERSION_TLS13_FB26, 0xfb1a, "TLS 1.3 Facebook draft 26") \
	X(TD_VERSION_DTLS13, 0xfefc, "DTLS 1.3") \
	X(TD_VERSION_DTLS12, 0xfefd, "DTLS 1.2") \
	X(TD_VERSION_DTLS10, 0xfeff, "DTLS 1.0")

/* ContentType (RFC 8446 5.1, RFC 6520, RFC 9146, RFC 9147). */
#define TD_CONTENT_TYPES(X) \
	X(TD_CT_CHANGE_CIPHER_SPEC, 20, "change_cipher_spec") \
	X(TD_CT_ALERT, 21, "alert") \
	X(TD_CT_HANDSHAKE, 22, "handshake") \
	X(TD_CT_APPLICATION_DATA, 23, "application_data") \
	X(TD_CT_HEARTBEAT, 24, "heartbeat") \
	X(TD_CT_TLS12_CID, 25, "tls12_cid") \
	X(TD_CT_ACK, 26, "ack")

/* HandshakeType (RFC 8446 4, RFC 5246 7.4, IANA; 67 is NPN's
 * next_protocol from draft-agl-tls-nextprotoneg). */
#define TD_HANDSHAKES(X) \
	X(TD_HS_HELLO_REQUEST, 0, "hello_request") \
	X(TD_HS_CLIENT_HELLO, 1, "client_hello") \
	X(TD_HS_SERVER_HELLO, 2, "server_hello") \
	X(TD_HS_HELLO_VERIFY_REQUEST, 3, "hello_verify_request") \
	X(TD_HS_NEW_SESSION_TICKET, 4, "new_session_ticket") \
	X(TD_HS_END_OF_EARLY_DATA, 5, "end_of_early_data") \
	X(TD_HS_HELLO_RETRY_REQUEST, 6, "hello_retry_request") \
	X(TD_HS_ENCRYPTED_EXTENSIONS, 8, "encrypted_extensions") \
	X(TD_HS_REQUEST_CONNECTION_ID, 9, "request_connection_id") \
	X(TD_HS_NEW_CONNECTION_ID, 10, "new_connection_id") \
	X(TD_HS_CERTIFICATE, 11, "certificate") \
	X(TD_HS_SERVER_KEY_EXCHANGE, 12, "server_key_exchange") \
	X(TD_HS_CERTIFICATE_REQUEST, 13, "certificate_request") \
	X(TD_HS_SERVER_HELLO_DONE, 14, "server_hello_done") \
	X(TD_HS_CERTIFICATE_VERIFY, 15, "certificate_verify") \
	X(TD_HS_CLIENT_KEY_EXCHANGE, 16, "client_key_exchange") \
	X(TD_HS_CLIENT_CERTIFICATE_REQUEST, 17, "client_certificate_request") \
	X(TD_HS_FINISHED, 20, "finished") \
	X(TD_HS_CERTIFICATE_URL, 21, "certificate_url") \
	X(TD_HS_CERTIFICATE_STATUS, 22, "certificate_status") \
	X(TD_HS_SUPPLEMENTAL_DATA, 23, "supplemental_data") \
	X(TD_HS_KEY_UPDATE, 24, "key_update") \
	X(TD_HS_COMPRESSED_CERTIFICATE, 25, "compressed_certificate") \
	X(TD_HS_EKT_KEY, 26, "ekt_key") \
	X(TD_HS_NEXT_PROTOCOL, 67, "next_protocol") \
	X(TD_HS_MESSAGE_HASH, 254, "message_hash")

/* AlertLevel (RFC 5246 7.2). */
#define TD_ALERT_LEVELS(X) \
	X(TD_ALERT_LEVEL_WARNING, 1, "warning") \
	X(TD_ALERT_LEVEL_FATAL, 2, "fatal")

/* AlertDescription (RFC 8446 6, RFC 5246 7.2, RFC 6101 5.4.2). */
#define TD_ALERTS(X) \
	X(TD_ALERT_CLOSE_NOTIFY, 0, "close_notify") \
	X(TD_ALERT_UNEXPECTED_MESSAGE, 10, "unexpected_message") \
	X(TD_ALERT_BAD_RECORD_MAC, 20, "bad_record_mac") \
	X(TD_ALERT_DECRYPTION_FAILED, 21, "decryption_failed") \
	X(TD_ALERT_RECORD_OVERFLOW, 22, "record_overflow") \
	X(TD_ALERT_DECOMPRESSION_FAILURE, 30, "decompression_failure") \
	X(TD_ALERT_HANDSHAKE_FAILURE, 40, "handshake_failure") \
	X(TD_ALERT_NO_CERTIFICATE, 41, "no_certificate") \
	X(TD_ALERT_BAD_CERTIFICATE, 42, "bad_certificate") \
	X(TD_ALERT_UNSUPPORTED_CERTIFICATE, 43, "unsupported_certificate") \
	X(TD_ALERT_CERTIFICATE_REVOKED, 44, "certificate_revoked") \
	X(TD_ALERT_CERTIFICATE_EXPIRED, 45, "certificate_expired") \
	X(TD_ALERT_CERTIFICATE_UNKNOWN, 46, "certificate_unknown") \
	X(TD_ALERT_ILLEGAL_PARAMETER, 47, "illegal_parameter") \
	X(TD_ALERT_UNKNOWN_CA, 48, "unknown_ca") \
	X(TD_ALERT_ACCESS_DENIED, 49, "access_denied") \
	X(TD_ALERT_DECODE_ERROR, 50, "decode_error") \
	X(TD_ALERT_DECRYPT_ERROR, 51, "decrypt_error") \
	X(TD_ALERT_EXPORT_RESTRICTION, 60, "export_restriction") \
	X(TD_ALERT_PROTOCOL_VERSION, 70, "protocol_version") \
	X(TD_ALERT_INSUFFICIENT_SECURITY, 71, "insufficient_security") \
	X(TD_ALERT_INTERNAL_ERROR, 80, "internal_error") \
	X(TD_ALERT_INAPPROPRIATE_FALLBACK, 86, "inappropriate_fallback") \
	X(TD_ALERT_USER_CANCELED, 90, "user_canceled") \
	X(TD_ALERT_NO_RENEGOTIATION, 100, "no_renegotiation") \
	X(TD_ALERT_MISSING_EXTENSION, 109, "missing_extension") \
	X(TD_ALERT_UNSUPPORTED_EXTENSION, 110, "unsupported_extension") \
	X(TD_ALERT_CERTIFICATE_UNOBTAINABLE, 111, "certificate_unobtainable") \
	X(TD_ALERT_UNRECOGNIZED_NAME, 112, "unrecognized_name") \
	X(TD_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, 113, "bad_certificate_status_response") \
	X(TD_ALERT_BAD_CERTIFICATE_HASH_VALUE, 114, "bad_certificate_hash_value") \
	X(TD_ALERT_UNKNOWN_PSK_IDENTITY, 115, "unknown_psk_identity") \
	X(TD_ALERT_CERTIFICATE_REQUIRED, 116, "certificate_required") \
	X(TD_ALERT_NO_APPLICATION_PROTOCOL, 120, "no_application_protocol") \
	X(TD_ALERT_ECH_REQUIRED, 121, "ech_required")

#define TD_REG_ENUM(id, value, name) id = value,
enum td_tls_version { TD_VERSIONS(TD_REG_ENUM) };
enum td_content_type { TD_CONTENT_TYPES(TD_REG_ENUM) };
enum td_handshake_type { TD_HANDSHAKES(TD_REG_ENUM) };
enum td_alert_level { TD_ALERT_LEVELS(TD_REG_ENUM) };
enum td_alert { TD_ALERTS(TD_REG_ENUM) };
#undef TD_REG_ENUM

/* The size of an encrypted TLS 1.3 alert record (RFC 8446 5.2): the
 * 2-byte alert, the inner content type, a 16-byte AEAD tag. */
#define TLS13_ALERT_RECORD 19u

#endif
