/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.h - the tlsdiag command line (src/options.c): what the user
 * asked for, parsed and checked; src/main.c runs it.
 */
#ifndef TD_OPTIONS_H
#define TD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diagnose.h"
#include "engine.h"
#include "redact.h"

#define EXIT_USAGE 2

enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
enum tui_mode { TUI_AUTO, TUI_ON, TUI_OFF };

struct options {
	const char *read_file;
	const char *iface;
	const char *format;     /* "text", "json", "ecs" or "markdown" */
	bool format_given;      /* -o was given: the user wants that stream */
	enum color_mode color;
	enum tui_mode tui;      /* --tui / --no-tui; auto: -i on a terminal */
	bool replay;            /* --replay: the view paced by the capture's timestamps */
	const char *user;       /* -Z: drop root to this user; NULL: the default */
	bool verbose;
	bool all;               /* markdown: details of every connection */
	bool promisc;
	int snaplen;
	struct td_config cfg;
	struct td_diag_opts diag;
	const char *keylogs[16]; /* -k files */
	size_t n_keylogs;
	char *filter;           /* joined trailing arguments, owned */
	bool redact;
	enum td_redact_level redact_level;
	bool only_failed;
	bool force;             /* --force: the view's s may replace an earlier report file */
	bool summary;           /* --summary: the view prints the text summary on quit */
	unsigned width;         /* --width: text report columns; 0: the terminal's, COLUMNS or 80 */
	uint64_t count;         /* -c: stop after this many connections reported; 0: no limit */
	const char *write_file; /* -w: save the packets read (pcap) */
	bool list_interfaces;   /* -D: list the capture interfaces and exit */
	const char *filter_file; /* -F: the BPF expression comes from this file */
	/* --output-file, -G, -C (src/outfile/): the report to rotated files */
	const char *output_file; /* the report goes here, not to stdout; NULL: stdout */
	uint64_t rotate_secs;    /* -G: a new file every this many seconds; 0: never */
	uint64_t rotate_bytes;   /* -C: a new file once one is larger than this; 0: never */
	bool no_seccomp;         /* --no-seccomp: no system call filter after the drop */
	unsigned workers;       /* --workers: analysis threads, 1 (default) to TD_WORKERS_MAX */
};

/* Parse argv into *o (td_config_defaults first).  0: run; otherwise the
 * exit status (0 after --help or --version, EXIT_USAGE with a one-line
 * error on stderr).  o->filter is owned: free it. */
int td_parse_options(int argc, char **argv, struct options *o);

#endif
