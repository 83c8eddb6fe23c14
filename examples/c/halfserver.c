/* halfserver : lit la requête d'un client jusqu'à la fin du flux (recv rend 0 quand le client a fait
 * shutdown(SHUT_WR)), puis répond par le nombre d'octets reçus : il ne le connaît qu'à la fin. Sa
 * réponse passe encore, car le client n'a fermé que son côté. Va avec halfclient.
 * Usage : halfserver PORT. cc -Wall -Wextra -o halfserver halfserver.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

int main(int argc, char* argv[]) {
  int server_fd, client_fd, n, total = 0;
  struct sockaddr_in server_addr;
  char buffer[1024], reponse[64];

  if (argc != 2) {
    fprintf(stderr, "usage : halfserver PORT\n");
    exit(2);
  }
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server_addr.sin_port = htons(atoi(argv[1]));
  bind(server_fd, (struct sockaddr*)&server_addr, sizeof(server_addr));
  listen(server_fd, 3);
  printf("Serveur en écoute sur le port %d\n", atoi(argv[1]));
  client_fd = accept(server_fd, NULL, NULL);

  // Lire jusqu'à la fin du flux : recv rend 0 quand le client a fermé son côté
  while ((n = recv(client_fd, buffer, sizeof(buffer), 0)) > 0) {
    total += n;
  }
  printf("requête lue jusqu'au bout : %d octets\n", total);

  // Répondre : dans ce sens-là, la connexion est toujours ouverte
  n = snprintf(reponse, sizeof(reponse), "%d octets reçus\n", total);
  send(client_fd, reponse, n, 0);
  close(client_fd);
  close(server_fd);
  return 0;
}
