/* framerecv : un flux d'octets n'a pas de frontières de messages. Premier client : trois send()
 * arrivent en un seul recv(). Second client : un message précédé de sa longueur (2 octets, ordre
 * réseau), lu par une boucle qui rappelle recv() jusqu'à la longueur. Va avec framesend.
 * Usage : framerecv PORT. cc -Wall -Wextra -o framerecv framerecv.c */
#define _GNU_SOURCE /* POLLRDHUP */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

/* Lire exactement len octets : recv() peut en rendre moins qu'on ne lui en demande */
int lire_tout(int fd, char* buf, int len) {
  int recus = 0, n;

  while (recus < len) {
    n = recv(fd, buf + recus, len - recus, 0);
    if (n <= 0) {
      return n; /* 0 : fin du flux ; -1 : erreur */
    }
    printf("  recv a rendu %d octets\n", n);
    recus += n;
  }
  return recus;
}

int main(int argc, char* argv[]) {
  int server_fd, client_fd, n;
  struct sockaddr_in server_addr;
  struct pollfd pfd;
  unsigned short longueur;
  char buffer[1024];

  if (argc != 2) {
    fprintf(stderr, "usage : framerecv PORT\n");
    exit(2);
  }
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server_addr.sin_port = htons(atoi(argv[1]));
  bind(server_fd, (struct sockaddr*)&server_addr, sizeof(server_addr));
  listen(server_fd, 3);
  printf("Serveur en écoute sur le port %d\n", atoi(argv[1]));

  // 1. Attendre que le client ait tout envoyé (POLLRDHUP : il a fermé son côté), puis un seul recv
  client_fd = accept(server_fd, NULL, NULL);
  pfd.fd = client_fd;
  pfd.events = POLLRDHUP;
  poll(&pfd, 1, -1);
  n = recv(client_fd, buffer, sizeof(buffer), 0);
  printf("un seul recv a rendu %d octets : \"%.*s\"\n", n, n, buffer);
  close(client_fd);

  // 2. La longueur d'abord, puis le message, chacun lu jusqu'au bout
  client_fd = accept(server_fd, NULL, NULL);
  if (lire_tout(client_fd, (char*)&longueur, sizeof(longueur)) <= 0) {
    exit(EXIT_FAILURE);
  }
  n = ntohs(longueur);
  if (lire_tout(client_fd, buffer, n) <= 0) {
    exit(EXIT_FAILURE);
  }
  printf("message de %d octets : \"%.*s\"\n", n, n, buffer);

  // Le client a fini : recv rend 0
  n = recv(client_fd, buffer, sizeof(buffer), 0);
  printf("puis recv a rendu %d : fin du flux\n", n);
  close(client_fd);
  close(server_fd);
  return 0;
}
