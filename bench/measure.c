/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * measure.c - run one command, report its wall time and peak memory.
 *
 * Usage: measure RESULT-FILE COMMAND [ARG...]
 *
 * Runs COMMAND (standard input, output and error inherited) and writes one
 * line to RESULT-FILE:
 *
 *   WALL_SECONDS PEAK_RSS_KIB STATUS CPU_SECONDS
 *
 * WALL_SECONDS from CLOCK_MONOTONIC around fork..wait (microsecond
 * precision, where /usr/bin/time's %e has 10 ms); PEAK_RSS_KIB is the
 * child's ru_maxrss from wait4(); STATUS is its exit status, or 128 + the
 * signal that ended it; CPU_SECONDS its user + system time, which other
 * processes competing for the CPUs disturb much less than the wall time.  measure itself exits with STATUS, or 127 when
 * COMMAND cannot be run.  Being a file of its own keeps bench/run.sh free
 * of GNU time, which a fresh machine may lack.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: measure RESULT-FILE COMMAND [ARG...]\n");
		return 127;
	}
	FILE *res = fopen(argv[1], "w");
	if (!res) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "measure: fork: %s\n", strerror(errno));
		fclose(res);
		return 127;
	}
	if (pid == 0) {
		fclose(res);
		execvp(argv[2], argv + 2);
		fprintf(stderr, "measure: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	int st = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof ru);
	while (wait4(pid, &st, 0, &ru) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "measure: wait4: %s\n", strerror(errno));
			fclose(res);
			return 127;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 127;
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	fprintf(res, "%.6f %ld %d %.6f\n", wall, ru.ru_maxrss, status, cpu);
	if (fclose(res) != 0) {
		fprintf(stderr, "measure: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	return status;
}
