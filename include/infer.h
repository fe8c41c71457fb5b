/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * infer.h - what an encrypted record most likely is, without keys.
 *
 * In TLS 1.3 every handshake message after the ServerHello travels in a
 * protected record, and without a key log tlsdiag sees only each
 * record's direction, position and length.  These are enough for a good
 * guess: OpenSSL, Go and most stacks put each message in its own record;
 * a Finished is exactly hash length + 4 bytes (plus the inner content type
 * and the AEAD tag); an alert is 2 bytes (plus the same); an empty client
 * Certificate is 8.  td_infer_records() labels each record left encrypted
 * with its most likely content (struct td_event.inferred), always as an
 * inference: writers print the label with the word "inferred".
 *
 * TLS <= 1.2: the first encrypted handshake record after a side's
 * ChangeCipherSpec is its Finished; later ones are a renegotiation.
 */
#ifndef TD_INFER_H
#define TD_INFER_H

#include "conn.h"

/* The labels (static strings; rules compare against them). */
extern const char td_inf_encrypted_extensions[];
extern const char td_inf_cert_request[];
extern const char td_inf_certificate[];
extern const char td_inf_empty_certificate[];
extern const char td_inf_cert_verify[];
extern const char td_inf_finished[];
extern const char td_inf_server_flight[];
extern const char td_inf_server_flight_no_cert[];
extern const char td_inf_alert[];
extern const char td_inf_handshake[];
extern const char td_inf_ticket_or_data[];
extern const char td_inf_app_data[];
extern const char td_inf_renegotiation[];
extern const char td_inf_early_data[];
extern const char td_inf_end_of_early_data[];

/* Label c's encrypted records (events of kind TD_EV_ENCRYPTED) by size
 * and position.  Records a key log decrypted are not touched.  Safe to
 * call more than once. */
void td_infer_records(struct td_conn *c);

/*
 * TLS 1.3 0-RTT (src/tls/early.c): set c->early_data and
 * c->early_inferred from the hellos, EncryptedExtensions (when a key log
 * or QUIC's Handshake packets showed it) and, without it, the client's
 * first record after the server's flight: EndOfEarlyData (4 bytes, plus
 * the inner type and the tag) comes only when the server accepted early
 * data (RFC 8446 4.5), the Finished directly when it did not.  Labels the
 * client's records left encrypted before the ServerHello as early data,
 * and that EndOfEarlyData.  Safe to call more than once (the engine does,
 * for live views and at the end).
 */
void td_early_judge(struct td_conn *c);

/* The first event labelled `label` (pointer comparison) in direction
 * dir at or after index from; -1 if none. */
long td_infer_find(const struct td_conn *c, const char *label, enum td_dir dir, size_t from);

#endif
