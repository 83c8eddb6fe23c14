/* The seed's TCP server, as a C reference for the TypeScript port (examples/server.ts): it listens on
 * port 8080, accepts one connection, sends one line and closes. Build: cc -Wall -Wextra -o server server.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

int main(void) {
  int server_fd, client_fd;
  struct sockaddr_in server_addr, client_addr;
  socklen_t client_len = sizeof(client_addr);
  const char* message = "Hello from server!\n";

  /* A TCP socket over IPv4. */
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (server_fd == -1) {
    perror("Échec de la création du socket");
    exit(EXIT_FAILURE);
  }

  /* Every local address, port 8080 (both fields in network byte order). */
  memset(&server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = INADDR_ANY;
  server_addr.sin_port = htons(8080);

  if (bind(server_fd, (struct sockaddr*)&server_addr, sizeof(server_addr)) < 0) {
    perror("Échec de la liaison");
    exit(EXIT_FAILURE);
  }

  /* A backlog of 3 pending connections. */
  if (listen(server_fd, 3) < 0) {
    perror("Échec de l'écoute");
    exit(EXIT_FAILURE);
  }
  printf("Serveur en écoute sur le port 8080...\n");

  /* Blocks until a client has completed the handshake. */
  client_fd = accept(server_fd, (struct sockaddr*)&client_addr, &client_len);
  if (client_fd < 0) {
    perror("Échec de l'acceptation");
    exit(EXIT_FAILURE);
  }
  printf("Connexion acceptée\n");

  send(client_fd, message, strlen(message), 0);

  close(client_fd);
  close(server_fd);
  return 0;
}
