/*
 * serve_path: the C floor of the Go benchmark BenchmarkReadWriteServe
 * (t/poe/30_wheels): each iteration is one epoll_wait on a pipe kept
 * readable, then n 16-octet lines taken from a block in memory, each found
 * with memchr and copied to an output buffer, then one write(2) of the
 * replies to /dev/null. The difference from the Go figure is what the
 * kernel, the wheel, the filters and the driver add to a read's batch.
 *
 *   serve_path n iterations    prints "n=N ns/op=T ns/line=L"
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define MAXLINES 64

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return fprintf(stderr, "usage: serve_path n iterations\n"), 2;
	int n = atoi(argv[1]);
	long iters = atol(argv[2]);
	if (n < 1 || n > MAXLINES || iters < 1)
		return fprintf(stderr, "serve_path: n in 1..%d, iterations > 0\n", MAXLINES), 2;

	int p[2];
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		die("pipe2");
	if (write(p[1], "x", 1) != 1) /* kept unread: the pipe stays readable */
		die("write");
	int null = open("/dev/null", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (null < 0)
		die("/dev/null");
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = p[0]};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) < 0)
		die("epoll_ctl");

	static char block[MAXLINES * 16], out[MAXLINES * 16];
	for (int i = 0; i < n; i++)
		memcpy(block + 16 * i, "0123456789abcde\n", 16);
	struct epoll_event evs[256];
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long it = 0; it < iters; it++) {
		if (epoll_wait(ep, evs, 256, 0) < 1)
			die("epoll_wait");
		const char *s = block, *end = block + 16 * n;
		size_t o = 0;
		while (s < end) {
			const char *nl = memchr(s, '\n', end - s);
			size_t len = nl - s + 1;
			memcpy(out + o, s, len);
			o += len;
			s = nl + 1;
		}
		if (write(null, out, o) != (ssize_t)o)
			die("write /dev/null");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
	printf("n=%d ns/op=%.1f ns/line=%.2f\n", n, ns / iters, ns / iters / n);
	return 0;
}
