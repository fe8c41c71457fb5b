/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conn.h - the connection model: one TLS connection, its facts and its
 * timeline.
 *
 * Decoders fill these plain structs; sinks (text, JSON, ...) only read
 * them.  Every string here is owned by the struct that holds it and is
 * already sanitized (text.h): printable UTF-8, safe to print as is.
 * Wire code points (versions, suites, groups...) are kept as numbers;
 * tls_names.h turns them into IANA names at output time.
 *
 * Lifetime: td_conn_new() / td_conn_free().  Everything inside is freed
 * by td_conn_free().
 */
#ifndef TD_CONN_H
#define TD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "anomaly.h"
#include "caps.h"
#include "list.h"
#include "packet.h"
#include "result.h"

enum td_dir {
	TD_DIR_C2S = 0,  /* client to server */
	TD_DIR_S2C = 1   /* server to client */
};

/* What a timeline entry records. */
enum td_event_kind {
	TD_EV_TCP_SYN,        /* SYN (from the client) */
	TD_EV_TCP_SYNACK,     /* SYN-ACK (from the server) */
	TD_EV_TCP_FIN,
	TD_EV_TCP_RST,
	TD_EV_TCP_GAP,        /* `length` bytes of the stream were not captured */
	TD_EV_HANDSHAKE,      /* a handshake message: hs_type, length = body bytes */
	TD_EV_CCS,            /* ChangeCipherSpec */
	TD_EV_ALERT,          /* an alert: level/desc unless encrypted */
	TD_EV_ENCRYPTED,      /* an encrypted record (content_type), first of a
				 direction and those during the handshake */
	TD_EV_APPDATA,        /* first application_data after the handshake */
	TD_EV_SSLV2_HELLO,    /* SSLv2-compatible ClientHello */
	TD_EV_MALFORMED,      /* decoding stopped here; see detail */
	TD_EV_APPLICATION,    /* an application message read in the first
				 decrypted application data (app: what it
				 says; detail: the same in words) */
	TD_EV_QUIC_PACKET,    /* a QUIC packet: quic_type, length = its bytes */
	TD_EV_QUIC_CLOSE,     /* a QUIC CONNECTION_CLOSE that is no TLS alert
				 (a crypto error becomes TD_EV_ALERT): detail
				 says what (td_conn.quic.close) */
	TD_EV_STARTTLS        /* a plaintext step before a STARTTLS upgrade
				 (src/starttls): detail is the line or message,
				 sanitized ("220 mail.example ESMTP",
				 "STARTTLS", "SSLRequest"); dir its sender;
				 length its bytes; content_type its role
				 (enum td_stls_role) */
};

/* QUIC packet types, by meaning (quic.h reads the wire codes, which
 * differ between versions 1 and 2). */
enum td_quic_ptype {
	TD_QP_INITIAL = 0,
	TD_QP_0RTT,
	TD_QP_HANDSHAKE,
	TD_QP_RETRY,
	TD_QP_VERSION_NEG,   /* Version Negotiation: version 0 (RFC 9000 17.2.1) */
	TD_QP_1RTT,          /* short header (RFC 9000 17.3) */
	TD_QP_OTHER,         /* a long header of a version tlsdiag does not know */
	TD_QP_N
};

/* Connection IDs of QUIC versions 1 and 2 are at most 20 bytes (RFC 9000 17.2). */
#define TD_QUIC_CID_MAX 20u
struct td_quic_cid {
	uint8_t len;
	uint8_t b[TD_QUIC_CID_MAX];
};
/* Versions kept from a Version Negotiation packet. */
#define TD_QUIC_VN_MAX 8u
/* A CONNECTION_CLOSE's reason phrase: its first 60 bytes, sanitized. */
#define TD_QUIC_REASON_MAX 256u

/*
 * QUIC transport parameters (RFC 9000 18): the quic_transport_parameters
 * extension (0x39, RFC 9001 8.2) of a ClientHello or of the server's
 * EncryptedExtensions, decoded by td_tls_decode_quic_tp (quic_tp.h).
 * The first TD_CAP_QUIC_TP parameters are kept, in wire order, the rest
 * counted; a value keeps its first TD_QUIC_TP_BYTES bytes.  One flat
 * allocation of exactly n entries (free() releases it: a connection
 * pays for the parameters it has, not for the cap), owned by its hello.
 */
enum td_quic_tp_kind {
	TD_QTP_INT = 0,  /* one varint filling the value: num */
	TD_QTP_FLAG,     /* empty by definition (disable_active_migration, grease_quic_bit) */
	TD_QTP_CID,      /* a connection ID: b */
	TD_QTP_TOKEN,    /* stateless_reset_token: b */
	TD_QTP_ADDR,     /* preferred_address: b (addresses and a CID) */
	TD_QTP_VERSIONS, /* version_information (RFC 9368): b, 4 bytes each */
	TD_QTP_RESERVED, /* a GREASE id (31 * N + 27, RFC 9000 18.1) */
	TD_QTP_UNKNOWN,  /* an id tlsdiag has no name for */
	TD_QTP_BAD       /* a known id whose value does not fit its kind: b */
};
#define TD_QUIC_TP_BYTES 64u
struct td_quic_tp {
	uint64_t id;
	uint64_t len;            /* declared length */
	uint64_t num;            /* TD_QTP_INT */
	enum td_quic_tp_kind kind;
	uint8_t n;               /* bytes kept in b (at most TD_QUIC_TP_BYTES) */
	uint8_t b[TD_QUIC_TP_BYTES];
};
struct td_quic_tps {
	size_t n;                /* kept, at most TD_CAP_QUIC_TP */
	size_t more;             /* read past the cap */
	size_t duplicates;       /* ids seen before (RFC 9000 7.4: an error); not kept */
	bool truncated;          /* the block ended inside a parameter */
	struct td_quic_tp v[];   /* n of them */
};

/*
 * A QUIC connection (src/engine/quic_in.c; issue 16): the TLS handshake
 * it carried fills the rest of td_conn as over TCP.  All by value: a
 * clone copies it as is.
 */
