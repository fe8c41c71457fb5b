/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * anomaly.h - named malformations and oddities of a connection, as data.
 *
 * Each anomaly is a code from the X-macro list below and its arguments:
 * the direction it concerns, one number and at most two short strings.
 * The message people read is built from the code's template when it is
 * printed (td_anomaly_format), so scripts and the diagnosis rules match
 * the code, never the words.  JSON writes the code in lower_snake case
 * (td_anomaly_name, "non_tls_bytes") beside the message.
 *
 * A template holds plain text and these placeholders, in any order:
 *   %p   the party of the anomaly's direction: "client" or "server"
 *   %u   the number (decimal)
 *   %s   the next string argument (the first %s is str[0], then str[1])
 *   %%   a percent sign
 * A template has at most two %s; unit tests check every template.
 *
 * The list: X(CODE, "name", severity, "template"); the severity (enum
 * td_severity) is read through td_anomaly_severity() of conn.h.  Codes are stable:
 * add new ones, never rename one (scripts match the name).
 */
#ifndef TD_ANOMALY_H
#define TD_ANOMALY_H

#include <stddef.h>
#include <stdint.h>
#include "result.h"

#define TD_ANOMALIES(X) \
	/* A decoder gave up: str[0] what it decoded, str[1] why (td_result_str). */ \
	X(TD_AN_MALFORMED, "malformed", TD_SEV_ERROR, "%s from the %p: %s") \
	X(TD_AN_CLIENT_ALERT_AFTER_HANDSHAKE, "client_alert_after_handshake", TD_SEV_WARNING, \
	  "the client sent an alert right after the handshake, before any application data") \
	/* The same, for TLS 1.3 without a key log: the alert is a guess. */ \
	X(TD_AN_CLIENT_ALERT_AFTER_HANDSHAKE_INFERRED, "client_alert_after_handshake_inferred", \
	  TD_SEV_WARNING, "the client sent an alert right after the handshake, before any " \
	  "application data (inferred from record sizes)") \
	/* Bytes that are not TLS (num of them; str[0] their start, sanitized). */ \
	X(TD_AN_NON_TLS_BYTES, "non_tls_bytes", TD_SEV_WARNING, \
	  "the %p sent %u bytes that are not TLS: \"%s\"") \
	/* The same, followed by TLS (a plaintext preamble, a stray byte...). */ \
	X(TD_AN_NON_TLS_BEFORE_TLS, "non_tls_before_tls", TD_SEV_WARNING, \
	  "the %p sent %u bytes that are not TLS before TLS started: \"%s\"") \
	/* A record header announced more than num (TD_CAP_RECORD) bytes. */ \
	X(TD_AN_RECORD_TOO_LONG, "record_too_long", TD_SEV_ERROR, \
	  "the %p sent a record longer than %u bytes") \
	/* A record of an unknown content type num. */ \
	X(TD_AN_UNKNOWN_CONTENT_TYPE, "unknown_content_type", TD_SEV_WARNING, \
	  "record of content type %u from the %p") \
	X(TD_AN_FLOW_TABLE_FULL, "flow_table_full", TD_SEV_WARNING, \
	  "the flow table was full (--max-flows): this flow was dropped") \
	X(TD_AN_IDLE_TIMEOUT, "idle_timeout", TD_SEV_INFO, \
	  "no packet for the idle timeout (--idle-timeout)") \
	X(TD_AN_MEMORY_CAP, "memory_cap", TD_SEV_WARNING, \
	  "memory cap (--max-memory) reached: bytes from the %p dropped") \
	X(TD_AN_OUT_OF_MEMORY, "out_of_memory", TD_SEV_WARNING, \
	  "out of memory: bytes from the %p dropped") \
	/* str[0] the version's name, str[1] the suite's. */ \
	X(TD_AN_KEYLOG_UNSUPPORTED, "keylog_unsupported", TD_SEV_INFO, \
	  "key log: tlsdiag cannot decrypt %s records of suite %s") \
	X(TD_AN_KEYLOG_SECRET_LATE, "keylog_secret_late", TD_SEV_INFO, \
	  "key log: no secret for the %p's records arrived in time; they stay encrypted") \
	X(TD_AN_KEYLOG_SECRET_MISSING, "keylog_secret_missing", TD_SEV_INFO, \
	  "key log: no secret for the %p's records") \
	X(TD_AN_KEYLOG_MISMATCH, "keylog_mismatch", TD_SEV_WARNING, \
	  "key log entry does not match this connection: a record from the %p did not decrypt") \
	/* QUIC: CRYPTO bytes past TD_CAP_QUIC_CRYPTO_AHEAD (num) beyond a hole. */ \
	X(TD_AN_QUIC_CRYPTO_CAP, "quic_crypto_cap", TD_SEV_WARNING, \
	  "QUIC CRYPTO frames from the %p ran more than %u bytes past a hole: bytes dropped") \
	/* QUIC: a Retry whose integrity tag does not match the client's DCID. */ \
	X(TD_AN_QUIC_BAD_RETRY, "quic_bad_retry", TD_SEV_WARNING, \
	  "a QUIC Retry from the %p with a wrong integrity tag was ignored") \
	/* A CompressedCertificate (RFC 8879) that did not decompress to its \
	 * declared length: str[0] the algorithm, str[1] what went wrong \
	 * (decomp.h's faults); num the declared uncompressed_length. */ \
	X(TD_AN_CERT_DECOMPRESSION, "cert_decompression", TD_SEV_ERROR, \
	  "the %p's compressed certificate (%s, declaring %u bytes): %s")

