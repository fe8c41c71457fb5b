/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.c - the tlsdiag command line: --help, and parsing every option
 * into struct options (options.h) with a one-line error for bad input.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_MIMALLOC
#include <mimalloc.h>
#endif

#include "caps.h"
#include "options.h"
#include "tui.h"

/* The version, and the allocator when it is not the C library's: it
 * changes how fast tlsdiag runs (configure.ac, --without-mimalloc). */
static void print_version(void)
{
#ifdef HAVE_MIMALLOC
	int v = mi_version();
	printf("tlsdiag %s (malloc: mimalloc %d.%d.%d)\n", PACKAGE_VERSION, v / 100,
	       v / 10 % 10, v % 10);
#else
	printf("tlsdiag %s\n", PACKAGE_VERSION);
#endif
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: tlsdiag [options] -r FILE [expression]\n"
"       tlsdiag [options] -i INTERFACE [expression]\n"
"\n"
"Passive TLS and mutual-TLS handshake analyzer: reads packets, reassembles\n"
"TCP, decodes TLS handshakes, certificates and alerts, and reports every\n"
"TLS connection.  The optional expression is a BPF filter, as for tcpdump.\n"
"\n"
"Input:\n"
"  -r, --read FILE          read a pcap or pcapng file (gzip allowed); - is stdin\n"
"  -i, --interface IFACE    capture live on IFACE (needs CAP_NET_RAW)\n"
"  -s, --snaplen BYTES      live capture: bytes kept per packet (default 262144)\n"
"  -p, --no-promiscuous     live capture: do not put the interface in promiscuous mode\n"
"  -k, --keylog FILE        NSS key log (SSLKEYLOGFILE) to decrypt handshakes; live,\n"
"                           re-read as it grows; repeatable\n"
"  -Z, --relinquish-privileges USER\n"
"                           as root, drop to USER once the interface and the files\n"
"                           are open, before any packet is parsed (default for -i:\n"
"                           %s; with -r only when given)\n"
"\n"
"Output:\n"
"      --tui                the live full-screen view (default for -i on a terminal\n"
"                           when no -o is given); with -r: over the capture\n"
"      --no-tui             stream the text, JSON or Markdown report instead\n"
"      --replay             with -r: the view at the capture's own pace\n"
"      --force              the view's s key may replace an earlier tlsdiag-conn-ID.md\n"
"                           (without it a new name is chosen: nothing is overwritten)\n"
"  -o, --output FORMAT      text (default), json (JSON Lines, one object per connection)\n"
"                           or markdown (a bug report with sequence diagrams)\n"
"      --all                markdown: details of every connection, not only failures\n"
"      --redact[=all]       replace addresses, host names, SNI and end-entity certificate\n"
"                           names by stable pseudonyms (=all: CA names too)\n"
"      --only-failed        report only failed or incomplete connections, or with errors\n"
"      --color=WHEN         auto (default: on a terminal), always or never\n"
"  -v, --verbose            text: list every suite, extension and group\n"
"\n"
"Diagnoses (each failed handshake: why, who gave up, what to change):\n"
"      --ca-file FILE       the client's trust store (PEM) for server chains;\n"
"                           default: the system bundle\n"
"      --ca-path DIR        ...or a directory of PEM certificates\n"
"      --no-system-ca       do not validate server chains against the system bundle\n"
"      --client-ca-file FILE  the server's store (PEM) for client chains\n"
"      --at TIME            judge validity at TIME (2024-02-29T18:40:22Z or epoch\n"
"                           seconds) instead of each handshake's capture time\n"
"      --port PORT          a TLS port: refused, unanswered or cleartext connections\n"
"                           to it are reported too (443, 8443 and other well-known\n"
"                           TLS ports, and ports with TLS in the capture, always are)\n"
"\n"
"Limits (every drop is counted and reported):\n"
"      --max-flows N        TCP flows tracked at once (default %u);\n"
"                           the least recently used is dropped when full\n"
"      --flow-buffer BYTES  out-of-order bytes buffered per direction (default %u)\n"
"      --max-memory BYTES   bytes buffered in all flows: segments, partial records,\n"
"                           certificates (default %u)\n"
"      --idle-timeout SECS  report and drop a flow silent this long (default %u)\n"
"  BYTES take a k, M or G suffix.\n"
"\n"
"  -h, --help               this help\n"
"  -V, --version            the version\n"
"\n"
"Exit status: 0 when no handshake has an error diagnosis, 1 when one has,\n"
"2 on a usage or input error.\n"
"Examples:\n"
"  tlsdiag -r capture.pcap\n"
"  tlsdiag -r capture.pcap -o json 'port 8443'\n"
"  tlsdiag -i eth0 port 8443                (the live view; q quits)\n"
"  tlsdiag -r capture.pcap --tui --replay\n"
"  tcpdump -i any -w - 'port 443' | tlsdiag -r -\n"
"See tlsdiag(1).\n",
		TD_PRIVDROP_DEFAULT_USER, TD_DEFAULT_MAX_FLOWS, TD_DEFAULT_FLOW_BUFFER, TD_DEFAULT_MAX_MEMORY,
		TD_DEFAULT_IDLE_TIMEOUT);
}

