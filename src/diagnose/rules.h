/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rules.h - what a diagnosis rule sees and writes (private to
 * src/diagnose/).
 *
 * A rule is a small pure function over one connection (struct dx:
 * the model plus facts the runner worked out once) that either finds
 * nothing or fills one struct finding.  The table in rules.c lists the
 * rules in order of precedence: among errors, the first found is the
 * root cause.
 */
#ifndef TD_DIAGNOSE_RULES_H
#define TD_DIAGNOSE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conn.h"
#include "tls_names.h"
#include "verify.h"

#define FINDING_TEXT 512
#define FINDING_EVIDENCE 8

/* What earlier connections of the capture showed about one server
 * (address and port; diagnose.c learns it after each connection). */
struct server_memory {
	uint16_t version;          /* last version it negotiated, 0 if none */
	uint16_t cipher;           /* last suite it chose */
	char *intermediate_subject;/* an intermediate it sent, owned, or NULL */
	/* The last leaf certificate it sent in sight (TLS 1.2, or a keyed
	 * connection): a reference, or NULL; the SNI it answered with it
	 * (owned, NULL: none); whether it sent different leaves (then the
	 * leaf fits only a connection with the same SNI); and what the trust
	 * store said of that chain (TD_CHAIN_NOT_CHECKED: nothing), with its
	 * reason. */
	struct td_cert *leaf;
	char *leaf_sni;
	bool leaves_differ;
	enum td_chain_verdict chain;
	char chain_reason[160];
	/* The last client leaf this server went on talking with after the
	 * handshake (a reference, or NULL): the connection carried more than
	 * one request and its answer, and no error was found.  A short
	 * exchange with the same certificate later is no refusal of it. */
	struct td_cert *client_kept;
};

/* One connection, with facts every rule needs. */
struct dx {
	const struct td_conn *c;
	const struct server_memory *mem;       /* NULL when nothing is known */
	const struct td_chain_check *server_check; /* NULL: not validated */
	const struct td_chain_check *client_check;
	bool explicit_store;                   /* --ca-file/--ca-path given (not the system bundle) */
	bool keylog_given;                     /* -k given (td_diag_opts) */
	int64_t at;                            /* judging time, epoch seconds */

	/* The first alert in clear that is fatal (NULL if none). */
	const struct td_event *fatal;
	size_t fatal_idx;
	enum td_party fatal_from;
	/* The first protected alert-sized record or encrypted alert (TLS 1.3
	 * or after CCS), NULL if none. */
	const struct td_event *enc_alert;
	size_t enc_alert_idx;
	/* The first FIN or RST, NULL if none. */
	const struct td_event *close;
	size_t close_idx;
	enum td_party closer;
	/* Who sent what. */
	bool client_sent_cert;     /* a client Certificate message (in clear) */
	bool tls13;
	bool hidden;               /* TLS 1.3: certificates not visible */
	bool failed;               /* outcome failed */
	const struct td_cert *server_leaf;     /* NULL when not visible */
	const struct td_cert *client_leaf;
};

struct finding {
	const char *code;
	enum td_severity severity;
	enum td_stage stage;
	enum td_party gave_up;
	enum td_confidence confidence; /* CERTAIN unless the rule says finding_inferred() */
	char summary[FINDING_TEXT];
	char fix[FINDING_TEXT];
	char evidence[FINDING_EVIDENCE][FINDING_TEXT];
	size_t n_evidence;
	size_t events[TD_DIAG_EVENTS];
	size_t n_events;
};

/* Empty a finding (its counters and the first byte of each text). */
static inline void finding_clear(struct finding *f)
{
	f->code = NULL;
	f->severity = TD_SEV_INFO;
	f->stage = TD_STAGE_TCP;
	f->gave_up = TD_PARTY_NOBODY;
	f->confidence = TD_CONF_CERTAIN;
	f->summary[0] = '\0';
	f->fix[0] = '\0';
	f->n_evidence = 0;
	f->n_events = 0;
}

typedef bool (*rule_fn)(const struct dx *x, struct finding *f);

struct rule {
	const char *code;
	rule_fn fn;
	bool fallback;  /* only when no earlier rule found an error */
};

/* The table, in order of precedence, and its length. */
extern const struct rule td_rules[];
extern const size_t td_rules_count;

/* Less than this much validity left is CERT_EXPIRING_SOON. */
#define EXPIRING_SOON_S (30 * 24 * 3600)