#define TD_AN_ENUM(code, name, sev, tmpl) code,
enum td_anomaly_code {
	TD_ANOMALIES(TD_AN_ENUM)
	TD_AN_COUNT
};
#undef TD_AN_ENUM

/* The longest message, with its NUL: longer ones are cut (as snprintf). */
#define TD_ANOMALY_TEXT 256u

struct td_anomaly {
	enum td_anomaly_code code;
	uint8_t dir;        /* enum td_dir (conn.h) of %p; 0 when the template has none */
	uint64_t num;       /* %u; 0 when the template has none */
	char *str[2];       /* owned, sanitized (text.h) strings for %s, or NULL */
	uint16_t end;       /* template bytes used, 0: all.  A message longer
			       than TD_ANOMALY_TEXT - 1 bytes is cut there when
			       recorded: the string that crosses the limit is
			       cut and the template ends after it (or inside
			       the text that crosses it), so that a redacted
			       string still ends the message as it did */
};

/* What a connection keeps: at most TD_CAP_ANOMALIES, the rest counted. */
struct td_anomalies {
	struct td_anomaly *v;
	size_t n, alloc;
	size_t dropped;     /* anomalies past TD_CAP_ANOMALIES */
};

/* The code's stable lower_snake name ("non_tls_bytes"); "unknown" out of range. */
const char *td_anomaly_name(enum td_anomaly_code code);
/* The code's message template (above), NULL out of range. */
const char *td_anomaly_template(enum td_anomaly_code code);

/* The message: the template (up to a->end) filled with a's arguments,
 * NUL-terminated in buf and cut at len - 1 bytes as snprintf would.
 * Returns the message's whole length, as snprintf does.  As recorded it
 * is under TD_ANOMALY_TEXT bytes; redaction may lengthen its strings
 * (TD_ANOMALY_SHOWN is room enough for any that people read). */
size_t td_anomaly_format(const struct td_anomaly *a, char *buf, size_t len);
#define TD_ANOMALY_SHOWN 4096u

/* Append an anomaly (the strings are copied, NULL is kept as NULL; the
 * message is cut at TD_ANOMALY_TEXT - 1 bytes, see end).  Past
 * TD_CAP_ANOMALIES it is counted in dropped and TD_OK returned. */
enum td_result td_anomalies_add(struct td_anomalies *l, enum td_anomaly_code code, uint8_t dir,
				uint64_t num, const char *s0, const char *s1) TD_MUST_CHECK;
/* A deep copy into dst (overwritten); TD_ERR_NOMEM leaves dst empty. */
enum td_result td_anomalies_copy(struct td_anomalies *dst,
				 const struct td_anomalies *src) TD_MUST_CHECK;
void td_anomalies_cleanup(struct td_anomalies *l);

#endif
