/* halfclient : envoie sa requête, ferme son côté de la connexion avec shutdown(SHUT_WR) (un FIN part :
 * « j'ai fini d'écrire »), puis lit la réponse jusqu'à la fin. Va avec halfserver.
 * Usage : halfclient PORT MESSAGE.
 * cc -Wall -Wextra -o halfclient halfclient.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

int main(int argc, char* argv[]) {
  int sock_fd, n;
  struct sockaddr_in server_addr;
  char buffer[1024];

  if (argc != 3) {
    fprintf(stderr, "usage : halfclient PORT MESSAGE\n");
    exit(2);
  }
  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &server_addr.sin_addr);
  if (connect(sock_fd, (struct sockaddr*)&server_addr, sizeof(server_addr)) < 0) {
    perror("Échec de la connexion");
    exit(EXIT_FAILURE);
  }

  // La requête, puis « j'ai fini d'écrire » : le serveur verra la fin du flux
  send(sock_fd, argv[2], strlen(argv[2]), 0);
  shutdown(sock_fd, SHUT_WR);

  // Lire la réponse jusqu'à ce que le serveur ferme à son tour
  while ((n = recv(sock_fd, buffer, sizeof(buffer), 0)) > 0) {
    printf("réponse : %.*s", n, buffer);
  }
  printf("recv a rendu %d : le serveur a fermé\n", n);
  close(sock_fd);
  return 0;
}
