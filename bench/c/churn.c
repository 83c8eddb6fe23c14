/* Churn: n connections, each connect + close on the client against
 * accept + close on the server.
 *   churn server <port> <n>
 *   churn client <port> <n> */
#include "common.h"

static int server(int port, long long count) {
  int listen_fd = listen_on(port);
  long long cpu0 = cpu_us();
  for (long long i = 0; i < count; i++) {
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0) die("accept");
    close(fd);
  }
  close(listen_fd);
  printf("done n=%lld cpu_us=%lld\n", count, cpu_us() - cpu0);
  return 0;
}

static int client(int port, long long count) {
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  long long t0 = now_ns();
  for (long long i = 0; i < count; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr*)&addr, sizeof(addr)) < 0) die("connect");
    close(fd);
  }
  printf("done n=%lld ns=%lld\n", count, now_ns() - t0);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 4 && strcmp(argv[1], "server") == 0) return server((int)arg_count(argv[2]), arg_count(argv[3]));
  if (argc == 4 && strcmp(argv[1], "client") == 0) return client((int)arg_count(argv[2]), arg_count(argv[3]));
  usage("churn server <port> <n> | churn client <port> <n>");
  return EXIT_FAILURE;
}
