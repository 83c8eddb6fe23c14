/* Bulk: one connection, `bytes` sent in 64 KiB send()s and received into a
 * 64 KiB buffer. The client half-closes and waits for the server's close,
 * so its time covers delivery, not just queueing.
 *   bulk server <port>          (counts bytes until EOF)
 *   bulk client <port> <bytes> */
#include "common.h"

#define CHUNK 65536

static unsigned char buf[CHUNK];

static int server(int port) {
  int listen_fd = listen_on(port);
  long long cpu0 = cpu_us();
  int fd = accept(listen_fd, NULL, NULL);
  if (fd < 0) die("accept");
  long long total = 0;
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof(buf), 0);
    if (r < 0) die("recv");
    if (r == 0) break;
    total += r;
  }
  close(fd);
  close(listen_fd);
  printf("done n=%lld cpu_us=%lld\n", total, cpu_us() - cpu0);
  return 0;
}

static int client(int port, long long bytes) {
  memset(buf, 'x', sizeof(buf));
  long long t0 = now_ns();
  int fd = connect_to(port);
  long long sent = 0;
  while (sent < bytes) {
    size_t len = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;
    ssize_t r = send(fd, buf, len, 0);
    if (r < 0) die("send");
    sent += r;
  }
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  if (recv(fd, buf, sizeof(buf), 0) != 0) die("recv");
  close(fd);
  printf("done n=%lld ns=%lld\n", sent, now_ns() - t0);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "server") == 0) return server((int)arg_count(argv[2]));
  if (argc == 4 && strcmp(argv[1], "client") == 0) return client((int)arg_count(argv[2]), arg_count(argv[3]));
  usage("bulk server <port> | bulk client <port> <bytes>");
  return EXIT_FAILURE;
}