static int fail_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tlsdiag: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(" (see tlsdiag --help)\n", stderr);
	va_end(ap);
	return EXIT_USAGE;
}

/* A byte count with an optional k/M/G suffix. */
static bool parse_size(const char *s, size_t min, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return false;
	unsigned long long mul = 1;
	if (*end == 'k' || *end == 'K')
		mul = 1024ull, end++;
	else if (*end == 'm' || *end == 'M')
		mul = 1024ull * 1024ull, end++;
	else if (*end == 'g' || *end == 'G')
		mul = 1024ull * 1024ull * 1024ull, end++;
	if (*end != '\0' || v > SIZE_MAX / mul || v * mul < min)
		return false;
	*out = (size_t)(v * mul);
	return true;
}

/* Join the trailing arguments into one filter expression, as tcpdump does. */
static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

enum { OPT_COLOR = 256, OPT_MAX_FLOWS, OPT_FLOW_BUFFER, OPT_MAX_MEMORY, OPT_IDLE,
       OPT_CA_FILE, OPT_CA_PATH, OPT_NO_SYSTEM_CA, OPT_CLIENT_CA_FILE, OPT_AT, OPT_ALL, OPT_PORT, OPT_REDACT, OPT_ONLY_FAILED, OPT_FORCE,
       OPT_TUI, OPT_NO_TUI, OPT_REPLAY };

/* --at: RFC 3339 UTC ("2024-02-29T18:40:22Z") or seconds since the epoch. */
static bool parse_time(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!errno && end != s && *end == '\0' && v > 0) {
		*out = v;
		return true;
	}
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end || (*end != 'Z' && *end != '\0') || (*end == 'Z' && end[1] != '\0'))
		return false;
	*out = (int64_t)timegm(&tm);
	return true;
}

