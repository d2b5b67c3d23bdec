/*
 * pingpong: the floor of workload 4's sequential IKC calls on this machine.
 * Two processes, connected over TCP loopback with TCP_NODELAY, pass a
 * request of one size and a response of another back and forth, one at a
 * time, as ikc bench's two kernels pass an IKC call and its answer. Both
 * sides poll without blocking (epoll_wait with a zero timeout, then read)
 * as the POE kernel's loop spins between events, so no round trip pays
 * for a wake-up: what is left is the loopback's own cost, which on a
 * virtual machine moves from minute to minute.
 *
 *   pingpong request_octets response_octets round_trips
 *
 * Prints
 *   RESULT mode=pingpong request=Q response=R rtt_per_sec=T p50_us=P p99_us=N
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* side is one end of the connection, polled without blocking. */
struct side {
	int fd, ep;
};

static struct side open_side(int fd)
{
	int one = 1;
	struct side s = {.fd = fd};
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0)
		die("TCP_NODELAY");
	s.ep = epoll_create1(EPOLL_CLOEXEC);
	if (s.ep < 0)
		die("epoll_create1");
	struct epoll_event ev = {.events = EPOLLIN};
	if (epoll_ctl(s.ep, EPOLL_CTL_ADD, fd, &ev) < 0)
		die("epoll_ctl");
	return s;
}

/* take reads exactly n octets, spinning on epoll until each part is there;
 * it returns 0 when the peer has closed. */
static int take(struct side *s, char *buf, size_t n)
{
	struct epoll_event ev;
	size_t got = 0;
	while (got < n) {
		int r = epoll_wait(s->ep, &ev, 1, 0);
		if (r < 0 && errno != EINTR)
			die("epoll_wait");
		if (r < 1)
			continue;
		ssize_t m = read(s->fd, buf + got, n - got);
		if (m == 0)
			return 0;
		if (m < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("read");
		}
		got += (size_t)m;
	}
	return 1;
}

static void give(struct side *s, const char *buf, size_t n)
{
	size_t put = 0;
	while (put < n) {
		ssize_t m = write(s->fd, buf + put, n - put);
		if (m < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("write");
		}
		put += (size_t)m;
	}
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return fprintf(stderr, "usage: pingpong request_octets response_octets round_trips\n"), 2;
	size_t req = (size_t)atol(argv[1]), resp = (size_t)atol(argv[2]);
	long n = atol(argv[3]);
	if (req < 1 || resp < 1 || req > 65536 || resp > 65536 || n < 1)
		return fprintf(stderr, "pingpong: octets in 1..65536, round trips > 0\n"), 2;

	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	struct sockaddr_in sa = {.sin_family = AF_INET};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof sa;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 1) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0)
		die("listen");

	static char buf[65536];
	memset(buf, 'x', sizeof buf);
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) { /* the server: answer every request until the end */
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
			die("connect");
		struct side s = open_side(fd);
		while (take(&s, buf, req))
			give(&s, buf, resp);
		_exit(0);
	}
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept");
	struct side s = open_side(fd);
	long long *lat = malloc(sizeof *lat * (size_t)n);
	if (lat == NULL)
		die("malloc");
	long long start = now_ns();
	for (long i = 0; i < n; i++) {
		long long t0 = now_ns();
		give(&s, buf, req);
		if (!take(&s, buf, resp)) {
			fprintf(stderr, "pingpong: the server closed after %ld round trips\n", i);
			return 1;
		}
		lat[i] = now_ns() - t0;
	}
	long long elapsed = now_ns() - start;
	close(fd);
	waitpid(child, NULL, 0);
	qsort(lat, (size_t)n, sizeof *lat, cmp_ll);
	printf("RESULT mode=pingpong request=%zu response=%zu rtt_per_sec=%.1f p50_us=%.2f p99_us=%.2f\n",
	       req, resp, n * 1e9 / elapsed, lat[(n - 1) / 2] / 1e3, lat[(long)((n - 1) * 0.99)] / 1e3);
	return 0;
}
