/* framesend : le client de framerecv. Premier envoi : trois send() de suite (TCP_NODELAY : chacun part
 * aussitôt dans son propre segment), puis close(). Second envoi : un message de 16 octets précédé de sa
 * longueur, en deux send(). Usage : framesend PORT.
 * cc -Wall -Wextra -o framesend framesend.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

/* Se connecter au serveur, avec TCP_NODELAY */
int connecter(int port) {
  int sock_fd, un = 1;
  struct sockaddr_in server_addr;

  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(sock_fd, IPPROTO_TCP, TCP_NODELAY, &un, sizeof(un));
  memset(&server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &server_addr.sin_addr);
  if (connect(sock_fd, (struct sockaddr*)&server_addr, sizeof(server_addr)) < 0) {
    perror("Échec de la connexion");
    exit(EXIT_FAILURE);
  }
  return sock_fd;
}

int main(int argc, char* argv[]) {
  int sock_fd, port;
  unsigned short longueur;
  char message[64];

  if (argc != 2) {
    fprintf(stderr, "usage : framesend PORT\n");
    exit(2);
  }
  port = atoi(argv[1]);

  // 1. Trois messages, trois send()
  sock_fd = connecter(port);
  send(sock_fd, "Bonjour ", 8, 0);
  send(sock_fd, "le ", 3, 0);
  send(sock_fd, "monde", 5, 0);
  close(sock_fd);
  printf("envoyé : \"Bonjour \", \"le \", \"monde\" en trois send()\n");

  // 2. La longueur (16, en ordre réseau) et le début du message, puis la fin
  sock_fd = connecter(port);
  longueur = htons(16);
  memcpy(message, &longueur, 2);
  memcpy(message + 2, "Bonjour ", 8);
  send(sock_fd, message, 10, 0);
  send(sock_fd, "le monde", 8, 0);
  printf("envoyé : la longueur (16) et \"Bonjour \", puis \"le monde\"\n");
  close(sock_fd);
  return 0;
}
