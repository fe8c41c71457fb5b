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
#include "verify.h"

#define FINDING_TEXT 512
#define FINDING_EVIDENCE 8

/* What earlier connections of the capture showed about one server. */
struct server_memory {
	uint16_t version;          /* last version it negotiated, 0 if none */
	uint16_t cipher;           /* last suite it chose */
	char *intermediate_subject;/* an intermediate it sent, owned, or NULL */
};

/* One connection, with facts every rule needs. */
struct dx {
	const struct td_conn *c;
	const struct server_memory *mem;       /* NULL when nothing is known */
	const struct td_chain_check *server_check; /* NULL: not validated */
	const struct td_chain_check *client_check;
	bool explicit_store;                   /* --ca-file/--ca-path given (not the system bundle) */
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
	char summary[FINDING_TEXT];
	char fix[FINDING_TEXT];
	char evidence[FINDING_EVIDENCE][FINDING_TEXT];
	size_t n_evidence;
	size_t events[TD_DIAG_EVENTS];
	size_t n_events;
};

typedef bool (*rule_fn)(const struct dx *x, struct finding *f);

struct rule {
	const char *code;
	rule_fn fn;
	bool fallback;  /* only when no earlier rule found an error */
};

/* The table, in order of precedence, and its length. */
extern const struct rule td_rules[];
extern const size_t td_rules_count;

/* Helpers for rules (rules.c). */
void finding_evidence(struct finding *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void finding_event(struct finding *f, size_t idx);

#endif