int td_parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "read", required_argument, NULL, 'r' },
		{ "keylog", required_argument, NULL, 'k' },
		{ "interface", required_argument, NULL, 'i' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "no-promiscuous", no_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "color", optional_argument, NULL, OPT_COLOR },
		{ "colour", optional_argument, NULL, OPT_COLOR },
		{ "verbose", no_argument, NULL, 'v' },
		{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
		{ "flow-buffer", required_argument, NULL, OPT_FLOW_BUFFER },
		{ "max-memory", required_argument, NULL, OPT_MAX_MEMORY },
		{ "idle-timeout", required_argument, NULL, OPT_IDLE },
		{ "ca-file", required_argument, NULL, OPT_CA_FILE },
		{ "ca-path", required_argument, NULL, OPT_CA_PATH },
		{ "no-system-ca", no_argument, NULL, OPT_NO_SYSTEM_CA },
		{ "client-ca-file", required_argument, NULL, OPT_CLIENT_CA_FILE },
		{ "at", required_argument, NULL, OPT_AT },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "tui", no_argument, NULL, OPT_TUI },
		{ "no-tui", no_argument, NULL, OPT_NO_TUI },
		{ "replay", no_argument, NULL, OPT_REPLAY },
		{ "relinquish-privileges", required_argument, NULL, 'Z' },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "redact", optional_argument, NULL, OPT_REDACT },
		{ "only-failed", no_argument, NULL, OPT_ONLY_FAILED },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	memset(o, 0, sizeof *o);
	o->format = "text";
	o->promisc = true;
	td_config_defaults(&o->cfg);
	int c;
	size_t v;
	opterr = 0;  /* one line of our own instead of getopt's */
	while ((c = getopt_long(argc, argv, "+:r:i:k:s:po:vhVZ:", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->read_file = optarg; break;
		case 'i': o->iface = optarg; break;
		case 'k':
			if (o->n_keylogs == sizeof o->keylogs / sizeof o->keylogs[0])
				return fail_usage("%s", "too many -k files (16 at most)");
			o->keylogs[o->n_keylogs++] = optarg;
			break;
		case 's':
			if (!parse_size(optarg, 64, &v) || v > 262144)
				return fail_usage("bad snaplen '%s': give 64 to 262144 bytes", optarg);
			o->snaplen = (int)v;
			break;
		case 'p': o->promisc = false; break;
		case 'o':
			if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "markdown") != 0)
				return fail_usage("unknown output format '%s': use text, json or markdown",
						  optarg);
			o->format = optarg;
			o->format_given = true;
			break;
		case OPT_COLOR:
			if (!optarg || strcmp(optarg, "always") == 0)
				o->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->color = COLOR_NEVER;
			else if (strcmp(optarg, "auto") == 0)
				o->color = COLOR_AUTO;
			else
				return fail_usage("bad --color value '%s': use auto, always or never", optarg);
			break;
		case 'v': o->verbose = true; break;
		case OPT_ALL: o->all = true; break;
		case OPT_MAX_FLOWS:
			if (!parse_size(optarg, 1, &o->cfg.max_flows))
				return fail_usage("bad --max-flows '%s'", optarg);
			break;
		case OPT_FLOW_BUFFER:
			if (!parse_size(optarg, 0, &o->cfg.flow_buffer))
				return fail_usage("bad --flow-buffer '%s'", optarg);
			break;
		case OPT_MAX_MEMORY:
			if (!parse_size(optarg, 0, &o->cfg.max_memory))
				return fail_usage("bad --max-memory '%s'", optarg);
			break;
		case OPT_IDLE:
			if (!parse_size(optarg, 0, &v) || v > 86400u * 365u)
				return fail_usage("bad --idle-timeout '%s' (seconds)", optarg);
			o->cfg.idle_timeout_s = (unsigned)v;
			break;
		case OPT_CA_FILE: o->diag.ca_file = optarg; break;
		case OPT_CA_PATH: o->diag.ca_path = optarg; break;
		case OPT_NO_SYSTEM_CA: o->diag.no_system_store = true; break;
		case OPT_CLIENT_CA_FILE: o->diag.client_ca_file = optarg; break;
		case OPT_AT:
			if (!parse_time(optarg, &o->diag.at))
				return fail_usage("bad --at '%s': give 2024-02-29T18:40:22Z or epoch "
						  "seconds", optarg);
			break;
		case OPT_PORT:
			if (!parse_size(optarg, 1, &v) || v > 65535)
				return fail_usage("bad --port '%s': give 1 to 65535", optarg);
			if (o->cfg.n_tls_ports == sizeof o->cfg.tls_ports / sizeof o->cfg.tls_ports[0])
				return fail_usage("%s", "too many --port options (16 at most)");
			o->cfg.tls_ports[o->cfg.n_tls_ports++] = (uint16_t)v;
			break;
		case OPT_REDACT:
			o->redact = true;
			if (!optarg)
				o->redact_level = TD_REDACT_NAMES;
			else if (strcmp(optarg, "all") == 0)
				o->redact_level = TD_REDACT_ALL;
			else
				return fail_usage("bad --redact value '%s': give --redact or --redact=all",
						  optarg);
			break;
		case OPT_ONLY_FAILED: o->only_failed = true; break;
		case OPT_FORCE: o->force = true; break;
		case OPT_TUI: o->tui = TUI_ON; break;
		case OPT_NO_TUI: o->tui = TUI_OFF; break;
		case OPT_REPLAY: o->replay = true; break;
		case 'Z':
			if (!optarg[0])
				return fail_usage("%s", "-Z needs a user name");
			o->user = optarg;
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': print_version(); exit(0);
		case ':':
			return fail_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return fail_usage("unknown option '-%c'", optopt);
			return fail_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!o->read_file == !o->iface)
		return fail_usage("%s", o->read_file ? "give -r or -i, not both"
					     : "nothing to read: give -r FILE or -i INTERFACE");
	if (o->replay) {
		if (!o->read_file)
			return fail_usage("%s", "--replay paces a capture file: give -r FILE");
		if (o->tui == TUI_OFF)
			return fail_usage("%s", "--replay is for the live view: drop --no-tui");
		o->tui = TUI_ON;
	}
	if (o->tui == TUI_AUTO) {
		/* The view is the default for a live capture watched on a
		 * terminal; a pipe, or an explicit -o, gets the stream. */
		const char *term = getenv("TERM");
		o->tui = o->iface && !o->format_given && isatty(STDOUT_FILENO) &&
			 term && term[0] && strcmp(term, "dumb") != 0 ? TUI_ON : TUI_OFF;
	}
	if (optind < argc) {
		o->filter = join_args(argc - optind, argv + optind);
		if (!o->filter)
			return fail_usage("%s", "out of memory");
	}
	o->cfg.ordered = o->read_file != NULL;
	return 0;
}
