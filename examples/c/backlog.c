/* backlog : la file d'attente d'un socket d'écoute. Le noyau termine la poignée de main des clients
 * sans attendre accept() ; listen(fd, 1) en garde deux sous Linux, et le SYN d'un troisième est ignoré
 * jusqu'à ce qu'un accept() fasse de la place (le client le réémet au bout d'une seconde).
 * Usage : backlog PORT. cc -Wall -Wextra -o backlog backlog.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

int main(int argc, char* argv[]) {
  int server_fd, client_fd, sock_fd[3], i, n, err;
  struct sockaddr_in addr;
  struct pollfd pfd;
  socklen_t len = sizeof(err);
  char buffer[64];

  if (argc != 2) {
    fprintf(stderr, "usage : backlog PORT\n");
    exit(2);
  }
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);

  // Un serveur qui écoute avec une file d'attente de 1, et n'appelle pas encore accept()
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  bind(server_fd, (struct sockaddr*)&addr, sizeof(addr));
  listen(server_fd, 1);

  // Deux clients se connectent : connect() réussit, la poignée de main se fait sans accept()
  for (i = 0; i < 2; i++) {
    sock_fd[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(sock_fd[i], (struct sockaddr*)&addr, sizeof(addr)) == 0) {
      printf("client %d connecté, sans accept()\n", i + 1);
    }
  }

  // Le premier peut même envoyer : les octets attendent dans la connexion pas encore acceptée
  send(sock_fd[0], "bonjour", 7, 0);

  // Un troisième client, non bloquant : la file est pleine, son SYN reste sans réponse
  sock_fd[2] = socket(AF_INET, SOCK_STREAM, 0);
  fcntl(sock_fd[2], F_SETFL, fcntl(sock_fd[2], F_GETFL, 0) | O_NONBLOCK);
  if (connect(sock_fd[2], (struct sockaddr*)&addr, sizeof(addr)) == -1 && errno == EINPROGRESS) {
    printf("client 3 : connexion en cours (EINPROGRESS)\n");
  }
  pfd.fd = sock_fd[2];
  pfd.events = POLLOUT;
  if (poll(&pfd, 1, 0) == 0) {
    printf("client 3 : toujours pas connecté, la file est pleine\n");
  }

  // accept() prend la plus ancienne connexion de la file, avec ce qui attendait dedans
  client_fd = accept(server_fd, NULL, NULL);
  n = recv(client_fd, buffer, sizeof(buffer), 0);
  printf("accept() : la connexion du client 1, qui avait envoyé \"%.*s\"\n", n, buffer);

  // Il y a de la place : le SYN réémis du client 3 passe
  poll(&pfd, 1, -1);
  getsockopt(sock_fd[2], SOL_SOCKET, SO_ERROR, &err, &len);
  if (err == 0) {
    printf("client 3 connecté à son tour\n");
  }

  // Nettoyer
  close(client_fd);
  for (i = 0; i < 3; i++) {
    close(sock_fd[i]);
  }
  close(server_fd);
  return 0;
}