struct td_quic_conn {
	bool present;                 /* a QUIC connection: transport "quic" */
	uint32_t version;             /* of the client's first Initial */
	uint32_t server_version;      /* of the server's first long header, 0: none */
	struct td_quic_cid odcid;     /* the client's first Destination Connection ID */
	struct td_quic_cid client_scid; /* the client's Source Connection ID */
	struct td_quic_cid server_scid; /* the server's (its first Retry, Initial or
					   Handshake packet); len 0 until seen */
	bool server_scid_seen;
	bool retry;                   /* the server sent a Retry (its tag checked) */
	uint32_t vn_versions[TD_QUIC_VN_MAX]; /* a Version Negotiation's versions */
	size_t n_vn;
	uint64_t packets[2][TD_QP_N]; /* by td_dir and packet type */
	uint64_t undecryptable;       /* Initial packets that did not open */
	/* The order of datagrams, for a keyless judgement of the handshake's
	 * end (td_fate_quic_completed(), fate.c): datagrams are numbered 1,
	 * 2, ... over both directions; each field holds the number of the
	 * datagram, by td_dir, 0 when none. */
	uint32_t datagrams;           /* datagrams seen so far */
	uint32_t first_short[2];      /* that carried its first 1-RTT packet */
	uint32_t last_long[2];        /* its last one with a long-header packet */
	uint32_t last_short_only[2];  /* its last one of 1-RTT packets alone */
	uint32_t last_dgram[2];       /* its last one */
	uint64_t last_dgram_us[2];    /* and when */
	struct {
		bool seen;            /* the first CONNECTION_CLOSE read */
		enum td_dir dir;
		enum td_quic_ptype in; /* the packet type that carried it */
		bool app;             /* 0x1d: an application error */
		uint64_t error;       /* 0x0100 + alert: a TLS alert (RFC 9001 4.8) */
		uint64_t frame_type;  /* 0x1c only */
		char reason[TD_QUIC_REASON_MAX]; /* sanitized, "" when none */
	} close;
};

/*
 * Application messages (src/app, app.h): what the first decrypted
 * application bytes of a direction say, when they are a protocol tlsdiag
 * knows.  Only what a refusal needs; every string is sanitized (text.h)
 * and owned by the message.
 */
enum td_app_proto {
	TD_APP_HTTP1 = 1,     /* HTTP/1.0 or 1.1 (RFC 9112) */
	TD_APP_HTTP2,         /* HTTP/2 (RFC 9113) */
	TD_APP_PGSQL,         /* PostgreSQL frontend/backend protocol 3.0 */
	/* After a STARTTLS upgrade (struct td_starttls), the protocol it
	 * upgraded: */
	TD_APP_SMTP,          /* RFC 5321 */
	TD_APP_IMAP,          /* RFC 9051 */
	TD_APP_POP3,          /* RFC 1939 */
	TD_APP_FTP,           /* RFC 959, RFC 4217 */
	TD_APP_LDAP,          /* RFC 4511 */
	TD_APP_MYSQL,         /* MySQL/MariaDB client/server protocol */
	TD_APP_XMPP           /* RFC 6120 */
};

enum td_app_kind {
	TD_APP_REQUEST = 1,   /* HTTP/1 request line: method, target, version */
	TD_APP_RESPONSE,      /* HTTP/1 status line (status, reason, version; the
				 HTML title of an error page), or HTTP/2 HEADERS
				 with a :status tlsdiag could read (status, stream) */
	TD_APP_H2_PREFACE,    /* the client's HTTP/2 connection preface */
	TD_APP_H2_GOAWAY,     /* GOAWAY: error_code, stream = the last stream id */
	TD_APP_H2_RST_STREAM, /* RST_STREAM: error_code, stream */
	TD_APP_PG_STARTUP,    /* the client's StartupMessage: user */
	TD_APP_PG_ERROR,      /* an ErrorResponse: severity, sqlstate, message */
	TD_APP_COMMAND,       /* after STARTTLS, a client's command: command (a
				 verb of the protocol: "EHLO", "LOGIN",
				 "BindRequest", "HandshakeResponse", XMPP "stream"
				 and "auth"; never its
				 arguments), mechanism (a SASL one: AUTH,
				 AUTHENTICATE, an LDAP SASL bind; "simple" for an
				 LDAP simple bind), user (MySQL only) */
	TD_APP_REPLY,         /* after STARTTLS, a server's error reply: code (an
				 SMTP/FTP reply code, an LDAP resultCode with its
				 RFC 4511 name in reason, a MySQL error code with
				 its sqlstate), severity (IMAP "NO", "BAD", "BYE";
				 POP3 "-ERR"), command (the LDAP response:
				 "BindResponse"...), message (the server's text);
				 XMPP: command "failure" (SASL) or "stream:error",
				 severity its RFC 6120 condition ("not-authorized"),
				 message its <text/> */
	TD_APP_FEATURES       /* after STARTTLS, XMPP: the server's stream features,
				 mechanism the SASL mechanisms offered, space-separated
				 (NULL when none) */
};

/* A fixed text of a known server that names a certificate problem,
 * recognised by the parser (rules read this, not the words; --redact
 * keeps these texts: they are the server software's, not its users'). */
enum td_app_known {
	TD_APP_KNOWN_NONE = 0,
	TD_APP_KNOWN_NGINX_NO_CERT,     /* nginx 400 "No required SSL certificate was sent" */
	TD_APP_KNOWN_NGINX_CERT_ERROR,  /* nginx 400 "The SSL certificate error" */
	TD_APP_KNOWN_APACHE_NO_PHA,     /* Apache 403 "Reason: Cannot perform
					   Post-Handshake Authentication." */
	TD_APP_KNOWN_PG_CERT_REQUIRED   /* PostgreSQL "connection requires a valid client
					   certificate" */
};

struct td_app_msg {
	enum td_app_proto proto;
	enum td_app_kind kind;
	enum td_app_known known;
	uint16_t status;        /* HTTP status code; 0 when none */
	uint32_t error_code;    /* HTTP/2 GOAWAY / RST_STREAM error code */
	uint32_t stream;        /* HTTP/2 stream identifier */
	uint32_t code;          /* TD_APP_REPLY: SMTP/FTP reply code (200..599), LDAP
				   resultCode, MySQL error code; 0 when none */
	char sqlstate[6];       /* PostgreSQL SQLSTATE (5 characters), "" when none */
	char *version;          /* "HTTP/1.1"...: request and status lines */
	char *method, *target;  /* request line */
	char *reason;           /* status line's reason phrase */
	char *title;            /* the <title> of an HTML error page */
	char *severity;         /* PostgreSQL: "FATAL", "ERROR"... */
	char *message;          /* PostgreSQL: the primary message */
	char *user;             /* PostgreSQL: the StartupMessage's user; MySQL: the
				   HandshakeResponse's */
	char *command;          /* TD_APP_COMMAND: the verb; TD_APP_REPLY: the LDAP
				   response's operation */
	char *mechanism;        /* TD_APP_COMMAND: the SASL mechanism, or "simple" */
	bool redacted;          /* --redact replaced free text (redact.h) */
};

