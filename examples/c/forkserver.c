/* forkserver: the stream server with one child process per connection, as servers were written before
 * poll and threads: the parent only accepts, each child serves one client and exits. Usage: forkserver
 * PORT COUNT (PORT 0: any free port; COUNT connections, then it exits once every child is reaped).
 * Output: "server: waiting for connections on port N...", then for each connection "server: got
 * connection from 127.0.0.1, served by process PID". Pairs with streamclient. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netdb.h>
#include <arpa/inet.h>

#define BACKLOG 10 /* how many pending connections the kernel queues before accept */

/* Reaps every child that has ended, so none stays a zombie. */
void sigchld_handler(int s) {
  (void)s;
  /* waitpid can overwrite errno while the interrupted code is about to read it: keep it. */
  int saved_errno = errno;

  /* One SIGCHLD can stand for several children: reap until none is left to reap. */
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }

  errno = saved_errno;
}

/* The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants. */
void* get_in_addr(struct sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    return &(((struct sockaddr_in*)sa)->sin_addr);
  }
  return &(((struct sockaddr_in6*)sa)->sin6_addr);
}

int main(int argc, char* argv[]) {
  int sockfd, new_fd; /* listen on sockfd, a child talks to its client on new_fd */
  struct addrinfo hints, *servinfo, *p;
  struct sockaddr_storage their_addr;
  struct sockaddr_in bound;
  socklen_t sin_size;
  struct sigaction sa;
  int yes = 1;
  char s[INET6_ADDRSTRLEN];
  const char* msg = "Hello, world!";
  int rv, count, served;
  pid_t pid;

  if (argc != 3) {
    fprintf(stderr, "usage: forkserver PORT COUNT\n");
    exit(1);
  }
  count = atoi(argv[2]);

  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;

  if ((rv = getaddrinfo("127.0.0.1", argv[1], &hints, &servinfo)) != 0) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
    return 1;
  }

  for (p = servinfo; p != NULL; p = p->ai_next) {
    if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
      perror("server: socket");
      continue;
    }
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

  freeaddrinfo(servinfo);

  if (p == NULL) {
    fprintf(stderr, "server: failed to bind\n");
    exit(1);
  }

  if (listen(sockfd, BACKLOG) == -1) {
    perror("listen");
    exit(1);
  }

  /* SA_RESTART: an accept interrupted by SIGCHLD starts again instead of failing with EINTR. */
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = sigchld_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (sigaction(SIGCHLD, &sa, NULL) == -1) {
    perror("sigaction");
    exit(1);
  }

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

    pid = fork();
    if (pid == -1) {
      perror("fork");
      close(new_fd);
      continue;
    }
    if (pid == 0) {
      /* The child: it has copies of both descriptors and needs only the client's. */
      close(sockfd);
      if (send(new_fd, msg, strlen(msg), 0) == -1) {
        perror("send");
      }
      close(new_fd);
      exit(0);
    }

    /* The parent: only the child talks to this client. Printed here, so lines come in accept order. */
    printf("server: got connection from %s, served by process %d\n", s, (int)pid);
    close(new_fd);
  }

  close(sockfd);

  /* Children still running are waited for; the handler may reap some meanwhile, then ECHILD ends this. */
  while (waitpid(-1, NULL, 0) > 0) {
  }
  return 0;
}
