// Reference for test/netdb.test.ts: what the C library's older lookups answer, in a form the test parses.
//   netdb host NAME                 -> "null H_ERRNO", or "name N", "alias A"..., "type T", "length L", "addr HEX"...
//   netdb addr FAMILY LEN HEX       -> the same, for gethostbyaddr of the bytes HEX (errno too when NULL)
//   netdb serv NAME PROTO           -> "null", or "name N", "alias A"..., "port P" (s_port as stored), "proto P"
//   netdb port PORT PROTO           -> the same, for getservbyport (PORT as C passes it: network order)
//   netdb herror H_ERRNO PREFIX     -> herror(PREFIX) with h_errno set ("-" for NULL): on stderr
//   netdb hstrerror                 -> "N message" for N in -1..6
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char* arg(const char* s) { return strcmp(s, "-") == 0 ? NULL : s; }

static int host(struct hostent* he) {
  if (he == NULL) {
    printf("null %d\n", h_errno);
    return 0;
  }
  printf("name %s\n", he->h_name);
  for (char** a = he->h_aliases; *a != NULL; a++) printf("alias %s\n", *a);
  printf("type %d\nlength %d\n", he->h_addrtype, he->h_length);
  for (char** p = he->h_addr_list; *p != NULL; p++) {
    printf("addr ");
    for (int i = 0; i < he->h_length; i++) printf("%02x", (unsigned char)(*p)[i]);
    printf("\n");
  }
  return 0;
}

static int serv(struct servent* se) {
  if (se == NULL) {
    printf("null\n");
    return 0;
  }
  printf("name %s\n", se->s_name);
  for (char** a = se->s_aliases; *a != NULL; a++) printf("alias %s\n", *a);
  printf("port %d\nproto %s\n", se->s_port, se->s_proto);
  return 0;
}

static int addr(char** argv) {
  unsigned char bytes[64];
  size_t n = strlen(argv[2]) / 2;
  if (n > sizeof(bytes)) return 2;
  for (size_t i = 0; i < n; i++) sscanf(argv[2] + 2 * i, "%2hhx", &bytes[i]);
  errno = 0;
  struct hostent* he = gethostbyaddr(bytes, (socklen_t)atoi(argv[1]), atoi(argv[0]));
  if (he == NULL) printf("errno %d\n", errno);
  return host(he);
}

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "host") == 0) return host(gethostbyname(argv[2]));
  if (argc == 5 && strcmp(argv[1], "addr") == 0) return addr(argv + 2);
  if (argc == 4 && strcmp(argv[1], "serv") == 0) return serv(getservbyname(argv[2], arg(argv[3])));
  if (argc == 4 && strcmp(argv[1], "port") == 0) return serv(getservbyport(atoi(argv[2]), arg(argv[3])));
  if (argc == 4 && strcmp(argv[1], "herror") == 0) {
    h_errno = atoi(argv[2]);
    herror(arg(argv[3]));
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "hstrerror") == 0) {
    for (int n = -1; n <= 6; n++) printf("%d %s\n", n, hstrerror(n));
    return 0;
  }
  fprintf(stderr,
          "usage: netdb host NAME | addr FAMILY LEN HEX | serv NAME PROTO | port PORT PROTO | herror N PREFIX | "
          "hstrerror\n");
  return 2;
}
