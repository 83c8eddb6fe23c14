/* Opens n connections and holds them open and silent, so a server's
 * resident memory per idle connection can be read. Prints
 * "connected n=<n>", then waits for stdin to close before closing them.
 *   idle-client <port> <n> */
#include "common.h"

int main(int argc, char** argv) {
  if (argc != 3) usage("idle-client <port> <n>");
  int port = (int)arg_count(argv[1]);
  long long n = arg_count(argv[2]);
  int* fds = calloc((size_t)n + 1, sizeof(int));
  if (fds == NULL) die("calloc");
  for (long long i = 0; i < n; i++) fds[i] = connect_to(port);
  printf("connected n=%lld\n", n);
  fflush(stdout);
  char c;
  while (read(0, &c, 1) > 0) {
  }
  for (long long i = 0; i < n; i++) close(fds[i]);
  return 0;
}
