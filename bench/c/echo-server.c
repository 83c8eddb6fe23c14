/* One-thread epoll echo server, the reference for the echo workload: every
 * byte read is written back. Level-triggered; a reply the socket cannot
 * take at once is kept and flushed on EPOLLOUT. Runs until killed (the
 * harness reads its CPU time from /proc).
 *   echo-server <port> */
#include "common.h"
#include <fcntl.h>
#include <sys/epoll.h>

#define BUF 65536
#define MAX_EVENTS 256

struct pending {
  unsigned char* data;
  size_t len;
};

static struct pending* pending; /* indexed by fd */
static int max_fd;

static void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) die("fcntl");
}

static void drop(int ep, int fd) {
  epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
  free(pending[fd].data);
  pending[fd].data = NULL;
  pending[fd].len = 0;
  close(fd);
}

static void want(int ep, int fd, uint32_t events) {
  struct epoll_event ev = {.events = events, .data.fd = fd};
  if (epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0) die("epoll_ctl");
}

int main(int argc, char** argv) {
  if (argc != 2) usage("echo-server <port>");
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) < 0) die("getrlimit");
  max_fd = rl.rlim_cur > 1048576 ? 1048576 : (int)rl.rlim_cur;
  pending = calloc((size_t)max_fd, sizeof(*pending));
  if (pending == NULL) die("calloc");

  int listen_fd = listen_on((int)arg_count(argv[1]));
  set_nonblocking(listen_fd);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) die("epoll_create1");
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listen_fd};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) < 0) die("epoll_ctl");

  static unsigned char buf[BUF];
  struct epoll_event events[MAX_EVENTS];
  for (;;) {
    int n = epoll_wait(ep, events, MAX_EVENTS, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listen_fd) {
        for (;;) {
          int c = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK);
          if (c < 0) {
            if (errno == EAGAIN || errno == ECONNABORTED) break;
            die("accept4");
          }
          if (c >= max_fd) die("fd above RLIMIT_NOFILE");
          int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          struct epoll_event cev = {.events = EPOLLIN, .data.fd = c};
          if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev) < 0) die("epoll_ctl");
        }
        continue;
      }
      struct pending* p = &pending[fd];
      if (p->len > 0) {
        /* Waiting for EPOLLOUT: flush what is left, then read again. */
        ssize_t w = send(fd, p->data, p->len, MSG_NOSIGNAL);
        if (w < 0) {
          if (errno == EAGAIN) continue;
          drop(ep, fd);
          continue;
        }
        memmove(p->data, p->data + w, p->len - (size_t)w);
        p->len -= (size_t)w;
        if (p->len == 0) want(ep, fd, EPOLLIN);
        continue;
      }
      ssize_t r = recv(fd, buf, sizeof(buf), 0);
      if (r <= 0) {
        if (r < 0 && errno == EAGAIN) continue;
        drop(ep, fd);
        continue;
      }
      ssize_t w = send(fd, buf, (size_t)r, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno != EAGAIN) {
          drop(ep, fd);
          continue;
        }
        w = 0;
      }
      if (w < r) {
        p->len = (size_t)(r - w);
        p->data = realloc(p->data, p->len);
        if (p->data == NULL) die("realloc");
        memcpy(p->data, buf + w, p->len);
        want(ep, fd, EPOLLOUT);
      }
    }
  }
}
