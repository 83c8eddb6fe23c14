/* Ping-pong: one connection, TCP_NODELAY, 1 byte each way, n round trips.
 * Every byte is checked.
 *   pingpong server <port>     (echoes until EOF)
 *   pingpong client <port> <n> */
#include "common.h"

static int server(int port) {
  int listen_fd = listen_on(port);
  long long cpu0 = cpu_us();
  int fd = accept(listen_fd, NULL, NULL);
  if (fd < 0) die("accept");
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) die("setsockopt");
  unsigned char byte;
  long long n = 0;
  for (;;) {
    ssize_t r = recv(fd, &byte, 1, 0);
    if (r < 0) die("recv");
    if (r == 0) break;
    if (send(fd, &byte, 1, 0) != 1) die("send");
    n++;
  }
  close(fd);
  close(listen_fd);
  printf("done n=%lld cpu_us=%lld\n", n, cpu_us() - cpu0);
  return 0;
}

static int client(int port, long long count) {
  long long t0 = now_ns();
  int fd = connect_to(port);
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0) die("setsockopt");
  unsigned char out, in;
  for (long long i = 0; i < count; i++) {
    out = (unsigned char)i;
    if (send(fd, &out, 1, 0) != 1) die("send");
    ssize_t r = recv(fd, &in, 1, 0);
    if (r != 1) die("recv");
    if (in != out) {
      fprintf(stderr, "pingpong: byte %lld came back as %u, sent %u\n", i, in, out);
      return EXIT_FAILURE;
    }
  }
  close(fd);
  printf("done n=%lld ns=%lld\n", count, now_ns() - t0);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "server") == 0) return server((int)arg_count(argv[2]));
  if (argc == 4 && strcmp(argv[1], "client") == 0) return client((int)arg_count(argv[2]), arg_count(argv[3]));
  usage("pingpong server <port> | pingpong client <port> <round-trips>");
  return EXIT_FAILURE;
}
