/* The C library's own answers, for test/errno.test.ts to compare with
 * bsdsock's strerror and perror.
 *
 *   errno strerror N...   prints "N<TAB>strerror(N)" per line on stdout
 *   errno perror N S      sets errno to N and calls perror(S) ("-" for NULL)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc >= 2 && strcmp(argv[1], "strerror") == 0) {
    for (int i = 2; i < argc; i++) {
      int n = atoi(argv[i]);
      printf("%d\t%s\n", n, strerror(n));
    }
    return 0;
  }
  if (argc == 4 && strcmp(argv[1], "perror") == 0) {
    errno = atoi(argv[2]);
    perror(strcmp(argv[3], "-") == 0 ? NULL : argv[3]);
    return 0;
  }
  fprintf(stderr, "usage: errno strerror N... | errno perror N S\n");
  return 2;
}
