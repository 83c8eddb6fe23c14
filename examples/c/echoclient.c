/* echoclient: sends each line of its stdin to an echo server and waits for the same bytes back.
 * Usage: echoclient PORT   (the server is 127.0.0.1:PORT)
 * Output: "echoclient: connected to 127.0.0.1 port N", then for each line "echoclient: echoed 'LINE'",
 * then "echoclient: done" at the end of stdin. Pairs with epollserver.
 * Build: cc -Wall -Wextra -o echoclient echoclient.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

int main(int argc, char* argv[]) {
  int sockfd;
  struct sockaddr_in server_addr;
  char line[256], echo[256];
  int len, got, nbytes;

  if (argc != 2) {
    fprintf(stderr, "usage: echoclient PORT\n");
    exit(1);
  }

  sockfd = socket(AF_INET, SOCK_STREAM, 0);
  if (sockfd == -1) {
    perror("socket");
    exit(1);
  }

  memset(&server_addr, 0, sizeof server_addr);
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &server_addr.sin_addr);

  if (connect(sockfd, (struct sockaddr*)&server_addr, sizeof server_addr) == -1) {
    perror("connect");
    exit(2);
  }
  printf("echoclient: connected to 127.0.0.1 port %d\n", ntohs(server_addr.sin_port));

  while (fgets(line, sizeof line, stdin) != NULL) {
    len = strlen(line);
    if (send(sockfd, line, len, 0) == -1) {
      perror("send");
      exit(1);
    }

    /* TCP is a byte stream: the echo may come back in pieces, so read until all of it is here. */
    for (got = 0; got < len; got += nbytes) {
      nbytes = recv(sockfd, echo + got, len - got, 0);
      if (nbytes <= 0) {
        fprintf(stderr, "echoclient: the server closed the connection\n");
        exit(1);
      }
    }
    echo[len] = '\0';

    if (len > 0 && echo[len - 1] == '\n') {
      echo[len - 1] = '\0'; /* the line's own newline is not part of what we quote */
    }
    printf("echoclient: echoed '%s'\n", echo);
  }

  close(sockfd);
  printf("echoclient: done\n");
  return 0;
}
