/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture.h - where packets come from: a capture file, stdin, or a
 * live interface, through libpcap.
 *
 * The only layer that includes pcap.h (src/capture/capture.c).  It
 * reads pcap and pcapng (and gzip-compressed captures, recognised by
 * their magic bytes, through zlib), applies a BPF filter, maps the
 * capture's link type to enum td_link, and hands every frame to a
 * callback.  Errors come back as a one-line message in err.
 */
#ifndef TD_CAPTURE_H
#define TD_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "packet.h"
#include "pcapng.h"
#include "result.h"

struct td_capture;

/* One frame; data is borrowed for the call. */
typedef void (*td_frame_fn)(void *ctx, enum td_link link, uint64_t ts_us,
			    const uint8_t *data, size_t caplen, size_t wirelen);

/* Open a capture file ("-" for stdin).  TD_ERR_IO (cannot open or read),
 * TD_ERR_MALFORMED (not a capture) or TD_ERR_UNSUPPORTED (a link type
 * tlsdiag does not decode), with err filled. */
enum td_result td_capture_open_file(struct td_capture **out, const char *path,
				    char *err, size_t errlen) TD_MUST_CHECK;

/* The same, handing the key log of every pcapng Decryption Secrets Block
 * (TLS key log type) to fn as the file is read (pcapng.h; fn may be
 * called from td_capture_open_file_secrets() itself, for the blocks
 * before the first interface, and from any call that reads frames, never
 * while a frame is being handed over).  fn NULL: DSBs are only counted. */
enum td_result td_capture_open_file_secrets(struct td_capture **out, const char *path,
					    td_pcapng_secrets_fn fn, void *ctx,
					    char *err, size_t errlen) TD_MUST_CHECK;

/* What the pcapng walker saw of a file so far (all zero for live
 * captures): whether it is pcapng, DSBs handed over, skipped, dropped. */
void td_capture_pcapng_stats(const struct td_capture *c, struct td_pcapng_stats *st);

/* Open a live interface.  snaplen 0 means the default (262144). */
enum td_result td_capture_open_live(struct td_capture **out, const char *iface,
				    int snaplen, bool promisc,
				    char *err, size_t errlen) TD_MUST_CHECK;

/* Compile and set a BPF filter (tcpdump syntax).  TD_ERR_USAGE with err
 * on a bad expression. */
enum td_result td_capture_set_filter(struct td_capture *c, const char *expr,
				     char *err, size_t errlen) TD_MUST_CHECK;

/* Read frames until the end of the file, td_capture_stop(), or an error
 * (TD_ERR_IO with err).  A file cut short in its last frame is not an
 * error: what was read is analysed and err says so (err[0] != 0). */
enum td_result td_capture_run(struct td_capture *c, td_frame_fn fn, void *ctx,
			      char *err, size_t errlen) TD_MUST_CHECK;

/* -w: save every frame read from now on (those the filter lets through)
 * to path, a pcap file of the capture's link type.
 * TD_ERR_IO with err. */
enum td_result td_capture_save_to(struct td_capture *c, const char *path,
				  char *err, size_t errlen) TD_MUST_CHECK;

/* -w as pcapng (SHB, IDB, Enhanced Packet Blocks), for a file that is
 * to carry key log secrets: what td_capture_save_secrets() is given goes
 * in Decryption Secrets Blocks, before the next frame saved (whole lines;
 * a last line without its end at the close).  TD_ERR_IO with err. */
enum td_result td_capture_save_pcapng(struct td_capture *c, const char *path,
				      char *err, size_t errlen) TD_MUST_CHECK;
/* Key log text for the pcapng -w file (nothing when -w is not pcapng);
 * past TD_CAP_SAVE_SECRETS bytes waiting, dropped and counted. */
void td_capture_save_secrets(struct td_capture *c, const char *text, size_t len);
uint64_t td_capture_save_secrets_dropped(const struct td_capture *c);

/* Flush and close the -w file.  TD_ERR_IO with err (naming path) when a
 * write failed at any point; TD_OK when nothing was being saved. */
enum td_result td_capture_save_close(struct td_capture *c, const char *path,
				     char *err, size_t errlen) TD_MUST_CHECK;

/* -D: the interfaces libpcap can capture on, in its order; fn gets a
 * number from 1, the name, the description (NULL when none) and the
 * state in tcpdump -D's words ("Up, Running, Loopback"). */
typedef void (*td_iface_fn)(void *ctx, unsigned n, const char *name, const char *desc,
			    const char *flags);
enum td_result td_capture_list_interfaces(td_iface_fn fn, void *ctx,
					  char *err, size_t errlen) TD_MUST_CHECK;

/* When a capture file ended early, cut short in a frame or damaged so
 * that libpcap could not read past a frame (td_capture_run() and
 * td_capture_dispatch() then return TD_OK with err saying so): libpcap's
 * words for it, valid until td_capture_close().  NULL otherwise. */
const char *td_capture_cut_short(const struct td_capture *c);

/* Ask td_capture_run to return; safe from a signal handler. */
void td_capture_stop(struct td_capture *c);

/* The link type's name, for messages. */
const char *td_capture_link_name(const struct td_capture *c);

/* Frames the kernel dropped (live captures), 0 for files. */
uint64_t td_capture_kernel_drops(struct td_capture *c);

/* ---- non-blocking use (the TUI's poll loop, --replay) ----
 *
 * A caller uses either td_capture_run() or the functions below on one
 * capture, not both.  Frames handed to fn are borrowed for the call, as
 * with td_capture_run(). */

/* The descriptor to poll(2) for readable packets (live captures), or -1
 * for files and platforms without one (then poll with a short timeout). */
int td_capture_fd(struct td_capture *c);

