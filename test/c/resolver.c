// Reference for test/resolver.test.ts: what the C library's resolver answers, in a form the test parses.
//   resolver strerror                      -> "NAME value text" for each EAI_* this libc defines
//   resolver query NODE SERVICE FLAGS FAMILY SOCKTYPE
//                                          -> "status N", then "ai FAMILY SOCKTYPE PROTOCOL ADDRLEN HEX" per
//                                             result ("-" for a NULL node, service or hints)
//   resolver nameinfo ADDRESS PORT HOSTLEN SERVLEN FLAGS
//                                          -> "status N", then "host TEXT" and "serv TEXT" on success
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static void code(const char* name, int value) { printf("%s %d %s\n", name, value, gai_strerror(value)); }

static int strerrors(void) {
#define EAI(name) code(#name, name)
  EAI(EAI_AGAIN);
  EAI(EAI_BADFLAGS);
  EAI(EAI_FAIL);
  EAI(EAI_FAMILY);
  EAI(EAI_MEMORY);
  EAI(EAI_NONAME);
  EAI(EAI_SERVICE);
  EAI(EAI_SOCKTYPE);
  EAI(EAI_SYSTEM);
  EAI(EAI_OVERFLOW);
#ifdef EAI_NODATA
  EAI(EAI_NODATA);
#endif
#ifdef EAI_ADDRFAMILY
  EAI(EAI_ADDRFAMILY);
#endif
#undef EAI
  return 0;
}

static const char* arg(const char* s) { return strcmp(s, "-") == 0 ? NULL : s; }

static int query(char** argv) {
  struct addrinfo hints, *res, *p;
  memset(&hints, 0, sizeof(hints));
  hints.ai_flags = atoi(argv[2]);
  hints.ai_family = atoi(argv[3]);
  hints.ai_socktype = atoi(argv[4]);
  int status = getaddrinfo(arg(argv[0]), arg(argv[1]), &hints, &res);
  printf("status %d\n", status);
  if (status != 0) return 0;
  for (p = res; p != NULL; p = p->ai_next) {
    printf("ai %d %d %d %u ", p->ai_family, p->ai_socktype, p->ai_protocol, (unsigned)p->ai_addrlen);
    for (socklen_t i = 0; i < p->ai_addrlen; i++) printf("%02x", ((unsigned char*)p->ai_addr)[i]);
    printf("\n");
  }
  freeaddrinfo(res);
  return 0;
}

static int nameinfo(char** argv) {
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in* in = (struct sockaddr_in*)&ss;
  struct sockaddr_in6* in6 = (struct sockaddr_in6*)&ss;
  if (inet_pton(AF_INET, argv[0], &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons((unsigned short)atoi(argv[1]));
    len = sizeof(*in);
  } else if (inet_pton(AF_INET6, argv[0], &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((unsigned short)atoi(argv[1]));
    len = sizeof(*in6);
  } else {
    fprintf(stderr, "not a numeric address: %s\n", argv[0]);
    return 1;
  }
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  int status = getnameinfo((struct sockaddr*)&ss, len, host, (socklen_t)atoi(argv[2]), serv, (socklen_t)atoi(argv[3]),
                           atoi(argv[4]));
  printf("status %d\n", status);
  if (status == 0) printf("host %s\nserv %s\n", host, serv);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "strerror") == 0) return strerrors();
  if (argc == 7 && strcmp(argv[1], "query") == 0) return query(argv + 2);
  if (argc == 7 && strcmp(argv[1], "nameinfo") == 0) return nameinfo(argv + 2);
  fprintf(stderr,
          "usage: resolver strerror | query NODE SERVICE FLAGS FAMILY SOCKTYPE | nameinfo ADDR PORT HOSTLEN SERVLEN "
          "FLAGS\n");
  return 2;
}
