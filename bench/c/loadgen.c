/* Epoll load generator for any echo server: `conns` connections, each
 * with one `size`-byte message in flight, until `total` round trips are
 * done. Every byte of every reply is checked against what was sent.
 *   loadgen <port> <conns> <total> <size>
 * Prints "done n=<round trips> ns=<elapsed> rtps=<round trips per second>". */
#include "common.h"
#include <fcntl.h>
#include <sys/epoll.h>

struct conn {
  int fd;
  long long seq; /* the message in flight */
  size_t got;    /* bytes of its reply received so far */
};

static unsigned char expected(int c, long long seq, size_t j) {
  return (unsigned char)(c * 131 + seq * 7 + (long long)j);
}

static void fill(unsigned char* msg, size_t size, int c, long long seq) {
  for (size_t j = 0; j < size; j++) msg[j] = expected(c, seq, j);
}

int main(int argc, char** argv) {
  if (argc != 5) usage("loadgen <port> <conns> <total-round-trips> <message-size>");
  int port = (int)arg_count(argv[1]);
  int nconns = (int)arg_count(argv[2]);
  long long total = arg_count(argv[3]);
  size_t size = (size_t)arg_count(argv[4]);
  if (nconns < 1 || size < 1 || size > 65536) usage("loadgen: conns >= 1, 1 <= size <= 65536");

  struct conn* conns = calloc((size_t)nconns, sizeof(*conns));
  unsigned char* msg = malloc(size);
  unsigned char* in = malloc(size);
  if (conns == NULL || msg == NULL || in == NULL) die("malloc");
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");

  for (int c = 0; c < nconns; c++) {
    int fd = connect_to(port);
    int one = 1;
    if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) die("setsockopt");
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) die("fcntl");
    conns[c].fd = fd;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
  }

  long long t0 = now_ns();
  long long cpu0 = cpu_us();
  long long started = 0, done = 0;
  for (int c = 0; c < nconns && started < total; c++, started++) {
    conns[c].seq = started;
    fill(msg, size, c, started);
    if (send(conns[c].fd, msg, size, MSG_NOSIGNAL) != (ssize_t)size) die("send");
  }

  struct epoll_event events[256];
  while (done < total) {
    int n = epoll_wait(ep, events, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      int c = (int)events[i].data.u32;
      struct conn* k = &conns[c];
      ssize_t r = recv(k->fd, in, size - k->got, 0);
      if (r < 0) {
        if (errno == EAGAIN) continue;
        die("recv");
      }
      if (r == 0) {
        fprintf(stderr, "loadgen: connection %d closed by the server after %lld round trips\n", c, done);
        return EXIT_FAILURE;
      }
      for (ssize_t j = 0; j < r; j++) {
        if (in[j] != expected(c, k->seq, k->got + (size_t)j)) {
          fprintf(stderr, "loadgen: connection %d, message %lld, byte %zu is wrong\n", c, k->seq, k->got + (size_t)j);
          return EXIT_FAILURE;
        }
      }
      k->got += (size_t)r;
      if (k->got < size) continue;
      done++;
      k->got = 0;
      if (started < total) {
        k->seq = started++;
        fill(msg, size, c, k->seq);
        /* The previous reply has been read in full, so the socket's send
         * buffer is empty: a short write here would be a server bug. */
        if (send(k->fd, msg, size, MSG_NOSIGNAL) != (ssize_t)size) die("send");
      }
    }
  }
  long long ns = now_ns() - t0;
  for (int c = 0; c < nconns; c++) close(conns[c].fd);
  printf("done n=%lld ns=%lld rtps=%.0f cpu_us=%lld\n", done, ns, (double)done * 1e9 / (double)ns, cpu_us() - cpu0);
  return 0;
}