/* Make a live capture's reads non-blocking, so td_capture_dispatch()
 * never waits for a packet.  Nothing to do for files.  TD_ERR_IO with err. */
enum td_result td_capture_set_nonblock(struct td_capture *c, char *err,
				       size_t errlen) TD_MUST_CHECK;

/* Hand at most max frames to fn, only those stamped at or before until_us
 * (UINT64_MAX: any; --replay paces frames with it), without waiting for a
 * live packet once the capture is non-blocking.  A frame read but not yet
 * due is kept for the next call.  *n is the number of frames handed over.
 * A live capture with nothing to read gives fn a clock tick (data NULL)
 * at most every 200 ms, as td_capture_run() does on its timeout.  At the
 * end of a file *eof is set.  Errors are those of td_capture_run(): a file
 * cut short or damaged is TD_OK with *eof set and err saying so (err[0] !=
 * 0); a read error is TD_ERR_IO with err.  err[0] is 0 otherwise. */
enum td_result td_capture_dispatch(struct td_capture *c, size_t max, uint64_t until_us,
				   td_frame_fn fn, void *ctx, size_t *n, bool *eof,
				   char *err, size_t errlen) TD_MUST_CHECK;

/* The timestamp of the next frame, read ahead without handing it over
 * (td_capture_dispatch() delivers it next).  TD_OK with *ts_us; TD_SKIP
 * when there is none now (end of a file, or no live packet waiting);
 * TD_ERR_IO with err on a read error (a file cut short is TD_SKIP, and
 * the following td_capture_dispatch() reports it). */
enum td_result td_capture_next_ts(struct td_capture *c, uint64_t *ts_us,
				  char *err, size_t errlen) TD_MUST_CHECK;

/* pcap_stats(3PCAP) of a live capture: packets the kernel received and
 * dropped (ps_drop + ps_ifdrop).  False for files or when unavailable. */
bool td_capture_stats(struct td_capture *c, uint64_t *received, uint64_t *dropped);

/* ---- --workers: one flow hash group of captures (Linux) ----
 *
 * Join c, a live capture just opened (td_capture_open_live), to the
 * packet fanout group `group` (PACKET_FANOUT with PACKET_FANOUT_HASH,
 * packet(7)): every capture of the group is one more member, and the
 * kernel hands each packet of the interface to one member, chosen by its
 * flow hash.  That hash is symmetric (__skb_get_hash_symmetric(): the
 * flow dissector's addresses and ports are put in a fixed order before
 * hashing, since Linux 4.7, 4.6.5 and 4.4.16), so both directions of a
 * TCP or UDP flow reach the same member.  No PACKET_FANOUT_FLAG_DEFRAG:
 * the engine skips IP fragments (one is not a whole segment), and with
 * the flag the members would see reassembled datagrams one capture never
 * sees.  Packets that reached c before it joined (it saw the whole
 * interface until then) are the caller's to skip: they are stamped
 * before the moment the last member joined.  TD_ERR_UNSUPPORTED with err
 * on a system without packet fanout or for a file; TD_ERR_IO with err
 * when the kernel refuses. */
enum td_result td_capture_join_fanout(struct td_capture *c, uint16_t group,
				      char *err, size_t errlen) TD_MUST_CHECK;

/* ---- least privilege (src/capture/privdrop.c) ---- */

/* The user -Z defaults to, as tcpdump drops to its own unprivileged user. */
#define TD_PRIVDROP_DEFAULT_USER "nobody"

/* Drop root for good to user: supplementary groups (initgroups), then
 * the real, effective and saved group and user ids (setresgid,
 * setresuid), each checked; then verify that root cannot be regained.
 * Call it after opening the capture, key logs and trust stores and before
 * the first packet is parsed.  TD_ERR_USAGE with err for an unknown user
 * (checked first, root or not).  Not running as root: nothing is changed,
 * TD_OK, and note says so.  user "root" (uid 0): TD_OK with a note, root
 * kept as asked.  TD_ERR_IO
 * with err when a call fails (the process must then stop: it may be
 * half-dropped).  note and err may be the same buffer; note[0] is 0 when
 * there is nothing to say. */
enum td_result td_privdrop(const char *user, char *note, size_t notelen,
			   char *err, size_t errlen) TD_MUST_CHECK;

/* ---- the sandbox (src/capture/sandbox.c) ---- */

/* Drop every capability from the bounding set, so that no execve() can
 * hand one back.  Needs CAP_SETPCAP: call it as root before td_privdrop()
 * (td_sandbox_enter() tries again).  False when some could not be
 * dropped (EPERM). */
bool td_caps_drop_bounding(void);

struct td_sandbox_opts {
	bool keep_caps;   /* -Z root: root stays, and so do its capabilities */
	bool seccomp;     /* install the system call filter (not --no-seccomp) */
};

/* Lock the process down once the interface and every file are open and
 * privileges are dropped (td_privdrop()), before the first packet is
 * parsed: clear the ambient, bounding (where permitted), inheritable,
 * permitted and effective capability sets and verify they are empty;
 * set no_new_privs; and, when o->seccomp and tlsdiag was built with
 * libseccomp, install a filter that allows only the system calls of the
 * capture loop, the reports and the live view (others: a message naming
 * the call on stderr, and exit status 2).  note says what could not be
 * done and did not need to be (no libseccomp; the bounding set without
 * CAP_SETPCAP), note[0] == 0 otherwise.  TD_ERR_IO with err when a step
 * failed: the process must then stop. */
enum td_result td_sandbox_enter(const struct td_sandbox_opts *o, char *note, size_t notelen,
				char *err, size_t errlen) TD_MUST_CHECK;

/* Was tlsdiag built with libseccomp? */
bool td_sandbox_has_seccomp(void);

void td_capture_close(struct td_capture *c);

#endif
