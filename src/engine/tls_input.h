/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tls_input.h - the seam between a transport and the TLS layer
 * (records.c), inside the engine.
 *
 * The TLS layer takes its bytes from "a stream of one direction of one
 * connection": a flow (flow.h) and which of its two sides sends.  A
 * transport owns how the bytes get there (segments, sequence numbers,
 * retransmissions, loss, the protocol around TLS) and hands over what it
 * has, in order, in pieces of any size; it says when bytes were lost and
 * when the connection is over.  The TLS layer knows nothing of the
 * transport: no segments, no ports, no flags.  Adding a transport adds
 * its own room (a folder, or a file of the engine), not a branch in the
 * record or handshake decoders.
 *
 * Sides, not directions: which side is the client may only be learnt
 * from the bytes (the ClientHello), and the TLS layer then flips the
 * roles (td_fl_set_client); a transport numbers the sides as it likes
 * (TCP: side 0 sent the first packet seen).
 *
 * Time: every event is stamped with the engine's clock (f->eng->now_us),
 * which the transport has set to the capture time of the packet that
 * made the bytes available.
 *
 * TCP, today (engine.c): td_reasm delivers each side's bytes in order
 * (td_tls_in_records) and reports holes (td_tls_in_gap, after recording
 * the gap itself: TD_EV_TCP_GAP is the transport's event); when the flow
 * ends, the reassemblers are flushed and td_tls_in_end called once.
 *
 * STARTTLS, later (SMTP RFC 3207, IMAP and POP3 RFC 2595, LDAP RFC 4511
 * 4.14, PostgreSQL's SSLRequest...): the plaintext preamble up to the
 * server's go-ahead ("220 Ready to start TLS") is the transport's to
 * read, in a room of its own over the reassembled TCP bytes; from the
 * first byte after the go-ahead, in each direction, it hands the rest to
 * td_tls_in_records exactly as TCP does.  Today the record layer scans
 * past a preamble it does not know (tls_record.h) and reports the
 * skipped bytes as cleartext; with a STARTTLS transport it would start
 * at the right offset and the preamble would become that room's facts.
 *
 * QUIC, later (RFC 9000 19.6, RFC 9001 4): there is no TLS record
 * layer.  The handshake messages travel in CRYPTO frames, one byte
 * stream per encryption level (Initial, Handshake, 1-RTT) and direction,
 * each from offset 0, protected by QUIC packet protection rather than by
 * TLS records; TLS alerts become QUIC CONNECTION_CLOSE frames (error
 * 0x0100 + the alert, RFC 9001 4.8).  A QUIC room (packets, Initial keys
 * from the client's Destination Connection ID, CRYPTO frame reassembly by
 * offset) would hand each level's in-order CRYPTO bytes to a second
 * entry beside td_tls_in_records:
 *
 *   void td_tls_in_handshake(struct flow *f, int side, enum level level,
 *                            const uint8_t *data, size_t len);
 *
 * feeding the side's handshake message joiner (td_hs_reasm) directly,
 * the way a decrypted handshake record is fed now (records.c decode()),
 * past td_tls_stream (no records to frame) and td_fl_open (no record
 * protection); the level says whether the messages count as protected
 * for the timeline, and a change of level resets the joiner (a message
 * may not span a key change, RFC 8446 5.1).  An alert from
 * CONNECTION_CLOSE would take a third entry that records the alert
 * event as records.c does for an alert record.  Gaps and the end are as
 * for TCP.  quic_in.c does this (issue 16): td_tls_in_handshake below,
 * for the Initial level and, with a key log, the Handshake and 1-RTT
 * levels (decrypted); one joiner per side serves every level, which
 * holds as long as each level's messages end before the next level's
 * start (they do: the ServerHello is the server's last Initial message).
 * The alert of a CONNECTION_CLOSE is put in the timeline by quic_in.c
 * itself, as records.c does for an alert record.
 */
#ifndef TD_ENGINE_TLS_INPUT_H
#define TD_ENGINE_TLS_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* TLS records as they are on the wire, the next len bytes of `side`'s
 * stream (any cut: a record split over calls, several in one).  data is
 * borrowed for the call.  Decodes every whole record into f->conn, then
 * tells the sink if the connection changed (td_fl_notify).  What memory
 * refuses is dropped and said on the connection; the stream then looks
 * for the next record boundary, as after a gap. */
void td_tls_in_records(struct flow *f, int side, const uint8_t *data, size_t len);

/* Handshake messages without records (QUIC's CRYPTO frames, in offset
 * order): the next len bytes of `side`'s handshake stream, any cut,
 * into the side's message joiner and the connection model, as a
 * handshake record's body would be; decrypted when they were opened
 * with a key log's secrets (QUIC's Handshake level), which marks their
 * events and the connection as a decrypted record's.  data is borrowed
 * for the call. */
void td_tls_in_handshake(struct flow *f, int side, const uint8_t *data, size_t len,
			 bool decrypted);

/* Bytes of `side`'s stream were lost: drop the partial record and
 * handshake message, and look for the next record boundary. */
void td_tls_in_gap(struct flow *f, int side);

/* No more bytes in either direction: a side still waiting for its key
 * log secret has a last look, and what it held is replayed (decrypted or
 * not); then the sink hears of the change.  Call once, after the
 * transport has delivered all it had. */
void td_tls_in_end(struct flow *f);

#endif
