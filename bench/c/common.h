/* Shared by the reference programs: the plain blocking calls every
 * benchmark peer transcribes, plus the timing and reporting protocol the
 * harness (bench/run.ts) reads on stdout:
 *   server: "port <n>" once listening, "done n=<ops> cpu_us=<us>" at the end
 *   client: "done n=<ops> ns=<elapsed>" at the end
 * cpu_us covers only the workload (from just after listen), so process
 * start-up is not charged to the server. */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static inline void die(const char* what) {
  perror(what);
  exit(EXIT_FAILURE);
}

static inline long long arg_count(const char* s) {
  char* end;
  long long v = strtoll(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 0) {
    fprintf(stderr, "not a count: %s\n", s);
    exit(EXIT_FAILURE);
  }
  return v;
}

static inline long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline long long cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* socket, SO_REUSEADDR, bind 127.0.0.1:port, listen, getsockname; prints
 * "port <n>" so the harness can start the client. */
static inline int listen_on(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) die("setsockopt");
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr*)&addr, sizeof(addr)) < 0) die("bind");
  if (listen(fd, SOMAXCONN) < 0) die("listen");
  socklen_t len = sizeof(addr);
  if (getsockname(fd, (struct sockaddr*)&addr, &len) < 0) die("getsockname");
  printf("port %d\n", ntohs(addr.sin_port));
  fflush(stdout);
  return fd;
}

static inline int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr*)&addr, sizeof(addr)) < 0) die("connect");
  return fd;
}

static inline void usage(const char* text) {
  fprintf(stderr, "usage: %s\n", text);
  exit(EXIT_FAILURE);
}

#endif
