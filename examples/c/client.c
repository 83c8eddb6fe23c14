/* The seed's TCP client, as a C reference for the TypeScript port (examples/client.ts): it connects to
 * 127.0.0.1:8080 and prints the server's message. Build: cc -Wall -Wextra -o client client.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

int main(void) {
  int sock_fd;
  struct sockaddr_in server_addr;
  char buffer[1024] = {0};

  /* A TCP socket over IPv4. */
  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (sock_fd == -1) {
    perror("Échec de la création du socket");
    exit(EXIT_FAILURE);
  }

  /* The server: 127.0.0.1, port 8080 (both fields in network byte order). */
  memset(&server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(8080);
  inet_pton(AF_INET, "127.0.0.1", &server_addr.sin_addr);

  if (connect(sock_fd, (struct sockaddr*)&server_addr, sizeof(server_addr)) < 0) {
    perror("Échec de la connexion");
    exit(EXIT_FAILURE);
  }
  printf("Connecté au serveur\n");

  /* One recv: the server's single short line. One byte is kept for the NUL that %s needs. */
  recv(sock_fd, buffer, sizeof(buffer) - 1, 0);
  printf("Message du serveur: %s", buffer);

  close(sock_fd);
  return 0;
}
