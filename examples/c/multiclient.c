/* multiclient : deux connexions au même serveur (A et B), qui parlent chacune à son tour et attendent
 * la réponse avant de continuer ; A part la première, et B l'apprend du serveur. Va avec multiserver.
 * Usage : multiclient PORT.
 * cc -Wall -Wextra -o multiclient multiclient.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

/* Se connecter au serveur */
int connecter(int port) {
  int sock_fd;
  struct sockaddr_in addr;

  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(sock_fd, (struct sockaddr*)&addr, sizeof(addr)) < 0) {
    perror("Échec de la connexion");
    exit(EXIT_FAILURE);
  }
  return sock_fd;
}

/* Envoyer texte sur fd, puis attendre ce que le serveur répond */
void dire(int fd, const char* nom, const char* texte) {
  char buffer[256];
  int n;

  if (texte != NULL) {
    send(fd, texte, strlen(texte), 0);
  }
  n = recv(fd, buffer, sizeof(buffer), 0);
  printf("%s reçoit : %.*s", nom, n, buffer);
}

int main(int argc, char* argv[]) {
  int a, b, port;

  if (argc != 2) {
    fprintf(stderr, "usage : multiclient PORT\n");
    exit(2);
  }
  port = atoi(argv[1]);
  a = connecter(port);
  b = connecter(port);

  dire(b, "B", "bonjour de B\n");
  dire(a, "A", "bonjour de A\n");
  close(a);
  dire(b, "B", NULL);
  close(b);
  return 0;
}
