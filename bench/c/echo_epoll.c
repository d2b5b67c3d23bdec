/*
 * echo_epoll: a single-threaded epoll echo server, the floor of the echo
 * workload on this machine. It writes back whatever it reads, as soon as it
 * reads it; output the socket does not take at once is kept and written
 * when the socket becomes writable, and reading from that connection
 * pauses meanwhile.
 *
 * Like the POE kernel (kernel.WithSpin, 50 us by default), it polls without
 * blocking for a while after its last event before it blocks in
 * epoll_wait: waking a thread blocked there costs tens of microseconds per
 * round trip on this kind of machine, which would make the floor a ceiling.
 *
 *   echo_epoll [port [spin_us]]   listens on 127.0.0.1:port (0 or none: any
 *                                 port); spin_us defaults to 50, 0 blocks
 *
 * Prints "LISTEN <port>" on stdout once listening, then runs until killed.
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
#include <time.h>
#include <unistd.h>

#define BUFSZ 65536
#define MAXEV 256

struct conn {
	int fd;
	size_t off, len; /* pending output: buf[off:len] */
	char buf[BUFSZ];
};

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void drop(int ep, struct conn *c)
{
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
}

/* flush writes the pending output; it returns -1 on error, else the
 * octets still pending. */
static ssize_t flush(struct conn *c)
{
	while (c->off < c->len) {
		ssize_t n = write(c->fd, c->buf + c->off, c->len - c->off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -1;
		}
		c->off += (size_t)n;
	}
	if (c->off == c->len)
		c->off = c->len = 0;
	return (ssize_t)(c->len - c->off);
}

static void watch(int ep, struct conn *c, int op, unsigned events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};
	if (epoll_ctl(ep, op, c->fd, &ev) < 0)
		die("epoll_ctl");
}

/* service reads and echoes until the socket would block; it returns -1 when
 * the connection is done. */
static int service(int ep, struct conn *c, unsigned events)
{
	if (events & EPOLLOUT) {
		ssize_t left = flush(c);
		if (left < 0)
			return -1;
		if (left > 0)
			return 0;
		watch(ep, c, EPOLL_CTL_MOD, EPOLLIN);
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;
	for (;;) {
		ssize_t n = read(c->fd, c->buf, BUFSZ);
		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -1;
		}
		c->off = 0;
		c->len = (size_t)n;
		ssize_t left = flush(c);
		if (left < 0)
			return -1;
		if (left > 0) {
			watch(ep, c, EPOLL_CTL_MOD, EPOLLOUT);
			return 0;
		}
		if ((size_t)n < BUFSZ)
			return 0;
	}
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : 0;
	long long spin = argc > 2 ? atoll(argv[2]) : 50;
	int one = 1;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0)
		die("bind");
	if (listen(lfd, SOMAXCONN) < 0)
		die("listen");
	socklen_t sl = sizeof sa;
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	printf("LISTEN %d\n", ntohs(sa.sin_port));
	fflush(stdout);

	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0)
		die("epoll_ctl");

	struct epoll_event evs[MAXEV];
	long long last = 0;
	for (;;) {
		int n = epoll_wait(ep, evs, MAXEV, now_us() - last < spin ? 0 : -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		if (n > 0)
			last = now_us();
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c == NULL) {
				int fd;
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					struct conn *nc = malloc(sizeof *nc);
					if (nc == NULL)
						die("malloc");
					nc->fd = fd;
					nc->off = nc->len = 0;
					watch(ep, nc, EPOLL_CTL_ADD, EPOLLIN);
				}
				continue;
			}
			if (service(ep, c, evs[i].events) < 0)
				drop(ep, c);
		}
	}
}
