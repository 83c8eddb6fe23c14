/* nbconnect : connect() sur un socket non bloquant rend la main tout de suite, avec EINPROGRESS ; la
 * poignée de main continue sans le programme. poll() (POLLOUT) dit quand elle est finie, et
 * getsockopt(SO_ERROR) comment : 0 si la connexion est établie, ECONNREFUSED si un RST a répondu.
 * Usage : nbconnect PORT (un serveur écoute sur PORT, personne sur PORT+1). cc -o nbconnect nbconnect.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

/* Se connecter sans attendre, puis attendre avec poll, et demander le résultat */
int connecter(int port) {
  int sock_fd, err;
  struct sockaddr_in addr;
  struct pollfd pfd;
  socklen_t len = sizeof(err);

  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  fcntl(sock_fd, F_SETFL, fcntl(sock_fd, F_GETFL, 0) | O_NONBLOCK);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(sock_fd, (struct sockaddr*)&addr, sizeof(addr)) == -1 && errno == EINPROGRESS) {
    printf("port %d : connect rend -1, EINPROGRESS : la connexion est en cours\n", port);
  }

  // Le programme pourrait faire autre chose ici ; il attend que le socket devienne inscriptible
  pfd.fd = sock_fd;
  pfd.events = POLLOUT;
  poll(&pfd, 1, -1);
  getsockopt(sock_fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err == 0) {
    printf("port %d : connecté\n", port);
  } else {
    printf("port %d : échec, SO_ERROR = %s\n", port, strerror(err));
  }
  return sock_fd;
}

int main(int argc, char* argv[]) {
  int server_fd, client_fd, sock_fd, port;
  struct sockaddr_in addr;

  if (argc != 2) {
    fprintf(stderr, "usage : nbconnect PORT\n");
    exit(2);
  }
  port = atoi(argv[1]);

  // Un serveur qui écoute sur port (et personne sur port + 1)
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bind(server_fd, (struct sockaddr*)&addr, sizeof(addr));
  listen(server_fd, 3);

  // Vers le serveur : EINPROGRESS, puis poll, puis SO_ERROR = 0
  sock_fd = connecter(port);
  client_fd = accept(server_fd, NULL, NULL);
  close(client_fd);
  close(sock_fd);

  // Vers un port fermé : EINPROGRESS aussi ; c'est SO_ERROR qui dit ECONNREFUSED
  sock_fd = connecter(port + 1);
  close(sock_fd);
  close(server_fd);
  return 0;
}