/* Which handshake a timeline entry belongs to (src/engine/later.c): the
 * first, or one after it completed (issue 15, Must 6). */
enum td_phase {
	TD_PHASE_FIRST = 0,          /* the first handshake, or no handshake at all */
	TD_PHASE_RENEGOTIATION,      /* TLS <= 1.2: a renegotiation (RFC 5246 7.4.1.1):
					HelloRequest, the second hellos, ..., its
					ChangeCipherSpec and Finished, seen, decrypted
					or (encrypted handshake records) by position */
	TD_PHASE_POST_HANDSHAKE_AUTH /* TLS 1.3: post-handshake authentication (RFC 8446
					4.6.2): the late CertificateRequest, the client's
					Certificate, CertificateVerify, Finished;
					decrypted, or inferred from record sizes */
};

struct td_event {
	uint64_t ts_us;        /* capture time of the packet that completed it */
	enum td_dir dir;
	enum td_event_kind kind;
	enum td_phase phase;   /* the first handshake, or a later one */
	uint8_t hs_type;       /* TD_EV_HANDSHAKE: handshake message type */
	uint8_t quic_type;     /* TD_EV_QUIC_PACKET: enum td_quic_ptype */
	uint8_t content_type;  /* record content type where relevant */
	uint8_t alert_level;   /* TD_EV_ALERT, when !encrypted */
	uint8_t alert_desc;
	bool encrypted;        /* the alert or message was encrypted on the wire */
	bool decrypted;        /* seen only thanks to a key log (issue 4) */
	uint32_t length;       /* message/record body bytes, or gap bytes */
	char *detail;          /* owned, optional (NULL): e.g. the malformation */
	const char *inferred;  /* static, optional: what a record left encrypted most
				  likely holds, judged by its size and position
				  (infer.h), e.g. "Certificate"; NULL if unknown */
	struct td_app_msg *app; /* owned, TD_EV_APPLICATION only (else NULL) */
};

/* The ClientHello's encrypted_client_hello extension (type 0xfe0d,
 * draft-ietf-tls-esni 5): ECHClientHello, read when td_client_hello.ech. */
enum td_ech_type {
	TD_ECH_OUTER = 0,  /* the outer hello: cipher suite, config id, enc, payload */
	TD_ECH_INNER = 1   /* the inner hello's marker (empty): seen only decrypted */
};

struct td_ech_ext {
	bool parsed;           /* its fields below were read in full */
	uint8_t type;          /* enum td_ech_type, or another value as sent */
	uint16_t kdf_id;       /* HPKE KDF (RFC 9180 7.2): 1 HKDF-SHA256... */
	uint16_t aead_id;      /* HPKE AEAD (RFC 9180 7.3): 1 AES-128-GCM... */
	uint8_t config_id;     /* which ECHConfig of the server's it used */
	uint16_t enc_len;      /* bytes of the encapsulated key (0 in the second
				  ClientHello after a HelloRetryRequest) */
	uint16_t payload_len;  /* bytes of the encrypted inner ClientHello */
};

/* What became of 0-RTT early data (struct td_conn.early_data). */
enum td_early_data {
	TD_EARLY_NONE = 0,   /* not offered (no early_data in the ClientHello) */
	TD_EARLY_OFFERED,    /* offered; whether the server took it is not visible */
	TD_EARLY_ACCEPTED,   /* EncryptedExtensions holds early_data */
	TD_EARLY_REJECTED    /* it does not, or no PSK (identity 0) was accepted, or
				a HelloRetryRequest came: the server skipped it */
};

/* Obfuscated ticket ages kept per ClientHello (pre_shared_key). */
#define TD_PSK_AGES 4

struct td_client_hello {
	bool present;
	bool sslv2;                      /* came as an SSLv2-compatible hello */
	uint16_t record_version;         /* version of the record that carried it */
	uint16_t legacy_version;         /* client_version field */
	uint8_t random[32];              /* client random (finds the connection in a key log) */
	uint8_t session_id_len;
	uint8_t session_id[32];          /* its first session_id_len bytes (at most 32) */
	struct td_u16list versions;      /* supported_versions extension */
	struct td_u16list suites;        /* cipher_suites, in order, GREASE kept */
	struct td_u16list extensions;    /* extension types, in order */
	struct td_u16list groups;        /* supported_groups */
	struct td_u16list key_share_groups;
	struct td_u16list sig_algs;      /* signature_algorithms */
	struct td_u16list compression;   /* compression methods */
	struct td_u16list cert_compression; /* compress_certificate (RFC 8879): the
					       algorithms offered (TD_REG_CERT_COMPRESSION) */
	char *sni;                       /* server_name host_name, NULL if none */
	struct td_strlist alpn;          /* ALPN protocol names */
	bool session_ticket;             /* session_ticket extension present */
	bool session_ticket_data;        /* ...and non-empty (resumption attempt) */
	bool psk;                        /* pre_shared_key present */
	uint16_t psk_identities;         /* ...the identities it offers (RFC 8446 4.2.11) */
	uint32_t psk_ages[TD_PSK_AGES];  /* ...the first ones' obfuscated_ticket_age */
	bool early_data;                 /* early_data present (0-RTT offered) */
	bool ech;                        /* encrypted_client_hello present */
	struct td_ech_ext ech_ext;       /* ...and what it holds */
	uint8_t alpn_ends[2];            /* the first ALPN name's first and last byte as
					    sent (alpn.v[0] is sanitized; JA4 reads bytes) */
	/* JA4 (src/tls/ja4.c, set by the transport that decoded the hello: it
	 * knows TCP from QUIC): the fingerprint, 36 characters, "" when not
	 * computed (SSLv2 hellos), and its raw form, owned, NULL then. */
	char ja4[37];
	char *ja4_r;
	struct td_quic_tps *quic_tp;     /* quic_transport_parameters, owned, NULL if none */
};

