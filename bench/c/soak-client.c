/* Soak load generator: K threads, each looping
 *   socket → bind 127.0.0.x → connect → send 64 bytes → read the echo,
 *   check every byte → close
 * against an echo server, until SIGTERM or SIGINT.
 *
 *   soak-client [-c workers] [-a addresses] [-r] [-t timeout_s] <port>
 *
 * Protocol on stdout, read by scripts/soak.js:
 *   "tick t=<s> rt=<n> errors=<n> bad=<n>"  once a second, cumulative
 *   "total t=<s> rt=<n> errors=<n> bad=<n>" once, after the signal
 * rt counts verified round trips; bad counts echoes that were wrong or short
 * (the server closed before echoing all 64 bytes); errors counts failed
 * system calls (refused, reset, timed out). The first few failures are
 * described on stderr.
 *
 * Ports: the client closes first, so every connection leaves a TIME_WAIT
 * socket on the client side for 60 s. At thousands of connections a second
 * one source address would run out of ephemeral ports
 * (/proc/sys/net/ipv4/ip_local_port_range), so each worker binds its own
 * 127.0.0.x source (x = 1 + worker % addresses) with IP_BIND_ADDRESS_NO_PORT,
 * which leaves the port choice to connect(): each address gets the whole
 * range and the close stays an ordinary FIN. -r instead closes with
 * SO_LINGER {1, 0}: an RST, no TIME_WAIT, and the server's recv sees
 * ECONNRESET instead of end-of-file. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MSG_LEN 64
#define MAX_WORKERS 4096
#define MAX_ADDRESSES 254
/* Enough failure descriptions to diagnose, few enough not to flood. */
#define MAX_REPORTED 20

struct config {
  int port;
  int workers;
  int addresses;
  int rst;
  int timeout_s;
};

struct worker {
  pthread_t thread;
  int id;
  const struct config* cfg;
  /* Written by the worker, read by the main thread's ticks. */
  atomic_llong rt;
  atomic_llong errors;
  atomic_llong bad;
};

static atomic_int stopping;
static atomic_int reported;

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void report(const struct worker* w, const char* what, int err) {
  if (atomic_fetch_add(&reported, 1) >= MAX_REPORTED) return;
  fprintf(stderr, "worker %d: %s: %s\n", w->id, what, err != 0 ? strerror(err) : "short echo");
}

/* The message carries the worker and sequence number in text, so a mixed-up
 * echo is readable in a dump, and a pattern derived from both in the rest, so
 * any byte from another connection or round trip differs. */
static void fill(unsigned char* msg, int id, unsigned long long seq) {
  int n = snprintf((char*)msg, MSG_LEN, "soak w=%04d seq=%016llx ", id, seq);
  for (int i = n; i < MSG_LEN; i++) msg[i] = (unsigned char)(seq * 131u + (unsigned)id * 31u + (unsigned)i * 7u);
}

/* One connect → send → receive → close. Returns 1 for a verified echo, 0 for
 * a wrong or short one, -1 for a failed system call. */
static int round_trip(struct worker* w, const struct sockaddr_in* server, unsigned long long seq) {
  const struct config* cfg = w->cfg;
  unsigned char msg[MSG_LEN], echo[MSG_LEN];
  int result = -1;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    report(w, "socket", errno);
    return -1;
  }

  /* A stalled server must fail a round trip, not hang the worker and with it
   * the final join. */
  struct timeval tv = {.tv_sec = cfg->timeout_s, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  if (cfg->rst) {
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0) {
      report(w, "setsockopt(SO_LINGER)", errno);
      goto out;
    }
  } else {
    int one = 1;
    if (setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) < 0) {
      report(w, "setsockopt(IP_BIND_ADDRESS_NO_PORT)", errno);
      goto out;
    }
    struct sockaddr_in local;
    memset(&local, 0, sizeof(local));
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)(w->id % cfg->addresses));
    if (bind(fd, (const struct sockaddr*)&local, sizeof(local)) < 0) {
      report(w, "bind", errno);
      goto out;
    }
  }
  if (connect(fd, (const struct sockaddr*)server, sizeof(*server)) < 0) {
    report(w, "connect", errno);
    goto out;
  }

  fill(msg, w->id, seq);
  size_t sent = 0;
  while (sent < MSG_LEN) {
    ssize_t n = send(fd, msg + sent, MSG_LEN - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      report(w, "send", errno);
      goto out;
    }
    sent += (size_t)n;
  }

  size_t got = 0;
  while (got < MSG_LEN) {
    ssize_t n = recv(fd, echo + got, MSG_LEN - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      report(w, "recv", errno);
      goto out;
    }
    if (n == 0) break;
    got += (size_t)n;
  }
  if (got < MSG_LEN) {
    report(w, "recv", 0);
    result = 0;
  } else if (memcmp(msg, echo, MSG_LEN) != 0) {
    for (int i = 0; i < MSG_LEN; i++) {
      if (msg[i] != echo[i]) {
        if (atomic_fetch_add(&reported, 1) < MAX_REPORTED) {
          fprintf(stderr, "worker %d: seq %llu: byte %d is 0x%02x, sent 0x%02x\n", w->id, seq, i, echo[i], msg[i]);
        }
        break;
      }
    }
    result = 0;
  } else {
    result = 1;
  }

