/* connectany : le client qui ne connaît qu'un nom. getaddrinfo() rend une liste d'adresses (IPv6 puis
 * IPv4 d'ordinaire) ; on essaie chacune tour à tour jusqu'à ce qu'un connect() réussisse. Sans nom
 * (NULL), getaddrinfo rend les adresses de bouclage des deux familles, ::1 et 127.0.0.1.
 * Usage : connectany HOTE|- PORT (- : NULL). cc -Wall -Wextra -o connectany connectany.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

int main(int argc, char* argv[]) {
  int sock_fd = -1, rv, n;
  struct addrinfo hints, *res, *p;
  char adresse[INET6_ADDRSTRLEN], buffer[1024];
  const char* hote;

  if (argc != 3) {
    fprintf(stderr, "usage : connectany HOTE|- PORT\n");
    exit(2);
  }
  hote = strcmp(argv[1], "-") == 0 ? NULL : argv[1];

  // Toutes les adresses, des deux familles, pour un socket TCP
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if ((rv = getaddrinfo(hote, argv[2], &hints, &res)) != 0) {
    fprintf(stderr, "getaddrinfo : %s\n", gai_strerror(rv));
    exit(EXIT_FAILURE);
  }

  // Chaque adresse à son tour, jusqu'à ce qu'une accepte
  for (p = res; p != NULL; p = p->ai_next) {
    if (p->ai_family == AF_INET6) {
      inet_ntop(AF_INET6, &((struct sockaddr_in6*)p->ai_addr)->sin6_addr, adresse, sizeof(adresse));
    } else {
      inet_ntop(AF_INET, &((struct sockaddr_in*)p->ai_addr)->sin_addr, adresse, sizeof(adresse));
    }
    sock_fd = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
    if (connect(sock_fd, p->ai_addr, p->ai_addrlen) == 0) {
      printf("%s : connecté\n", adresse);
      break;
    }
    printf("%s : %s, adresse suivante\n", adresse, strerror(errno));
    close(sock_fd);
  }
  freeaddrinfo(res);
  if (p == NULL) {
    fprintf(stderr, "aucune adresse n'a accepté\n");
    exit(EXIT_FAILURE);
  }

  // Connecté : lire ce que le serveur envoie
  n = recv(sock_fd, buffer, sizeof(buffer), 0);
  printf("reçu : %.*s", n, buffer);
  close(sock_fd);
  return 0;
}
