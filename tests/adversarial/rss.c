/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rss.c - run a command and report what it cost, for adversarial.sh.
 *
 *   rss COMMAND [ARG...]
 *
 * fork()s, execvp()s COMMAND, waits for it with wait4() and prints one
 * line on stderr:
 *
 *   rss: maxrss_kib=N status=exit:S | status=signal:S wall_ms=W
 *
 * maxrss_kib is the child's peak resident set size (ru_maxrss, which
 * Linux reports in KiB), so the test asserts the kernel's figure rather
 * than guessing from timing.  The command's stdin, stdout and stderr are
 * left as they are.  Exit status: the command's exit status; 128 + the
 * signal number when a signal killed it; 127 when it could not be run.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: rss COMMAND [ARG...]\n", stderr);
		return 127;
	}
	long long t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "rss: fork: %s\n", strerror(errno));
		return 127;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "rss: cannot run %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	pid_t got;
	do
		got = wait4(pid, &status, 0, &ru);
	while (got < 0 && errno == EINTR);
	if (got < 0) {
		fprintf(stderr, "rss: wait4: %s\n", strerror(errno));
		return 127;
	}
	long long wall = now_ms() - t0;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "rss: maxrss_kib=%ld status=signal:%d wall_ms=%lld\n",
			ru.ru_maxrss, WTERMSIG(status), wall);
		return 128 + WTERMSIG(status);
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 127;
	fprintf(stderr, "rss: maxrss_kib=%ld status=exit:%d wall_ms=%lld\n", ru.ru_maxrss, code,
		wall);
	return code;
}
