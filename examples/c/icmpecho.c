/* icmpecho : un ping d'une seule requête. ICMP n'a ni ports ni connexions : une « echo request »,
 * une « echo reply ». Un socket ping (SOCK_DGRAM, IPPROTO_ICMP) n'exige aucun privilège si le groupe
 * est dans net.ipv4.ping_group_range ; sinon SOCK_RAW, qui exige CAP_NET_RAW. Sans l'un ni l'autre, il
 * dit pourquoi et sort avec 1. Usage : icmpecho ADRESSE [dgram|raw]. cc -Wall -Wextra -o icmpecho icmpecho.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#define ECHO_REPLY 0   /* ICMP_ECHOREPLY */
#define ECHO_REQUEST 8 /* ICMP_ECHO */
#define ID 4242        /* l'identifiant de nos échos */

/* La somme de contrôle d'Internet (RFC 1071) : complément à un de la somme des mots de 16 bits */
unsigned int somme(const unsigned char* buf, int len) {
  unsigned int sum = 0;
  int i;

  for (i = 0; i + 1 < len; i += 2) {
    sum += (buf[i] << 8) | buf[i + 1];
  }
  if (i < len) {
    sum += buf[i] << 8;
  }
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return ~sum & 0xffff;
}

int main(int argc, char* argv[]) {
  int sock_fd = -1, type = 0, n;
  struct sockaddr_in to, from;
  socklen_t fromlen;
  struct pollfd pfd;
  unsigned char pkt[8 + 12], reply[1500], *icmp;
  unsigned int sum;
  const char* mode;
  char adresse[INET_ADDRSTRLEN];

  if (argc != 2 && argc != 3) {
    fprintf(stderr, "usage : icmpecho ADRESSE [dgram|raw]\n");
    exit(2);
  }
  mode = argc == 3 ? argv[2] : "auto";
  memset(&to, 0, sizeof(to));
  to.sin_family = AF_INET;
  inet_pton(AF_INET, argv[1], &to.sin_addr);

  // D'abord un socket ping, sans privilège là où le système le permet
  if (strcmp(mode, "raw") != 0) {
    sock_fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (sock_fd == -1) {
      printf("socket ping refusé (%s) : ce groupe n'est pas dans net.ipv4.ping_group_range\n", strerror(errno));
    } else {
      type = SOCK_DGRAM;
    }
  }
  // Sinon un socket brut, qui demande CAP_NET_RAW
  if (sock_fd == -1 && strcmp(mode, "dgram") != 0) {
    sock_fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (sock_fd == -1) {
      printf("socket brut refusé (%s) : il faut la capacité CAP_NET_RAW\n", strerror(errno));
    } else {
      type = SOCK_RAW;
    }
  }
  if (sock_fd == -1) {
    printf("ping impossible ici\n");
    return 1;
  }
  if (type == SOCK_DGRAM) {
    /* Le « port » d'un socket ping est l'identifiant des échos : le noyau le met dans chaque requête */
    memset(&from, 0, sizeof(from));
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(INADDR_ANY);
    from.sin_port = htons(ID);
    bind(sock_fd, (struct sockaddr*)&from, sizeof(from));
  }

  // L'en-tête ICMP : type, code, somme (2 octets), identifiant (2), numéro de séquence (2), puis les données
  memset(pkt, 0, sizeof(pkt));
  pkt[0] = ECHO_REQUEST;
  pkt[4] = ID >> 8;
  pkt[5] = ID & 0xff;
  pkt[7] = 1;
  memcpy(pkt + 8, "bsdsock ping", 12);
  sum = somme(pkt, sizeof(pkt));
  pkt[2] = sum >> 8;
  pkt[3] = sum & 0xff;
  sendto(sock_fd, pkt, sizeof(pkt), 0, (struct sockaddr*)&to, sizeof(to));

  // Attendre la réponse, deux secondes au plus ; un socket brut voit passer aussi notre requête
  for (;;) {
    pfd.fd = sock_fd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, 2000) <= 0) {
      printf("pas de réponse\n");
      return 1;
    }
    fromlen = sizeof(from);
    n = recvfrom(sock_fd, reply, sizeof(reply), 0, (struct sockaddr*)&from, &fromlen);
    icmp = type == SOCK_RAW ? reply + (reply[0] & 0x0f) * 4 : reply; /* le brut rend l'en-tête IP */
    if (icmp[0] == ECHO_REPLY) {
      break;
    }
    printf("ignoré : un message ICMP de type %d\n", icmp[0]);
  }
  inet_ntop(AF_INET, &from.sin_addr, adresse, sizeof(adresse));
  printf("echo reply de %s : %d octets, icmp_seq=%d (%s)\n", adresse, n, icmp[7], type == SOCK_RAW ? "brut" : "ping");
  close(sock_fd);
  return 0;
}