out:
  /* Never retry close: on Linux the descriptor is gone even on EINTR. */
  close(fd);
  return result;
}

static void* run_worker(void* arg) {
  struct worker* w = arg;
  struct sockaddr_in server;
  memset(&server, 0, sizeof(server));
  server.sin_family = AF_INET;
  server.sin_port = htons((uint16_t)w->cfg->port);
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  for (unsigned long long seq = 0; !atomic_load_explicit(&stopping, memory_order_relaxed); seq++) {
    int r = round_trip(w, &server, seq);
    if (r > 0) {
      atomic_fetch_add_explicit(&w->rt, 1, memory_order_relaxed);
    } else if (r == 0) {
      atomic_fetch_add_explicit(&w->bad, 1, memory_order_relaxed);
    } else {
      atomic_fetch_add_explicit(&w->errors, 1, memory_order_relaxed);
      /* A refused or reset connection repeats at once otherwise: a dead
       * server would turn every worker into a busy loop. */
      usleep(10000);
    }
  }
  return NULL;
}

static void print_counters(const char* label, const struct worker* ws, int n, long long t0) {
  long long rt = 0, errors = 0, bad = 0;
  for (int i = 0; i < n; i++) {
    rt += atomic_load_explicit(&ws[i].rt, memory_order_relaxed);
    errors += atomic_load_explicit(&ws[i].errors, memory_order_relaxed);
    bad += atomic_load_explicit(&ws[i].bad, memory_order_relaxed);
  }
  long long ms = now_ms() - t0;
  printf("%s t=%lld.%03lld rt=%lld errors=%lld bad=%lld\n", label, ms / 1000, ms % 1000, rt, errors, bad);
  fflush(stdout);
}

static int parse_int(const char* s, int lo, int hi, const char* what) {
  char* end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
    fprintf(stderr, "%s wants an integer from %d to %d, got %s\n", what, lo, hi, s);
    exit(2);
  }
  return (int)v;
}

int main(int argc, char** argv) {
  struct config cfg = {.port = 0, .workers = 50, .addresses = 8, .rst = 0, .timeout_s = 10};
  int opt;
  while ((opt = getopt(argc, argv, "c:a:rt:")) != -1) {
    switch (opt) {
      case 'c':
        cfg.workers = parse_int(optarg, 1, MAX_WORKERS, "-c");
        break;
      case 'a':
        cfg.addresses = parse_int(optarg, 1, MAX_ADDRESSES, "-a");
        break;
      case 'r':
        cfg.rst = 1;
        break;
      case 't':
        cfg.timeout_s = parse_int(optarg, 1, 3600, "-t");
        break;
      default:
        goto usage;
    }
  }
  if (optind != argc - 1) goto usage;
  cfg.port = parse_int(argv[optind], 1, 65535, "port");

  /* Only the main thread takes the signals, synchronously, with sigtimedwait:
   * the workers must never be interrupted halfway through a round trip. */
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

  struct worker* ws = calloc((size_t)cfg.workers, sizeof(*ws));
  if (ws == NULL) {
    perror("calloc");
    return 1;
  }
  long long t0 = now_ms();
  for (int i = 0; i < cfg.workers; i++) {
    ws[i].id = i;
    ws[i].cfg = &cfg;
    int err = pthread_create(&ws[i].thread, NULL, run_worker, &ws[i]);
    if (err != 0) {
      fprintf(stderr, "pthread_create: %s\n", strerror(err));
      return 1;
    }
  }

  long long next = t0 + 1000;
  for (;;) {
    long long wait = next - now_ms();
    if (wait < 0) wait = 0;
    struct timespec ts = {.tv_sec = wait / 1000, .tv_nsec = (wait % 1000) * 1000000};
    int sig = sigtimedwait(&stop_signals, NULL, &ts);
    if (sig == SIGTERM || sig == SIGINT) break;
    if (now_ms() >= next) {
      print_counters("tick", ws, cfg.workers, t0);
      next += 1000;
    }
  }

  /* Each worker finishes the round trip it is in, so the totals count only
   * complete, checked ones. */
  atomic_store(&stopping, 1);
  for (int i = 0; i < cfg.workers; i++) pthread_join(ws[i].thread, NULL);
  print_counters("total", ws, cfg.workers, t0);
  free(ws);
  return 0;

usage:
  fprintf(stderr, "usage: soak-client [-c workers] [-a addresses] [-r] [-t timeout_s] <port>\n");
  return 2;
}
