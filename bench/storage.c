/*
 * storage: how long the durable writes the node makes before it closes the
 * amplifier relay take on the file system that holds its state_dir.
 *
 * Before the relay closes, a warning costs the node (common/replay.c,
 * controller/spool.c, controller/nodeio.c): one append + fsync (replay
 * set), two "write temp, fsync, rename, fsync directory" (receipt sequence
 * file, then the "received" receipt) and one "write temp, fsync, rename"
 * (the active-warning marker).  This probe times the same two patterns in
 * DIR, so the latency figures can be read against the disk they ran on.
 *
 *   storage [-n COUNT] DIR
 *
 * Output: "R storage.append_fsync n p50 p99 max mean" and
 * "R storage.replace_file ..." (ms), read by bench/run.sh.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/warning.h"

#define MAX_COUNT 10000

static void
report(const char *what, double *v, int n)
{
	double sum = 0;
	int i;

	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	printf("R storage.%s %d %.3f %.3f %.3f %.3f\n", what, n, bench_pct(v, n, 50),
	    bench_pct(v, n, 99), v[n - 1], sum / n);
}

int
main(int argc, char *argv[])
{
	static double app[MAX_COUNT], rep[MAX_COUNT];
	char path[4096], tmp[4096], line[64];
	int ch, i, n = 100, fd, dfd, len;
	uint64_t t;

	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch != 'n' || (n = atoi(optarg)) < 1 || n > MAX_COUNT) {
			fprintf(stderr, "usage: storage [-n count] dir\n");
			return 1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: storage [-n count] dir\n");
		return 1;
	}
	if ((dfd = open(argv[optind], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		perror(argv[optind]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/probe.append", argv[optind]);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)) == -1) {
		perror(path);
		return 1;
	}
	for (i = 0; i < n; i++) {          /* the replay set's pattern */
		len = snprintf(line, sizeof(line), "1795351506 probe-%08d\n", i);
		t = bench_mono_ns();
		if (write(fd, line, (size_t)len) != len || fsync(fd) == -1) {
			perror(path);
			return 1;
		}
		app[i] = (double)(bench_mono_ns() - t) / 1e6;
	}
	close(fd);
	unlink(path);

	snprintf(path, sizeof(path), "%s/probe.file", argv[optind]);
	snprintf(tmp, sizeof(tmp), "%s/.probe.file.tmp", argv[optind]);
	for (i = 0; i < n; i++) {          /* the receipt spool's pattern */
		len = snprintf(line, sizeof(line), "%d\n", i);
		t = bench_mono_ns();
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) == -1 ||
		    write(fd, line, (size_t)len) != len || fsync(fd) == -1 || close(fd) == -1 ||
		    rename(tmp, path) == -1 || fsync(dfd) == -1) {
			perror(tmp);
			return 1;
		}
		rep[i] = (double)(bench_mono_ns() - t) / 1e6;
	}
	unlink(path);
	close(dfd);
	report("append_fsync", app, n);
	report("replace_file", rep, n);
	return 0;
}