struct td_server_hello {
	bool present;
	bool hrr;                        /* HelloRetryRequest (RFC 8446 4.1.3) */
	uint16_t legacy_version;         /* server_version field */
	uint16_t selected_version;       /* supported_versions, 0 if absent */
	uint8_t random[32];              /* server random (TLS <= 1.2 key derivation) */
	uint16_t cipher;
	uint8_t compression;
	uint8_t session_id_len;
	uint8_t session_id[32];
	struct td_u16list extensions;    /* extension types, in order */
	uint16_t key_share_group;        /* 0 if none */
	char *alpn;                      /* selected protocol, NULL if none */
	bool psk;                        /* pre_shared_key selected */
	uint16_t psk_identity;           /* ...the identity it selected (0 = the first) */
	/* EncryptedExtensions (TLS 1.3, seen in clear only with a key log or
	 * in QUIC's Handshake packets): */
	bool ee_seen;                    /* it was decoded */
	bool ee_early_data;              /* it holds early_data: 0-RTT accepted */
	bool ech_retry;                  /* it holds encrypted_client_hello (retry_configs):
					    ECH rejected (draft-ietf-tls-esni 7.1) */
	uint16_t ech_retry_len;          /* ...the bytes of those ECHConfigList */
	bool session_id_echo;            /* session id equals the client's (TLS <=1.2 resumption) */
	struct td_quic_tps *quic_tp;     /* EncryptedExtensions' quic_transport_parameters,
					    owned, NULL if none */
};

/* x509's view of a certificate for path validation (src/x509/vcert.h):
 * opaque outside x509, one flat allocation that free() releases. */
struct td_vcert;

/*
 * One certificate, as wolfSSL parsed it (x509.h): made once per distinct
 * DER and shared by reference (td_cert_ref / td_cert_unref) among the
 * connections, their clones and the certificate cache.  Immutable once
 * made: what a connection judges of it (td_chain.public_ca...) sits on
 * the chain, not here.  The one exception is a certificate that is
 * still its maker's alone (refs 1, not yet on a chain others read).
 */
struct td_cert {
	size_t refs;             /* references held; freed when the last goes */
	uint8_t *der;            /* owned copy of the DER; NULL once redacted */
	size_t der_len;
	bool parsed;             /* false: DER did not parse, see error */
	char *error;             /* why parsing failed, NULL when parsed */
	char *subject;           /* RFC 4514 */
	char *issuer;            /* RFC 4514 */
	char *serial;            /* lowercase hex, colon separated */
	int64_t not_before;      /* seconds since the epoch (UTC) */
	int64_t not_after;
	struct td_strlist san;   /* "DNS:x", "IP:1.2.3.4", "email:x", "URI:x" */
	char *key_type;          /* "RSA", "EC", "Ed25519", ... */
	unsigned key_bits;       /* 0 if unknown */
	char *key_curve;         /* EC curve name, NULL otherwise */
	char *sig_alg;           /* "sha256WithRSAEncryption", ... */
	bool is_ca;              /* basicConstraints cA */
	bool has_basic_constraints;
	int path_len;            /* -1 when absent */
	struct td_strlist key_usage;      /* "digitalSignature", ... */
	struct td_strlist ext_key_usage;  /* "serverAuth", "clientAuth", ... */
	bool self_signed;        /* subject == issuer */
	char sha256[65];         /* lowercase hex of the DER's SHA-256 */
	struct td_vcert *vcert;  /* owned: what path validation reads (made by
				    the same wolfSSL parse); NULL without DER */
	/* A redacted certificate (td_cert_derive) holds a reference to the
	 * one it was made from and borrows from it the fields redaction
	 * never rewrites: key_type, key_curve, sig_alg, key_usage and
	 * ext_key_usage.  NULL for a certificate made from DER. */
	struct td_cert *base;
};

struct td_chain {
	bool present;            /* a Certificate message was seen */
	bool encrypted;          /* it was sent encrypted (TLS 1.3) */
	bool later;              /* it came in a later handshake (renegotiation or
				    post-handshake authentication): the first
				    handshake had none.  The first chain seen is
				    kept; a later one only shows in the timeline */
	struct td_cert *certs[TD_CAP_CHAIN]; /* references, in message order:
						leaf first; [0, n) are set */
	size_t n;
	size_t dropped;          /* certificates past TD_CAP_CHAIN */
	uint16_t compression;    /* RFC 8879 algorithm (TD_REG_CERT_COMPRESSION,
				    1 zlib, 2 brotli, 3 zstd) of the
				    CompressedCertificate it came in, or 0: sent as
				    a plain Certificate */
	/* What the system trust store (TD_TRUST_SYSTEM_BUNDLE, whatever store
	 * the chain was verified against) says of certs[i] in this chain,
	 * judged by the diagnoser for --redact (td_conn.public_cas_judged): */
	bool public_ca[TD_CAP_CHAIN];     /* a CA certificate that is an anchor of the
					     system store, or that one signed (directly
					     or through sent CAs it vouches for): its
					     subject, serial and sha256 are public
					     knowledge */
	bool public_issuer[TD_CAP_CHAIN]; /* its issuer is such a public CA: one of
					     them signed it, or an anchor of the system
					     store has the issuer's name */
};

struct td_cert_request {
	bool present;
	bool tls13;                      /* RFC 8446 layout */
	bool later;                      /* sent in a later handshake (renegotiation, or
					    TLS 1.3 post-handshake authentication); the
					    first one seen is kept */
	struct td_u16list cert_types;    /* TLS <= 1.2 certificate_types */
	struct td_u16list sig_algs;
	struct td_strlist ca_names;      /* acceptable CAs, RFC 4514 */
	size_t context_len;              /* TLS 1.3 request context */
	/* Bit i (ca_public[i / 8] >> (i % 8)): ca_names.v[i] is the name of a
	 * public CA (see td_chain.public_ca; td_conn.public_cas_judged). */
	uint8_t ca_public[(TD_CAP_CA_NAMES + 7) / 8];
};

/* Whether CertificateRequest name i is a public CA's (out of range: no). */
static inline bool td_cr_ca_public(const struct td_cert_request *cr, size_t i)
{
	return i < TD_CAP_CA_NAMES && (((unsigned)cr->ca_public[i / 8] >> (i % 8)) & 1u);
}

