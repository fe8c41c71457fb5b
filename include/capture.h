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

/* Ask td_capture_run to return; safe from a signal handler. */
void td_capture_stop(struct td_capture *c);

/* The link type's name, for messages. */
const char *td_capture_link_name(const struct td_capture *c);

/* Frames the kernel dropped (live captures), 0 for files. */
uint64_t td_capture_kernel_drops(struct td_capture *c);

void td_capture_close(struct td_capture *c);

#endif
