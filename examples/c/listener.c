/* listener: a UDP receiver. No connection: each datagram arrives whole, with its sender's address.
 * Usage: listener PORT COUNT   (PORT 0: the kernel picks a free port; COUNT datagrams, then exit)
 * Output: "listener: waiting to recvfrom on port N...", then for each datagram
 * "listener: got packet from 127.0.0.1", "listener: packet is 5 bytes long",
 * "listener: packet contains \"hello\"". Pairs with talker.
 * Build: cc -Wall -Wextra -o listener listener.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>
#include <arpa/inet.h>

#define MAXBUFLEN 100

/* The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants. */
void* get_in_addr(struct sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    return &(((struct sockaddr_in*)sa)->sin_addr);
  }
  return &(((struct sockaddr_in6*)sa)->sin6_addr);
}

int main(int argc, char* argv[]) {
  int sockfd;
  struct addrinfo hints, *servinfo, *p;
  int rv, count, got;
  int numbytes;
  struct sockaddr_storage their_addr;
  struct sockaddr_in bound;
  char buf[MAXBUFLEN];
  socklen_t addr_len;
  char s[INET6_ADDRSTRLEN];

  if (argc != 3) {
    fprintf(stderr, "usage: listener PORT COUNT\n");
    exit(1);
  }
  count = atoi(argv[2]);

  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM; /* UDP */

  if ((rv = getaddrinfo("127.0.0.1", argv[1], &hints, &servinfo)) != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
    return 1;
  }

  for (p = servinfo; p != NULL; p = p->ai_next) {
    if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
      perror("listener: socket");
      continue;
    }
    if (bind(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
      close(sockfd);
      perror("listener: bind");
      continue;
    }
    break;
  }

  if (p == NULL) {
    fprintf(stderr, "listener: failed to bind socket\n");
    return 2;
  }

  freeaddrinfo(servinfo);

  /* No listen and no accept: a bound datagram socket receives at once. */
  addr_len = sizeof bound;
  if (getsockname(sockfd, (struct sockaddr*)&bound, &addr_len) == -1) {
    perror("getsockname");
    exit(1);
  }
  printf("listener: waiting to recvfrom on port %d...\n", ntohs(bound.sin_port));

  for (got = 0; got < count; got++) {
    /* addr_len is in/out: how much room there is, then how much the address took. */
    addr_len = sizeof their_addr;
    if ((numbytes = recvfrom(sockfd, buf, MAXBUFLEN - 1, 0, (struct sockaddr*)&their_addr, &addr_len)) == -1) {
      perror("recvfrom");
      exit(1);
    }

    printf("listener: got packet from %s\n",
           inet_ntop(their_addr.ss_family, get_in_addr((struct sockaddr*)&their_addr), s, sizeof s));
    printf("listener: packet is %d bytes long\n", numbytes);
    buf[numbytes] = '\0'; /* a datagram carries bytes, not a C string */
    printf("listener: packet contains \"%s\"\n", buf);
  }

  close(sockfd);
  return 0;
}