/* Diagnoses (diagnose.h fills them; sinks print them). */
enum td_severity {
	TD_SEV_INFO = 0,
	TD_SEV_WARNING,
	TD_SEV_ERROR
};

enum td_stage {
	TD_STAGE_TCP,
	TD_STAGE_CLIENT_HELLO,
	TD_STAGE_SERVER_HELLO,
	TD_STAGE_SERVER_CERTIFICATE,
	TD_STAGE_CLIENT_CERTIFICATE,
	TD_STAGE_FINISHED,
	TD_STAGE_AFTER_HANDSHAKE,
	TD_STAGE_STARTTLS          /* the plaintext exchange before TLS (issue 17) */
};

enum td_party {
	TD_PARTY_NOBODY = 0,
	TD_PARTY_CLIENT,
	TD_PARTY_SERVER
};

#define TD_DIAG_EVENTS 4

/* How a diagnosis knows what it says (issue 15): CERTAIN when its deciding
 * fact was seen in clear or decrypted (an alert, a message, a certificate
 * check), INFERRED when it rests on record sizes, order and timing. */
enum td_confidence {
	TD_CONF_CERTAIN = 0,
	TD_CONF_INFERRED
};

struct td_diagnosis {
	const char *code;           /* static UPPER_SNAKE code, stable for scripts */
	enum td_severity severity;
	enum td_stage stage;        /* where the handshake stopped or the issue lies */
	enum td_party gave_up;      /* who ended the handshake (NOBODY: it did not end) */
	enum td_confidence confidence;
	char *summary;              /* owned: one sentence in plain words */
	char *fix;                  /* owned: what to change; NULL when nothing to do */
	struct td_strlist evidence; /* owned sentences: the facts that prove it */
	size_t events[TD_DIAG_EVENTS]; /* timeline entries pointed at (indexes) */
	size_t n_events;
};

/*
 * The connection's fate: how it ended, decided once by td_fate_judge()
 * (diagnose.h, src/diagnose/fate.c) and read by every sink (text, JSON,
 * Markdown, Mermaid, --only-failed, the TUI); no sink re-derives it.
 *
 * The one definition of the outcome:
 *   established  the handshake completed (both Finished seen, or
 *                inferred from record sizes and order), no fatal alert
 *                was read, and the client did not refuse the server
 *                right after it (quit == TD_QUIT_REJECTED).  A client
 *                that merely closes without data (a probe, a health
 *                check: TD_QUIT_CLOSED) leaves it established, and so
 *                does an error diagnosis.
 *   failed       something stopped it: a fatal alert read in clear or
 *                decrypted; a TCP close (FIN or RST) once a hello had
 *                been seen, or after cleartext from the client; a SYN
 *                never answered; the client's refusal right after the
 *                handshake; or, at the end, a handshake that did not
 *                complete and has an error diagnosis (a server that never
 *                answered, say).
 *
 * Causality (issue 15): what ended a connection is the first FIN, RST or
 * alert in time.  An alert (fatal, or one that could not be read) sent
 * after the peer's FIN or RST is the peer's doing: a reaction (an
 * OpenSSL server answers a client's FIN mid-handshake with an alert),
 * kept in td_fate.reaction and never in fatal or alert.  One exception:
 * a client's FIN after its whole flight is a half-close (it said all it
 * had to say and waits), so the server's alert that follows is its
 * verdict on that flight, not a reaction.
 *   incomplete   none of these: the handshake did not complete and nothing
 *                gave a verdict (the capture ended mid-handshake, the flow
 *                was picked up after its handshake, the stream was
 *                unusable).
 * "Failed" everywhere (--only-failed, the Markdown failure sections, the
 * TUI's red rows) means outcome == TD_OUTCOME_FAILED, nothing else.
 */
enum td_outcome {
	TD_OUTCOME_INCOMPLETE = 0,  /* no verdict: see above */
	TD_OUTCOME_ESTABLISHED,     /* the handshake completed */
	TD_OUTCOME_FAILED           /* something stopped it */
};

/* What ended the connection (td_fate.how): the event at td_fate.end, or,
 * without one, how the engine stopped watching it. */
enum td_end {
	TD_END_NONE = 0,        /* nothing yet: still running, or reported open */
	TD_END_FATAL_ALERT,     /* a fatal alert read in clear or decrypted */
	TD_END_ENCRYPTED_ALERT, /* an alert record that could not be decrypted */
	TD_END_ALERT_SIZED,     /* TLS 1.3 without keys: a protected record of an
				   alert's size (inferred, see td_fate.alert) */
	TD_END_RST,             /* a TCP reset */
	TD_END_FIN,             /* a TCP FIN */
	TD_END_IDLE,            /* no event: the idle timeout ended it */
	TD_END_EVICTED,         /* no event: the flow table was full */
	TD_END_CAPTURE          /* no event: the capture ended with it open */
};

/* What a client that finished the handshake and left without sending
 * data meant (td_fate.quit; td_conn.client_quit_after_handshake). */
enum td_quit {
	TD_QUIT_NONE = 0,       /* it did not (it sent data, the server left
				   first, or the handshake did not complete) */
	TD_QUIT_CLOSED,         /* it closed, and nothing says it refused
				   anything: a probe (openssl s_client
				   </dev/null), a load balancer's TLS health
				   check, a pool closing a spare connection */
	TD_QUIT_REJECTED        /* it closed, and something says it refused
				   the server (td_fate.quit_sign) */
};

/* What says a client that left right after the handshake refused the
 * server (td_fate.quit_sign). */
enum td_quit_sign {
	TD_SIGN_NONE = 0,
	TD_SIGN_ALERT,          /* it sent an alert other than close_notify,
				   read in clear or decrypted */
	TD_SIGN_NAME,           /* the server certificate, visible, does not
				   cover the name the client sent (SNI) */
	TD_SIGN_APP_PROTOCOL    /* it announced an application protocol (ALPN,
				   or a cleartext exchange that upgraded to
				   TLS: STARTTLS, PostgreSQL's SSLRequest) and
				   left at once without speaking it */
};

/* How the engine stopped watching a connection (td_conn.stop). */
enum td_stop {
	TD_STOP_NONE = 0,       /* it closed, or it is still watched */
	TD_STOP_IDLE,           /* the idle timeout (--idle-timeout) */
	TD_STOP_EVICTED,        /* the flow table was full (--max-flows) */
	TD_STOP_CAPTURE_END     /* the capture ended with the flow open */
};

