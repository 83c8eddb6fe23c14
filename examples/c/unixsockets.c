/* unixsockets : les sockets du domaine Unix (AF_UNIX), entre processus d'une même machine. Un nom dans
 * le système de fichiers, un nom abstrait (Linux : sun_path commence par un octet nul, rien n'est créé
 * sur le disque), socketpair() (deux sockets déjà reliées), et SCM_RIGHTS : passer un descripteur.
 * Usage : unixsockets (crée lecon.sock dans le répertoire courant). cc -o unixsockets unixsockets.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CHEMIN "lecon.sock"
#define NOM "bsdsock-lecon"

/* Un client se connecte à l'adresse, le serveur accepte, et le client lui envoie texte */
void echanger(int server_fd, struct sockaddr_un* addr, socklen_t len, const char* texte) {
  int sock_fd, client_fd, n;
  char buffer[64];

  sock_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(sock_fd, (struct sockaddr*)addr, len);
  client_fd = accept(server_fd, NULL, NULL);
  send(sock_fd, texte, strlen(texte), 0);
  n = recv(client_fd, buffer, sizeof(buffer), 0);
  printf("reçu : \"%.*s\"\n", n, buffer);
  close(client_fd);
  close(sock_fd);
}

int main(void) {
  int server_fd, sv[2], paire[2], recu, n;
  struct sockaddr_un addr;
  socklen_t len;
  struct msghdr msg;
  struct iovec iov;
  struct cmsghdr* cmsg;
  char octet = 'd', control[CMSG_SPACE(sizeof(int))], buffer[64];

  // 1. Un nom dans le système de fichiers : bind() crée le fichier, à effacer après
  server_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, CHEMIN);
  unlink(CHEMIN);
  bind(server_fd, (struct sockaddr*)&addr, sizeof(addr));
  listen(server_fd, 3);
  echanger(server_fd, &addr, sizeof(addr), "par un chemin");
  close(server_fd);
  unlink(CHEMIN);

  // 2. Un nom abstrait : un octet nul d'abord, et la longueur dit où le nom s'arrête
  server_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path + 1, NOM);
  len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(NOM);
  bind(server_fd, (struct sockaddr*)&addr, len);
  listen(server_fd, 3);
  echanger(server_fd, &addr, len, "par un nom abstrait");
  close(server_fd);

  // 3. socketpair : deux sockets reliées d'avance, sans nom ni accept
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  send(sv[0], "par socketpair", 14, 0);
  n = recv(sv[1], buffer, sizeof(buffer), 0);
  printf("reçu : \"%.*s\"\n", n, buffer);

  // 4. SCM_RIGHTS : envoyer par sv une extrémité d'une autre paire
  socketpair(AF_UNIX, SOCK_STREAM, 0, paire);
  memset(&msg, 0, sizeof(msg));
  iov.iov_base = &octet;
  iov.iov_len = 1;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &paire[1], sizeof(int));
  sendmsg(sv[0], &msg, 0);

  // Le descripteur arrive sous un autre numéro ; celui qui l'a envoyé peut fermer le sien, la socket reste
  msg.msg_controllen = sizeof(control);
  recvmsg(sv[1], &msg, 0);
  close(paire[1]);
  cmsg = CMSG_FIRSTHDR(&msg);
  memcpy(&recu, CMSG_DATA(cmsg), sizeof(int));
  send(recu, "par le descripteur reçu", strlen("par le descripteur reçu"), 0);
  n = recv(paire[0], buffer, sizeof(buffer), 0);
  printf("reçu : \"%.*s\"\n", n, buffer);

  close(recu);
  close(paire[0]);
  close(sv[0]);
  close(sv[1]);
  return 0;
}
