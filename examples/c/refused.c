/* refused : se connecter à un port où personne n'écoute. Le noyau répond au SYN par un RST, et
 * connect() échoue avec ECONNREFUSED ; un socket lié (bind) mais qui n'écoute pas (pas de listen)
 * refuse de même ; après listen(), la même adresse accepte. Usage : refused PORT.
 * cc -Wall -Wextra -o refused refused.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

/* Un client qui essaie de se connecter à addr, et dit ce qui s'est passé */
int essayer(struct sockaddr_in* addr, const char* quand) {
  int sock_fd, r;

  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  r = connect(sock_fd, (struct sockaddr*)addr, sizeof(*addr));
  if (r < 0) {
    printf("%s : échec de la connexion : %s\n", quand, strerror(errno));
  } else {
    printf("%s : connecté\n", quand);
  }
  close(sock_fd);
  return r;
}

int main(int argc, char* argv[]) {
  int server_fd;
  struct sockaddr_in addr;

  if (argc != 2) {
    fprintf(stderr, "usage : refused PORT\n");
    exit(2);
  }
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);

  // Personne sur ce port : RST, ECONNREFUSED
  essayer(&addr, "personne");

  // Un socket lié au port, mais sans listen() : toujours refusé
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  bind(server_fd, (struct sockaddr*)&addr, sizeof(addr));
  essayer(&addr, "bind sans listen");

  // Avec listen(), le noyau répond SYN-ACK à la place du RST
  listen(server_fd, 3);
  essayer(&addr, "après listen");

  close(server_fd);
  return 0;
}
