/* streamserver: a TCP server that sends "Hello, world!" to each client, then closes that connection.
 * Usage: streamserver PORT COUNT   (PORT 0: the kernel picks a free port; COUNT connections, then exit)
 * Output: "server: waiting for connections on port N...", then for each connection
 * "server: got connection from 127.0.0.1". Pairs with streamclient.
 * Build: cc -Wall -Wextra -o streamserver streamserver.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>
#include <arpa/inet.h>

#define BACKLOG 10 /* how many pending connections the kernel queues before accept */

/* The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants. */
void* get_in_addr(struct sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    return &(((struct sockaddr_in*)sa)->sin_addr);
  }
  return &(((struct sockaddr_in6*)sa)->sin6_addr);
}

int main(int argc, char* argv[]) {
  int sockfd, new_fd; /* listen on sockfd, talk to a client on new_fd */
  struct addrinfo hints, *servinfo, *p;
  struct sockaddr_storage their_addr; /* big enough for any family's address */
  struct sockaddr_in bound;
  socklen_t sin_size;
  int yes = 1;
  char s[INET6_ADDRSTRLEN];
  const char* msg = "Hello, world!";
  int rv, count, served;

  if (argc != 3) {
    fprintf(stderr, "usage: streamserver PORT COUNT\n");
    exit(1);
  }
  count = atoi(argv[2]);

  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;

  /* Loopback only: this server is never reachable from another machine. */
  if ((rv = getaddrinfo("127.0.0.1", argv[1], &hints, &servinfo)) != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
    return 1;
  }

  /* Bind to the first result that works. */
  for (p = servinfo; p != NULL; p = p->ai_next) {
    if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
      perror("server: socket");
      continue;
    }

    /* A port left in TIME_WAIT by an earlier run can be bound again at once. */
    if (setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == -1) {
      perror("setsockopt");
      exit(1);
    }

    if (bind(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
      close(sockfd);
      perror("server: bind");
      continue;
    }

    break;
  }

  freeaddrinfo(servinfo); /* all done with this structure */

  if (p == NULL) {
    fprintf(stderr, "server: failed to bind\n");
    exit(1);
  }

  if (listen(sockfd, BACKLOG) == -1) {
    perror("listen");
    exit(1);
  }

  /* With port 0 only the kernel knows which port it chose: ask it. */
  sin_size = sizeof bound;
  if (getsockname(sockfd, (struct sockaddr*)&bound, &sin_size) == -1) {
    perror("getsockname");
    exit(1);
  }
  printf("server: waiting for connections on port %d...\n", ntohs(bound.sin_port));

  for (served = 0; served < count; served++) {
    sin_size = sizeof their_addr;
    new_fd = accept(sockfd, (struct sockaddr*)&their_addr, &sin_size);
    if (new_fd == -1) {
      perror("accept");
      continue;
    }

    inet_ntop(their_addr.ss_family, get_in_addr((struct sockaddr*)&their_addr), s, sizeof s);
    printf("server: got connection from %s\n", s);

    if (send(new_fd, msg, strlen(msg), 0) == -1) {
      perror("send");
    }
    close(new_fd);
  }

  close(sockfd);
  return 0;
}
