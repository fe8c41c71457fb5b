/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ecsconn.h - the certificate parts of an ECS record (ecs_x509.c; the
 * record and its field list are in ecs.c's opening comment).
 *
 * Each function writes members, key and value, of the object being
 * written on w, straight from the model, which is borrowed for the call.
 * Nothing fails: the writer notes misuse and the FILE its errors
 * (jsonw.h); what memory cannot be had for is left out.
 */
#ifndef TD_ECSCONN_H
#define TD_ECSCONN_H

#include "conn.h"
#include "jsonw.h"

/* "x509": {...} of ECS's x509 field set for cert (a chain's leaf):
 * subject and issuer (distinguished_name and their attributes),
 * alternative_names, not_before, not_after, public_key_algorithm,
 * public_key_curve, public_key_size, serial_number, signature_algorithm;
 * each only when known. */
void td_ecs_x509(struct td_jsonw *w, const struct td_cert *cert);

/* "certificate_chain": [base64 DER, leaf first], only when every
 * certificate of ch has its DER (not after --redact rewrote one). */
void td_ecs_chain(struct td_jsonw *w, const struct td_chain *ch);

/* "hash": {"sha256": uppercase hex of the leaf's DER}, when known. */
void td_ecs_hash(struct td_jsonw *w, const struct td_cert *cert);

#endif
