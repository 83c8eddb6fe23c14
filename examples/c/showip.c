/* showip: prints every address getaddrinfo gives for a host, IPv4 and IPv6 alike.
 * Usage: showip HOST   (e.g. showip localhost, showip 127.0.0.1, showip ::1)
 * Output: "IP addresses for HOST:" then one line per address, "  IPv4: 127.0.0.1" or "  IPv6: ::1".
 * Exit: 0, 1 on a usage error, 2 when getaddrinfo fails (its message on stderr).
 * Build: cc -Wall -Wextra -o showip showip.c */
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <netinet/in.h>

int main(int argc, char* argv[]) {
  struct addrinfo hints, *res, *p;
  int status;
  char ipstr[INET6_ADDRSTRLEN];

  if (argc != 2) {
    fprintf(stderr, "usage: showip HOST\n");
    return 1;
  }

  /* Zeroed hints mean "no preference" for every field not set below. */
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;     /* IPv4 or IPv6, whichever the host has */
  hints.ai_socktype = SOCK_STREAM; /* one entry per address, not one per socket type */

  if ((status = getaddrinfo(argv[1], NULL, &hints, &res)) != 0) {
    /* getaddrinfo does not set errno: its own code has its own message. */
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(status));
    return 2;
  }

  printf("IP addresses for %s:\n", argv[1]);

  for (p = res; p != NULL; p = p->ai_next) {
    void* addr;
    char* ipver;

    /* ai_addr is a generic struct sockaddr *: the family says which struct it really points to. */
    if (p->ai_family == AF_INET) {
      struct sockaddr_in* ipv4 = (struct sockaddr_in*)p->ai_addr;
      addr = &(ipv4->sin_addr);
      ipver = "IPv4";
    } else {
      struct sockaddr_in6* ipv6 = (struct sockaddr_in6*)p->ai_addr;
      addr = &(ipv6->sin6_addr);
      ipver = "IPv6";
    }

    /* The binary address (network byte order) to its printable form. */
    inet_ntop(p->ai_family, addr, ipstr, sizeof ipstr);
    printf("  %s: %s\n", ipver, ipstr);
  }

  /* The whole linked list was allocated by getaddrinfo: one call frees it. */
  freeaddrinfo(res);
  return 0;
}
