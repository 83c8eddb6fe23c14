/* brokenpipe : écrire vers un pair qui a fermé. Un socket fermé avec des octets non lus répond par un
 * RST (recv de l'autre côté : ECONNRESET). Un pair qui a fermé normalement (FIN) répond au premier
 * envoi par un RST ; le send suivant échoue avec EPIPE, et le noyau envoie SIGPIPE, qui tue un
 * programme C (sauf MSG_NOSIGNAL, ou SIGPIPE ignoré : Node l'ignore). Usage : brokenpipe PORT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

/* Un client se connecte au serveur, qui l'accepte : les deux bouts d'une connexion */
void connexion(int server_fd, struct sockaddr_in* addr, int* client, int* serveur) {
  *client = socket(AF_INET, SOCK_STREAM, 0);
  connect(*client, (struct sockaddr*)addr, sizeof(*addr));
  *serveur = accept(server_fd, NULL, NULL);
}

int main(int argc, char* argv[]) {
  int server_fd, client, serveur, n;
  struct sockaddr_in addr;
  struct pollfd pfd;
  char buffer[64];

  if (argc != 2) {
    fprintf(stderr, "usage : brokenpipe PORT\n");
    exit(2);
  }
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  bind(server_fd, (struct sockaddr*)&addr, sizeof(addr));
  listen(server_fd, 3);

  // 1. Fermer avec des octets non lus : RST au lieu de FIN, et ECONNRESET en face
  connexion(server_fd, &addr, &client, &serveur);
  send(client, "jamais lu", 9, 0);
  pfd.fd = serveur;
  pfd.events = POLLIN;
  poll(&pfd, 1, -1); /* les octets sont arrivés, personne ne les lit */
  close(serveur);
  n = recv(client, buffer, sizeof(buffer), 0);
  printf("recv rend %d : %s\n", n, strerror(errno));
  close(client);

  // 2. Écrire vers un pair qui a fermé : le premier send passe, le pair répond RST
  connexion(server_fd, &addr, &client, &serveur);
  close(serveur);
  n = send(client, "bonjour", 7, MSG_NOSIGNAL);
  printf("premier send : %d\n", n);
  pfd.fd = client;
  pfd.events = 0;
  poll(&pfd, 1, -1); /* sans rien demander : POLLERR et POLLHUP viennent toujours */
  n = send(client, "encore", 6, MSG_NOSIGNAL);
  printf("second send : %d, %s\n", n, strerror(errno));
  close(client);
  close(server_fd);
  return 0;
}
