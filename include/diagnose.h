/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * diagnose.h - why a handshake failed, who gave up, and what to change.
 *
 * The diagnosis stage sits between the connection model and the sinks:
 * the engine hands each finished connection to td_diagnose(), which
 * runs a table of rules (src/diagnose/rules.c) over the model and its
 * anomalies and appends struct td_diagnosis entries to the connection
 * (conn.h): the first error is the root cause, the rest support it or
 * are secondary, warnings and information last.
 *
 * A diagnoser also remembers, per server endpoint, what earlier
 * connections of the capture showed (the versions and suites it chose,
 * the intermediates it sent), so that a failure can be explained by a
 * success elsewhere in the same capture.
 *
 * Trust stores (--ca-file, --ca-path, --client-ca-file, the system
 * bundle) validate chains passively through the x509 layer; without a
 * usable store, validation is skipped and td_diagnoser_note() says so.
 */
#ifndef TD_DIAGNOSE_H
#define TD_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "conn.h"
#include "result.h"

struct td_diag_opts {
	const char *ca_file;        /* the client's trust store (PEM bundle) */
	const char *ca_path;        /* ...or a directory of PEM certificates */
	bool no_system_store;       /* do not load the system bundle by default */
	const char *client_ca_file; /* the server's store for client certificates */
	int64_t at;                 /* validation time (epoch seconds); 0: capture time */
	/* --redact: also judge which CAs are public, i.e. known to the
	 * system bundle whatever the stores above are (conn.h:
	 * td_chain.public_ca...; redact.h).  The bundle is loaded for it
	 * even with --ca-file or no_system_store; without it, no CA is. */
	bool judge_public_cas;
	/* A key log was given (-k): a fix never says "run with a key log";
	 * where what is encrypted stayed so, it says the key log has no
	 * secrets for the connection. */
	bool keylog_given;
};

struct td_diagnoser;

/* A new diagnoser.  TD_ERR_IO with err when a named store cannot be
 * read (a store that is merely absent by default is not an error). */
enum td_result td_diagnoser_new(struct td_diagnoser **out, const struct td_diag_opts *opts,
				char *err, size_t errlen) TD_MUST_CHECK;
void td_diagnoser_free(struct td_diagnoser *d);
/* A key log became available during the run (pcapng Decryption Secrets
 * Blocks): td_diag_opts.keylog_given from now on. */
void td_diagnoser_set_keylog_given(struct td_diagnoser *d, bool given);

/* Diagnose c: judge its fate (td_fate_judge(c, true)) for the rules,
 * append its diagnoses (c->diags), complete its fate with them
 * (td_fate_with_diagnoses()), then remember what it
 * teaches about its server.  TD_ERR_NOMEM only (the fate is judged
 * whatever happens). */
enum td_result td_diagnose(struct td_diagnoser *d, struct td_conn *c) TD_MUST_CHECK;

/*
 * Decide c->fate (conn.h: the one definition of the outcome, the end
 * event, who ended it, the root diagnosis) from the connection alone:
 * its timeline, the engine's facts (handshake_done,
 * client_quit_after_handshake, side[].fin/rst, cleartext, stop) and its
 * diagnoses.  final: the engine is done with c (conn_done); false for a
 * live update (conn_update).  Cheap (one pass over the timeline) and
 * idempotent: calling it again after a change gives the fate of the
 * changed connection.  Never fails.
 */
void td_fate_judge(struct td_conn *c, bool final);
/* The part of c->fate its diagnoses decide (the root diagnosis; a
 * stopped handshake with an error diagnosis is FAILED), once they are
 * appended: the same as td_fate_judge() again, without the pass over
 * the timeline.  td_fate_judge() if c was never judged. */
void td_fate_with_diagnoses(struct td_conn *c);
/* A later handshake (renegotiation, TLS 1.3 post-handshake
 * authentication) that an alert stopped: the engine saw one begin and not
 * finish (conn.h, later_unfinished) and an alert came after its first
 * entry (a fatal one read, or one that could not be read answering the
 * peer's last message of it).  True, with
 * that alert's timeline index in *alert when alert is not NULL.  The fate
 * counts such a connection failed; CLIENT_CERT_REJECTED reads it. */
bool td_fate_later_failed(const struct td_conn *c, size_t *alert);

/* QUIC without keys (fate.c says why each sign holds): the handshake
 * completed, known by the order of the 1-RTT packets (the engine sets
 * handshake_done from it); or the client refused the server, known by
 * its Handshake packets alone and its silence (td_fate.quic_refused);
 * or the server refused the client's flight, known by its Handshake
 * packets after the client's 1-RTT ones (td_fate.quic_server_refused).
 * False for a TCP connection. */
bool td_fate_quic_completed(const struct td_conn *c);
bool td_fate_quic_refused(const struct td_conn *c);
bool td_fate_quic_server_refused(const struct td_conn *c);
/* RFC 9000 20.1's name of a QUIC transport error code ("PROTOCOL_VIOLATION"),
 * NULL for a code past the table (crypto errors are TLS alerts). */
const char *td_quic_transport_error_name(uint64_t code);

/* A note for the report about what could not be checked (no trust
 * store...), or NULL. */
const char *td_diagnoser_note(const struct td_diagnoser *d);

#endif
