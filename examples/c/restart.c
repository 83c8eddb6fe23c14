/* restart : un serveur qui s'arrête puis redémarre aussitôt sur le même port. Un client (dans le même
 * programme) se connecte ; le serveur ferme la connexion le premier, s'arrête, puis refait bind().
 * Usage : restart [-r] PORT   (-r : SO_REUSEADDR sur les sockets d'écoute, avant bind)
 * Sortie : le second bind échoue (EADDRINUSE, code 1) sans -r, réussit avec. cc -Wall -Wextra -o restart restart.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

/* Créer le socket d'écoute, avec SO_REUSEADDR si reuse, le lier au port et écouter */
int demarrer(int port, int reuse) {
  int server_fd, un = 1;
  struct sockaddr_in server_addr;

  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (reuse) {
    setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, &un, sizeof(un));
  }
  memset(&server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server_addr.sin_port = htons(port);
  if (bind(server_fd, (struct sockaddr*)&server_addr, sizeof(server_addr)) < 0) {
    perror("Échec de la liaison");
    close(server_fd);
    return -1;
  }
  listen(server_fd, 3);
  printf("Serveur en écoute sur le port %d\n", port);
  return server_fd;
}

int main(int argc, char* argv[]) {
  int server_fd, client_fd, sock_fd, port, reuse;
  struct sockaddr_in addr;
  char buffer[16];

  reuse = argc == 3 && strcmp(argv[1], "-r") == 0;
  if (argc != 2 + reuse) {
    fprintf(stderr, "usage : restart [-r] PORT\n");
    exit(2);
  }
  port = atoi(argv[argc - 1]);

  // Premier démarrage
  server_fd = demarrer(port, reuse);
  if (server_fd < 0) {
    exit(EXIT_FAILURE);
  }

  // Un client se connecte
  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  connect(sock_fd, (struct sockaddr*)&addr, sizeof(addr));
  client_fd = accept(server_fd, NULL, NULL);

  // Le serveur ferme la connexion le premier, puis s'arrête
  close(client_fd);
  close(server_fd);

  // Le client lit la fin du flux (recv rend 0) et ferme à son tour
  recv(sock_fd, buffer, sizeof(buffer), 0);
  close(sock_fd);
  printf("Le serveur s'est arrêté ; il redémarre\n");

  // Second démarrage, sur le même port
  server_fd = demarrer(port, reuse);
  if (server_fd < 0) {
    printf("Impossible de redémarrer : le port %d est encore pris\n", port);
    return 1;
  }
  printf("Redémarré\n");
  close(server_fd);
  return 0;
}
