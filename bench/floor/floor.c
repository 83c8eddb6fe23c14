/* The floor's C row: recv(2) of one byte that is always waiting (MSG_PEEK leaves it there), n times
 * on one end of a socketpair, as bench/floor/floor.ts does from JavaScript.
 *   floor <n> */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <valgrind/callgrind.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: floor <n>\n");
    return EXIT_FAILURE;
  }
  long long n = atoll(argv[1]);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || send(sv[0], "x", 1, 0) != 1) {
    perror("socketpair");
    return EXIT_FAILURE;
  }
  unsigned char byte;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CALLGRIND_TOGGLE_COLLECT; /* only the loop is counted (run.sh: --collect-atstart=no) */
  for (long long i = 0; i < n; i++) {
    if (recv(sv[1], &byte, 1, MSG_PEEK | MSG_DONTWAIT) != 1) {
      perror("recv");
      return EXIT_FAILURE;
    }
  }
  CALLGRIND_TOGGLE_COLLECT;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
  printf("done n=%lld ns_per_call=%.1f\n", n, n > 0 ? ns / (double)n : 0.0);
  return 0;
}