/* ---- findings.c: writing a finding ---- */
void finding_evidence(struct finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Point the finding at timeline entry idx. */
void finding_event(struct finding *f, size_t idx);
/* Severity, stage, who gave up and the one-sentence summary. */
void finding_set(struct finding *f, enum td_severity sev, enum td_stage stage,
		 enum td_party who, const char *summary_fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* The finding rests on sizes, order or timing, not on a fact read in clear. */
static inline void finding_inferred(struct finding *f) { f->confidence = TD_CONF_INFERRED; }
void finding_fix(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- findings.c: reading the connection ---- */
/* An IANA name in one of 8 rotating buffers, so one printf may use several. */
const char *dx_name(enum td_tls_registry reg, uint16_t v);
enum td_party dx_party(enum td_dir d);
/* The versions the client offered, as text, and the highest; out may be
 * NULL (len 0) when only the highest is wanted. */
void dx_offered_versions(const struct td_conn *c, char *out, size_t len, uint16_t *max);
/* Index of the last handshake message of type sent in direction d, or
 * SIZE_MAX.  TD_HS_CERTIFICATE finds a CompressedCertificate too
 * (td_tls_is_certificate_msg). */
size_t dx_last_message(const struct td_conn *c, enum td_dir d, uint8_t type);
/* The fatal alert in clear (or decrypted) has this description. */
bool dx_fatal_alert(const struct dx *x, uint8_t desc);
/* The root a visible chain shows: its last certificate when self-signed,
 * else NULL (a CA is called a root only when seen signing itself). */
const char *dx_chain_root(const struct td_chain *ch);
/* The issuer the chain stops at when its last certificate is not
 * self-signed (a root or an intermediate, not sent), else NULL. */
const char *dx_chain_end(const struct td_chain *ch);
bool dx_ca_listed(const struct td_conn *c, const char *name);
/* The acceptable CAs as "'a', 'b' and N more". */
void dx_acceptable_list(const struct td_conn *c, char *out, size_t len);
/* The name the client asked for: its SNI, or the server's address without one. */
const char *dx_asked_name(const struct td_conn *c, char *buf, size_t len, bool *by_ip);
void dx_san_list(const struct td_cert *cert, char *out, size_t len);
/* Where the handshake was when timeline entry idx happened. */
enum td_stage dx_stage_at(const struct td_conn *c, size_t idx);
bool dx_has_event(const struct td_conn *c, enum td_event_kind k, enum td_dir d, size_t *idx);
/* Nothing at all came from the server: no record, no cleartext, no close. */
bool dx_server_sent_nothing(const struct td_conn *c);
void dx_endpoint(const struct td_conn *c, char *buf, size_t len);
/* The client rejected the server's certificate with an alert (any reason). */
bool dx_client_rejected_server_cert(const struct dx *x);
/* ...for trust reasons (not usage or dates). */
bool dx_client_distrusted_server(const struct dx *x);
/* The peer that checks this chain rejected it with an alert. */
bool dx_peer_rejected_chain(const struct dx *x, bool server_chain);
/* bad_certificate, certificate_unknown, unsupported_certificate,
 * decode_error: a rejection that does not say why. */
bool dx_generic_cert_alert(uint8_t desc);

/* ---- findings.c: tlsdiag's own checks of a visible chain ---- */
/* A key below what current peers accept (RSA/DSA < 2048, EC < 256 bits);
 * *min_bits (may be NULL) gets that minimum for the key's type. */
bool dx_key_too_small(const struct td_cert *k, unsigned *min_bits);
/* Signed with MD5 or SHA-1 (a self-signed root's signature never counts). */
bool dx_sig_too_weak(const struct td_cert *k);
/* The first certificate of ch with such a key or signature, or NULL. */
const struct td_cert *dx_refused_cert(const struct td_chain *ch);
/* The leaf's (extended) key usage forbids TLS server / client use. */
bool dx_usage_forbids(const struct td_cert *leaf, bool server);
/* The server leaf's issuer is neither sent nor in the store checked. */
bool dx_leaf_issuer_missing(const struct dx *x);
enum dx_fault {
	DX_FAULT_NONE,        /* nothing tlsdiag can check is wrong */
	DX_FAULT_DATES,       /* a certificate expired or not yet valid */
	DX_FAULT_INCOMPLETE,  /* the server's intermediate was not sent */
	DX_FAULT_USAGE,       /* (extended) key usage forbids the role */
	DX_FAULT_STRENGTH,    /* a key or signature peers refuse */
	DX_FAULT_NAME         /* the SNI is not in the leaf, or it has no SAN */
};
/* The first fault of the server's (client's) visible chain, in the
 * order peers check; what a generic alert most likely meant. */
enum dx_fault dx_chain_fault(const struct dx *x, bool server);

/* ---- rules_later.c ---- */
bool rule_later_rejected(const struct dx *x, struct finding *f);
/* An evidence line when the CertificateRequest came in a later handshake. */
void dx_later_evidence(const struct dx *x, struct finding *f);

/* ---- rules_reject.c ---- */
bool rule_closed_without_data(const struct dx *x, struct finding *f);
bool rule_server_rejected(const struct dx *x, struct finding *f);
bool rule_client_missing_inferred(const struct dx *x, struct finding *f);
bool rule_client_rejected(const struct dx *x, struct finding *f);

/* ---- rules_starttls.c: the plaintext exchange before TLS (issue 17) ---- */
bool rule_starttls_refused(const struct dx *x, struct finding *f);
bool rule_starttls_not_offered(const struct dx *x, struct finding *f);
bool rule_starttls_not_used(const struct dx *x, struct finding *f);
bool rule_starttls_server_closed(const struct dx *x, struct finding *f);
bool rule_plaintext_after_failure(const struct dx *x, struct finding *f);

/* ---- rules_tcp.c ---- */
bool rule_refused(const struct dx *x, struct finding *f);
bool rule_no_answer(const struct dx *x, struct finding *f);
bool rule_plaintext(const struct dx *x, struct finding *f);
bool rule_not_tls(const struct dx *x, struct finding *f);
bool rule_server_silent(const struct dx *x, struct finding *f);
/* rules_quic.c */
bool rule_quic_no_answer(const struct dx *x, struct finding *f);
bool rule_quic_version_negotiation(const struct dx *x, struct finding *f);
bool rule_quic_transport_error(const struct dx *x, struct finding *f);

/* ---- rules_hello.c ---- */
bool rule_clienthello_blackhole(const struct dx *x, struct finding *f);
/* The path swallowed the client's large first flight (the test of
 * CLIENTHELLO_BLACKHOLE): then the server was not silent by choice, and
 * SERVER_SILENT, whose fix looks at the server, does not apply. */
bool dx_clienthello_blackhole(const struct td_conn *c);
bool rule_hrr(const struct dx *x, struct finding *f);

/* ---- rules_cert.c ---- */
bool rule_server_expired(const struct dx *x, struct finding *f);
bool rule_server_not_yet_valid(const struct dx *x, struct finding *f);
bool rule_client_expired(const struct dx *x, struct finding *f);
bool rule_client_not_yet_valid(const struct dx *x, struct finding *f);
bool rule_chain_incomplete(const struct dx *x, struct finding *f);
bool rule_server_usage(const struct dx *x, struct finding *f);
bool rule_client_usage(const struct dx *x, struct finding *f);
bool rule_no_san(const struct dx *x, struct finding *f);
bool rule_issuer_not_listed(const struct dx *x, struct finding *f);
bool rule_server_not_acceptable(const struct dx *x, struct finding *f);
bool rule_client_not_acceptable(const struct dx *x, struct finding *f);
bool rule_empty_ca_list(const struct dx *x, struct finding *f);
bool rule_expiring_soon(const struct dx *x, struct finding *f);
bool rule_weak_key(const struct dx *x, struct finding *f);
bool rule_weak_signature(const struct dx *x, struct finding *f);

/* ---- rules_app.c: refusals after a complete handshake ---- */
bool rule_app_cert_missing(const struct dx *x, struct finding *f);
bool rule_app_cert_expired(const struct dx *x, struct finding *f);
bool rule_app_cert_untrusted(const struct dx *x, struct finding *f);
bool rule_app_cert_rejected(const struct dx *x, struct finding *f);
/* ---- rules_cipher.c ---- */
/* Why a cipher suite is weak ("no encryption (NULL)", "RC4 ...", ...),
 * judged by its IANA name; NULL when it is not (or is unknown). */
const char *dx_cipher_weakness(uint16_t suite);
/* The ClientHello offers cipher suites and every one is weak. */
bool dx_client_offers_only_weak(const struct td_conn *c);
bool rule_weak_cipher(const struct dx *x, struct finding *f);
#endif
