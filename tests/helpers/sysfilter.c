/*
 * sysfilter.c - run a command under an allow-list seccomp filter, the
 * way systemd's SystemCallFilter= does, for testing the shipped unit.
 *
 * sysfilter LISTFILE COMMAND [ARG...]: LISTFILE holds system call names,
 * one a line (systemd-analyze syscall-filter expands the unit's groups
 * into it).  Anything else kills the process with SIGSYS, systemd's
 * default when SystemCallErrorNumber= is not set; with an errno number
 * in SYSFILTER_ERRNO the call fails with it instead, as
 * SystemCallErrorNumber= does.  Names this architecture does not know
 * are skipped, as systemd skips them.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char line[128];
	const char *e = getenv("SYSFILTER_ERRNO");
	scmp_filter_ctx ctx;
	FILE *f;
	int nr, n = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: sysfilter LISTFILE COMMAND [ARG...]\n");
		return 64;
	}
	if ((f = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 66;
	}
	ctx = seccomp_init(e != NULL ? SCMP_ACT_ERRNO((uint32_t)atoi(e)) :
	    SCMP_ACT_KILL_PROCESS);
	if (ctx == NULL)
		return 71;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, " \t\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		nr = seccomp_syscall_resolve_name(line);
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0)
			n++;
	}
	fclose(f);
	if (seccomp_load(ctx) < 0) {
		fprintf(stderr, "sysfilter: seccomp_load failed\n");
		return 71;
	}
	seccomp_release(ctx);
	fprintf(stderr, "sysfilter: %d system calls allowed\n", n);
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