struct td_fate {
	bool judged;             /* td_fate_judge() ran: the fields below hold */
	bool final;              /* ...on the finished connection (conn_done);
				    false on a live update: outcome then tells
				    where it stands so far (never failed for a
				    SYN still unanswered, nor for an error
				    diagnosis, which only come at the end) */
	enum td_outcome outcome; /* the one outcome (see above) */
	/* The event that ended the handshake, as the wire shows it: the first
	 * fatal alert read, else the unreadable alert (fate.alert), else the
	 * first TCP close (FIN or RST, whichever came first); never a
	 * reaction (see above); SIZE_MAX when none.  On an established
	 * connection it is how it closed (a close_notify is no end: it is a
	 * warning alert). */
	size_t end;
	enum td_end how;         /* what end is, or why there is none */
	enum td_party by;        /* who sent end (NOBODY without one) */
	/* The parts it is chosen from (timeline indexes, SIZE_MAX: none). */
	size_t fatal;            /* the first fatal alert read */
	/* The alert that could not be read: the first encrypted alert record,
	 * or (TLS 1.3 without keys) the first protected record of an alert's
	 * size; a later longer record from the same side cancels it (it was
	 * data after all), and the next alert-sized one may take its place. */
	size_t alert;
	size_t first_close;      /* the first FIN or RST, whoever sent it */
	enum td_party first_closer; /* its sender: who closed TCP first */
	/* The first fatal or unreadable alert sent after the peer's FIN or
	 * RST (a reaction, see above; SIZE_MAX: none). */
	size_t reaction;
	/* After a completed handshake and no fatal alert: did the client
	 * leave first without sending data, and what did it mean?  quit_at:
	 * its first leaving event (an alert, a FIN or a RST), SIZE_MAX when
	 * quit is TD_QUIT_NONE. */
	enum td_quit quit;
	enum td_quit_sign quit_sign;
	size_t quit_at;
	/* QUIC without keys: the client answered the server's Handshake
	 * flight with Handshake packets alone, sent no 1-RTT packet and spoke
	 * last (td_fate_quic_refused(), fate.c): it refused the server. */
	bool quic_refused;
	/* QUIC without keys: the client sent 1-RTT packets after its flight,
	 * the server answered with Handshake packets and never with 1-RTT
	 * packets alone (td_fate_quic_server_refused(), fate.c): the server
	 * refused the client's flight. */
	bool quic_server_refused;
	/* The root diagnosis: index in td_conn.diags of the first diagnosis of
	 * severity error (they are sorted errors first), SIZE_MAX when none. */
	size_t root;
};

/* Per-direction facts the engine tracks. */
struct td_side {
	bool ccs_seen;            /* sent ChangeCipherSpec (TLS <= 1.2: encrypted after) */
	bool encrypted_seen;      /* sent an encrypted record */
	bool fin, rst;            /* closed */
	uint64_t records;         /* TLS records seen */
	uint64_t bytes;           /* stream bytes delivered to TLS */
	uint64_t gaps;            /* gap events */
	uint64_t gap_bytes;
	uint64_t dup_bytes;       /* retransmitted bytes ignored */
	uint64_t cap_dropped;     /* bytes dropped by a cap */
	uint32_t encrypted_records; /* encrypted records counted during the handshake */
};

/*
 * The client's first flight over TCP, until the server sends data
 * (src/engine/flight.c): what a path that loses large segments leaves to
 * see (CLIENTHELLO_BLACKHOLE: an MTU black hole, a middlebox dropping big
 * ClientHellos).  Byte counts are offsets in the client's stream, from
 * its first data byte.  All zero unless the client's SYN was seen.
 */
struct td_tcp_flight {
	bool seen;               /* the client's SYN was seen and it sent data */
	bool answered;           /* the server sent data: counting stopped there */
	uint32_t segments;       /* client segments that carried new bytes */
	uint32_t retransmits;    /* client segments that repeated bytes sent before */
	uint32_t largest;        /* the largest client segment, payload bytes */
	uint32_t sent;           /* client stream bytes sent (the highest end) */
	uint32_t acked;          /* ...of them, the most the server acknowledged */
};

/*
 * STARTTLS (src/starttls, starttls.h; issue 17): the plaintext exchange
 * that upgraded (or failed to upgrade) a connection of another protocol
 * to TLS.  Its steps are TD_EV_STARTTLS events of the timeline; these are
 * the facts the recogniser computed once at the end of the flow, which
 * every sink and rule reads.  Its two quotes are owned strings, so that
 * a connection without STARTTLS (nearly all) carries no room for them.
 */
enum td_starttls_proto {
	TD_STLS_NONE = 0,     /* the connection began with TLS (or nothing known) */
	TD_STLS_SMTP,         /* RFC 3207 */
	TD_STLS_IMAP,         /* RFC 3501 6.2.1, RFC 9051 */
	TD_STLS_POP3,         /* RFC 2595 4 (STLS) */
	TD_STLS_FTP,          /* RFC 4217 (AUTH TLS, AUTH SSL) */
	TD_STLS_LDAP,         /* RFC 4511 4.14 (StartTLS extended operation) */
	TD_STLS_XMPP,         /* RFC 6120 5.4 */
	TD_STLS_POSTGRES,     /* SSLRequest, GSSENCRequest (protocol 55.2.10) */
	TD_STLS_MYSQL         /* CLIENT_SSL and the SSL request packet */
};
enum td_starttls_result {
	TD_STLS_R_NONE = 0,       /* no STARTTLS protocol */
	TD_STLS_UPGRADED,         /* TLS began after the server agreed */
	TD_STLS_REFUSED,          /* the server said no (454, NO/BAD, -ERR, 5xx, LDAP
				     resultCode != 0, <failure/>, PostgreSQL 'N') */
	TD_STLS_NOT_OFFERED,      /* the server's capabilities lacked it and the
				     client never asked */
	TD_STLS_SERVER_CLOSED,    /* the server closed right after the client asked */
	TD_STLS_INCOMPLETE,       /* the capture ended or the client gave up first */
	TD_STLS_NOT_USED          /* the server offered it; the client went on in
				     plaintext without asking.  Last: the fuzz
				     oracle (fuzz_starttls.c) checks the range */
};
/* What a TD_EV_STARTTLS step is to the upgrade (its content_type). */
enum td_stls_role {
	TD_STLS_STEP = 0,         /* any other step (a greeting, capabilities) */
	TD_STLS_ASK,              /* the client's request to upgrade */
	TD_STLS_ANSWER,           /* the server's answer to it */
	TD_STLS_AFTER,            /* the client's first plaintext command after a
				     refusal, or without an offer */
	TD_STLS_CLEARED           /* FTP: the first plaintext line after its sender's
				     TLS close: the control channel went back to
				     plaintext (CCC, RFC 4217 12.3); told once */
};
/* The server's answer and the client's plaintext quoted: their first bytes. */
#define TD_STLS_TEXT_MAX 160u
struct td_starttls {
	enum td_starttls_proto proto;
	enum td_starttls_result result;
	bool offered;             /* the server's capabilities listed it */
	bool asked;               /* the client asked to upgrade */
	bool plaintext_after;     /* the client went on in plaintext after a refusal
				     (or without an offer): after says with what */
	char *answer;             /* the server's answer, sanitized, at most
				     TD_STLS_TEXT_MAX bytes; owned, NULL none */
	char *after;              /* that plaintext command, the same way, its
				     arguments hidden when they may be secret */
	uint64_t bytes[2];        /* plaintext bytes by td_dir */
	uint64_t steps_dropped;   /* steps past TD_CAP_STLS_STEPS (not in the timeline) */
	uint64_t cap_dropped;     /* bytes past TD_CAP_STLS_PREAMBLE or a line's cap */
};

