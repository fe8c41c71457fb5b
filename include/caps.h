/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * caps.h - every limit that input can push against, in one place.
 *
 * tlsdiag reads hostile bytes; each resource the input controls has a
 * named cap here.  The ones a user may want to change are options
 * (struct td_config in engine.h, documented in --help and tlsdiag(1));
 * the others are protocol limits.  Whatever a cap drops is counted and
 * reported, never silently.
 */
#ifndef TD_CAPS_H
#define TD_CAPS_H

/* TLS record body: 2^14 + 2048 (RFC 5246 6.2.3, the largest ciphertext). */
#define TD_CAP_RECORD            (16384u + 2048u)
/* One reassembled handshake message (a Certificate with a long chain). */
#define TD_CAP_HS_MESSAGE        (256u * 1024u)
/* A CompressedCertificate (RFC 8879) is decompressed only when its
 * uncompressed_length is at most this: the protocol allows 2^24 - 1, but
 * a certificate chain above 256 KiB is an anomaly here (and could not
 * pass as a Certificate message, TD_CAP_HS_MESSAGE, either).  Larger
 * declarations are refused before anything is allocated. */
#define TD_CAP_CERT_DECOMPRESSED TD_CAP_HS_MESSAGE
/* The working memory one certificate decompressor may hold besides its
 * output: zlib's 32 KiB window, brotli's ring buffer (as large as the
 * output for a one-block stream, up to 16 MiB for a hostile one), zstd's
 * context (about 160 KiB).  Past it the stream is refused. */
#define TD_CAP_DECOMPRESS_STATE  (1024u * 1024u)
/* Certificates kept per chain; further ones are counted as dropped. */
#define TD_CAP_CHAIN             16u
/* Distinguished names kept from one CertificateRequest. */
#define TD_CAP_CA_NAMES          128u
/* Items kept per list in a hello (cipher suites, extensions, groups...). */
#define TD_CAP_LIST              512u
/* Timeline events kept per connection. */
#define TD_CAP_EVENTS            256u
/* Anomalies kept per connection. */
#define TD_CAP_ANOMALIES         32u
/* Length of a string kept from the wire (SNI, ALPN, names), in bytes. */
#define TD_CAP_STRING            1024u
/* Bytes scanned to find a record boundary in a stream picked up mid-way. */
#define TD_CAP_RESYNC_SCAN       (64u * 1024u)

/* QUIC (quic.h): CRYPTO bytes held past a hole per stream (a direction
 * at one encryption level); beyond them bytes are dropped and counted as
 * an anomaly.  A ClientHello with a post-quantum key share is about 2 KB,
 * a server's Handshake flight with its chain some 10 KB. */
#define TD_CAP_QUIC_CRYPTO_AHEAD (64u * 1024u)
/* QUIC packets of each direction put in the timeline (long headers; the
 * first short-header packet of each direction is always there). */
#define TD_CAP_QUIC_EVENTS       24u
/* QUIC transport parameters kept per hello (RFC 9000 18.2 defines 17,
 * extensions and GREASE add a few; the rest are counted). */
#define TD_CAP_QUIC_TP           32u

/* STARTTLS (starttls.h): plaintext bytes read per direction before the
 * upgrade (past them the recogniser stops: the rest of the flow is
 * dropped and counted, never buffered: a peer talking forever in
 * plaintext costs nothing more); bytes of one line or message kept (a
 * longer one is cut, the rest counted); steps put in the timeline per
 * connection (the rest counted). */
#define TD_CAP_STLS_PREAMBLE     (16u * 1024u)
#define TD_CAP_STLS_LINE         512u
#define TD_CAP_STLS_STEPS        40u

/* Server ports whose TCP connections without TLS are counted for the
 * summary (sink.h: td_tcp_port); connections to further ports are
 * counted together, not per port. */
#define TD_CAP_TCP_PORTS         64u

/* Key log entries (label + client random + secret) kept; more are counted as dropped. */
#define TD_CAP_KEYLOG_ENTRIES    65536u
/* pcapng Decryption Secrets Blocks (pcapng.h): the body of one DSB kept
 * to read its key log (a full key log of TD_CAP_KEYLOG_ENTRIES lines of
 * about 200 bytes fits); larger DSBs are skipped and counted.  -w: key
 * log text waiting to be written as a DSB before the next packet. */
#define TD_CAP_DSB_BYTES         (16u * 1024u * 1024u)
#define TD_CAP_SAVE_SECRETS      (16u * 1024u * 1024u)
/* Live captures: protected bytes held per direction while its secret has
 * not reached the key log yet (replayed once it has). */
#define TD_CAP_HELD_RECORDS      (64u * 1024u)

/* Application records decrypted per direction after the handshake
 * (decrypt.c): enough for a request line, a status line and its error
 * page, the first HTTP/2 frames, a PostgreSQL StartupMessage or
 * ErrorResponse.  Past them a side only opens the records that may be
 * alerts; bulk data is never decrypted. */
#define TD_CAP_APP_RECORDS       4u
/* Decrypted application bytes kept per direction for the application
 * recognisers (app.h); the buffer is freed once the direction is done. */
#define TD_CAP_APP_BYTES         8192u
/* Application messages (timeline events) recognised per direction. */
#define TD_CAP_APP_MESSAGES      4u

/* Original values (addresses, names) one --redact run maps to stable
 * pseudonyms; past it each new value gets a fixed placeholder. */
#define TD_CAP_REDACT_VALUES     16384u

/* The live view (tui.h): connections kept (the oldest row goes first,
 * counted); bytes of connection copies kept (past it the oldest finished
 * rows lose their details, counted); redraws per second at most. */
#define TD_TUI_MAX_ROWS          10000u
#define TD_TUI_MAX_BYTES         (128u * 1024u * 1024u)
#define TD_TUI_FPS               20u

/* Defaults of the caps that are options. */
#define TD_DEFAULT_FLOW_BUFFER   (256u * 1024u)        /* out-of-order bytes per direction */
/* Together about 256 MiB at most: 32768 flows of about 4 KiB of state
 * each (the flow, its connection model and timeline; measured 4.2 KiB for
 * a TCP SYN, 5.3 KiB for a QUIC client Initial), plus 128 MiB of
 * buffered bytes and certificate copies. */
#define TD_DEFAULT_MAX_MEMORY    (128u * 1024u * 1024u) /* buffered bytes and certificates, all flows */
#define TD_DEFAULT_MAX_FLOWS     32768u                 /* flows tracked at once */
#define TD_DEFAULT_IDLE_TIMEOUT  120u                   /* seconds without a packet */

#endif