struct td_conn {
	uint64_t id;              /* 1, 2, ... in order of first packet */
	struct td_addr client_addr, server_addr;
	uint16_t client_port, server_port;
	uint64_t start_us;        /* first packet of the flow */
	uint64_t last_us;         /* last packet seen */
	bool partial;             /* the start of the TCP stream was not captured */
	bool tls;                 /* TLS was recognised on this flow */
	bool malformed;           /* a decoder gave up on this connection */

	/* Streaming (engine.h: td_config.stream): the connection was first
	 * reported when its handshake's outcome was known; at that moment it
	 * had n_events events and this outcome. */
	struct {
		bool reported;
		uint64_t at_us;
		size_t n_events;
		enum td_outcome outcome;
	} early;

	struct td_quic_conn quic;  /* QUIC only (quic.present) */
	struct td_starttls starttls; /* STARTTLS only (starttls.proto != NONE) */

	struct td_client_hello ch;
	struct td_server_hello sh;
	struct td_cert_request cr;
	struct td_chain server_chain, client_chain;
	bool server_key_exchange, client_key_exchange;
	uint16_t ske_group;       /* ServerKeyExchange named group (ECDHE, TLS <= 1.2), 0 if none */
	bool client_cert_verify;
	uint16_t client_cv_scheme; /* the client's CertificateVerify signature scheme, 0 if unseen */
	bool finished[2];         /* Finished seen (in clear or decrypted), by td_dir */
	uint32_t new_session_tickets;
	bool decrypted;           /* records were decrypted with a key log */
	/* TLS 1.3 0-RTT (RFC 8446 4.2.10): the verdict, judged once by
	 * td_early_judge() (infer.h) from the hellos, EncryptedExtensions and
	 * the client's records; inferred when it rests on record sizes. */
	enum td_early_data early_data;
	bool early_inferred;
	uint32_t early_records;   /* the client's application_data records sent before
				     the server's first record (its 0-RTT records) */
	uint32_t early_decrypted; /* ...opened with CLIENT_EARLY_TRAFFIC_SECRET */

	bool handshake_done;      /* both sides finished the handshake (seen or inferred) */
	/* Handshakes after the first one (src/engine/later.c; events carry
	 * their phase).  The model's hellos, version and suite stay the first
	 * handshake's; a later handshake's CertificateRequest and client
	 * chain fill cr and client_chain only when the first had none (their
	 * .later says so). */
	uint32_t renegotiations;  /* TLS <= 1.2: renegotiations begun after the first
				     handshake (a HelloRequest or a ClientHello, seen or
				     decrypted; without keys, encrypted handshake records) */
	uint32_t post_handshake_auths; /* TLS 1.3: post-handshake CertificateRequests
					  (decrypted, or inferred from record sizes) */
	bool later_unfinished;    /* the last of them began and had not finished when
				     the connection ended (no ChangeCipherSpec from both
				     sides in a renegotiation; no record but an alert
				     from the server after the client's post-handshake
				     Finished): the fate reads it (fate.c) */
	bool client_quit_after_handshake; /* ...then the client alerted or closed
					     (FIN, RST) without sending any data
					     (td_fate.quit says what it meant) */

	uint16_t version;         /* negotiated version, 0 until known */
	uint16_t cipher;          /* negotiated suite, 0 until known */
	enum td_stop stop;        /* how the engine stopped watching it */
	struct td_fate fate;      /* how it ended: td_fate_judge() (diagnose.h) */

	struct td_side side[2];   /* by td_dir */
	struct td_tcp_flight flight; /* the client's first flight (TCP) */

	struct td_event *events;  /* the timeline, in capture order */
	size_t n_events, alloc_events;
	size_t dropped_events;    /* past TD_CAP_EVENTS */

	struct td_anomalies anomalies; /* named malformations and oddities (anomaly.h) */
	char *cleartext[2];          /* by td_dir: the first bytes sent that are not TLS,
					sanitized, NULL if none (an HTTP request...) */
	uint64_t cleartext_bytes[2]; /* how many such bytes */

	struct td_diagnosis *diags;  /* root cause first, then secondary, warnings, info */
	size_t n_diags;

	uint64_t changes;            /* moves with every change a live view shows: an
					event, an anomaly or a diagnosis added (conn.c),
					a fact the engine decoded; the engine compares
					it before calling a sink's conn_update.  Counters
					(records, bytes) do not move it */

	bool public_cas_judged;      /* the diagnoser set the public_ca, public_issuer
					and ca_public facts (it does so only when
					asked, for --redact); until then no CA counts
					as public */
};

/* A new empty connection; its fate is unjudged (outcome incomplete, no
 * end, no root).  NULL when memory runs out. */
struct td_conn *td_conn_new(uint64_t id);
void td_conn_free(struct td_conn *c);
/* A copy (src/model/clone.c), for sinks that keep a connection after
 * conn_done: deep, but the certificates are shared (one more reference
 * each); NULL when memory runs out. */
struct td_conn *td_conn_clone(const struct td_conn *src);
/* Free the quotes of STARTTLS facts (td_conn_free does, for a connection's). */
void td_starttls_cleanup(struct td_starttls *s);

/* Append an event (detail and app copied when not NULL; ownership stays
 * with the caller).  Past TD_CAP_EVENTS the event is counted in
 * dropped_events and TD_OK returned.  Returns the stored event or NULL
 * (dropped or out of memory) through *out when out is not NULL. */
enum td_result td_conn_add_event(struct td_conn *c, const struct td_event *ev,
				 struct td_event **out) TD_MUST_CHECK;

/* Record an anomaly: its code and the arguments its template reads
 * (anomaly.h): the direction (%p), a number (%u), up to two strings (%s,
 * copied; NULL when unused).  Past TD_CAP_ANOMALIES it is counted in
 * anomalies.dropped. */
enum td_result td_conn_anomaly(struct td_conn *c, enum td_anomaly_code code, enum td_dir dir,
			       uint64_t num, const char *s0, const char *s1) TD_MUST_CHECK;
/* The severity of an anomaly code (its line in anomaly.h). */
enum td_severity td_anomaly_severity(enum td_anomaly_code code);

/*
 * Certificates (src/model/cert.c; td_cert_derive in clone.c).  td_cert_new: an empty certificate
 * (refs 1, everything zero) for decoders and tests to fill; NULL when
 * memory runs out.  td_cert_ref: one more reference, returns cert.
 * td_cert_unref: one fewer; the last frees it (NULL is fine).
 */
struct td_cert *td_cert_new(void);
struct td_cert *td_cert_ref(struct td_cert *cert);
void td_cert_unref(struct td_cert *cert);
/*
 * A certificate to redact, made from base (redaction, src/redact): a new
 * object (refs 1) with its own copies of what redaction rewrites (error,
 * subject, issuer, serial, san, sha256), no DER, and a reference to base
 * for the rest (see td_cert.base).  NULL when memory runs out.
 */
struct td_cert *td_cert_derive(struct td_cert *base);
/* Append a certificate to a chain, taking the caller's reference (also
 * when the chain is full: then it is dropped and counted). */
void td_chain_take(struct td_chain *chain, struct td_cert *cert);
/* A deep copy of a CertificateRequest's facts (src/model/clone.c); on
 * failure dst is left empty. */
enum td_result td_cert_request_copy(struct td_cert_request *dst,
				    const struct td_cert_request *src) TD_MUST_CHECK;
void td_chain_cleanup(struct td_chain *chain);

/* Free what a ClientHello owns (its lists and SNI) and zero it. */
void td_client_hello_cleanup(struct td_client_hello *ch);
/* Free what a ServerHello owns (its extension list and ALPN) and zero it. */
void td_server_hello_cleanup(struct td_server_hello *sh);
/* Free what a CertificateRequest owns (its lists and CA names) and zero it. */
void td_cert_request_cleanup(struct td_cert_request *cr);

/* Append a diagnosis, taking ownership of its strings (also on failure). */
enum td_result td_conn_add_diagnosis(struct td_conn *c, struct td_diagnosis *d) TD_MUST_CHECK;
void td_diagnosis_cleanup(struct td_diagnosis *d);
/* True when c has a diagnosis of severity error. */
bool td_conn_has_error(const struct td_conn *c);

/*
 * Application messages (src/model/app.c).  td_app_msg_copy: a deep copy,
 * NULL when memory runs out.  td_app_msg_free: frees it and its strings
 * (NULL is fine).  td_app_msg_cleanup: frees the strings of an embedded
 * one and zeroes it.  td_app_describe: the message in words into buf
 * (always terminated), e.g. "HTTP/1.1 400 Bad Request, title
 * \"400 No required SSL certificate was sent\"": what the timeline's
 * detail says.
 */
struct td_app_msg *td_app_msg_copy(const struct td_app_msg *m);
void td_app_msg_free(struct td_app_msg *m);
void td_app_msg_cleanup(struct td_app_msg *m);
void td_app_describe(const struct td_app_msg *m, char *buf, size_t len);
/* "http/1", "http/2", "pgsql"; "request", "response", "h2_preface",
 * "goaway", "rst_stream", "startup", "error_response"; the HTTP/2 error
 * code's name (RFC 9113 7) or NULL when unknown. */
const char *td_app_proto_name(enum td_app_proto p);
const char *td_app_kind_name(enum td_app_kind k);
const char *td_h2_error_name(uint32_t code);
/* The message says something went wrong: an HTTP status of 400 or more,
 * a GOAWAY or RST_STREAM with an error (not CANCEL), a PostgreSQL
 * ErrorResponse. */
bool td_app_is_error(const struct td_app_msg *m);
/* A few words for a narrow label: "HTTP 400", "HTTP GET", "GOAWAY
 * PROTOCOL_ERROR", "pgsql FATAL 28000". */
void td_app_brief(const struct td_app_msg *m, char *buf, size_t len);

/* Printable names. */
const char *td_outcome_name(enum td_outcome o);   /* "established", ... */
/* "client" / "server": who sent what travels in direction d. */
static inline const char *td_dir_from(enum td_dir d)
{
	return d == TD_DIR_C2S ? "client" : "server";
}
const char *td_severity_name(enum td_severity s);  /* "error", "warning", "info" */
const char *td_stage_name(enum td_stage s);        /* "client_hello", ... */
const char *td_party_name(enum td_party p);        /* "client", "server", "nobody" */
const char *td_confidence_name(enum td_confidence k); /* "certain", "inferred" */
const char *td_phase_name(enum td_phase p);        /* "first", "renegotiation",
						      "post_handshake_auth" */
/* "smtp", "imap", "pop3", "ftp", "ldap", "xmpp", "postgres", "mysql"
 * (NULL for NONE); "upgraded", "refused", "not_offered", "not_used", "server_closed",
 * "incomplete" (NULL for NONE); "SMTP"... for people. */
const char *td_starttls_proto_name(enum td_starttls_proto p);
const char *td_starttls_proto_label(enum td_starttls_proto p);
const char *td_starttls_result_name(enum td_starttls_result r);

#endif
