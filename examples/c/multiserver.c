/* multiserver : un seul processus sert plusieurs clients à la fois, en attendant que l'un d'eux soit
 * prêt avec select(), poll() ou epoll. Il renvoie à chaque client ce qu'il envoie (écho), dit aux
 * autres quand l'un part, et s'arrête quand CLIENTS sont partis. Va avec multiclient.
 * Usage : multiserver select|poll|epoll PORT. cc -Wall -Wextra -o multiserver multiserver.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#define CLIENTS 2

int clients[CLIENTS], nclients = 0, partis = 0;

/* Un nouveau client : l'accepter et le compter */
int accepter(int listener) {
  int fd = accept(listener, NULL, NULL);
  clients[nclients++] = fd;
  printf("nouveau client\n");
  return fd;
}

/* Un client est prêt : lui renvoyer ses octets ; s'il est parti, fermer et le dire aux autres */
int servir(int fd) {
  char buffer[256];
  int n, i, j;

  n = recv(fd, buffer, sizeof(buffer), 0);
  if (n > 0) {
    send(fd, buffer, n, 0);
    return 1;
  }
  close(fd);
  partis++;
  printf("un client est parti\n");
  for (i = 0, j = 0; i < nclients; i++) {
    if (clients[i] != fd) {
      send(clients[i], "un client est parti\n", 20, 0);
      clients[j++] = clients[i];
    }
  }
  nclients = j;
  return 0;
}

/* select : des ensembles de descripteurs (fd_set), refaits à chaque tour car select les modifie */
void avec_select(int listener) {
  fd_set tous, prets;
  int fd, max = listener, nouveau;

  FD_ZERO(&tous);
  FD_SET(listener, &tous);
  while (partis < CLIENTS) {
    prets = tous;
    select(max + 1, &prets, NULL, NULL, NULL);
    for (fd = 0; fd <= max; fd++) {
      if (!FD_ISSET(fd, &prets)) {
        continue;
      }
      if (fd == listener) {
        nouveau = accepter(listener);
        FD_SET(nouveau, &tous);
        if (nouveau > max) {
          max = nouveau;
        }
      } else if (!servir(fd)) {
        FD_CLR(fd, &tous);
      }
    }
  }
}

/* poll : un tableau de struct pollfd, le noyau remplit revents */
void avec_poll(int listener) {
  struct pollfd pfds[CLIENTS + 1];
  int n, i;

  while (partis < CLIENTS) {
    pfds[0].fd = listener;
    pfds[0].events = POLLIN;
    for (i = 0; i < nclients; i++) {
      pfds[i + 1].fd = clients[i];
      pfds[i + 1].events = POLLIN;
    }
    n = nclients + 1;
    poll(pfds, n, -1);
    for (i = 0; i < n; i++) {
      if (!(pfds[i].revents & POLLIN)) {
        continue;
      }
      if (pfds[i].fd == listener) {
        accepter(listener);
      } else {
        servir(pfds[i].fd);
      }
    }
  }
}

/* epoll : le noyau garde l'ensemble ; epoll_wait ne rend que les descripteurs prêts */
void avec_epoll(int listener) {
  struct epoll_event ev, events[CLIENTS + 1];
  int epfd, n, i, fd;

  epfd = epoll_create1(0);
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev);
  while (partis < CLIENTS) {
    n = epoll_wait(epfd, events, CLIENTS + 1, -1);
    for (i = 0; i < n; i++) {
      fd = events[i].data.fd;
      if (fd == listener) {
        fd = accepter(listener);
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
      } else {
        servir(fd); /* close() retire aussi fd de l'ensemble epoll */
      }
    }
  }
  close(epfd);
}

int main(int argc, char* argv[]) {
  int listener;
  struct sockaddr_in addr;

  if (argc != 3) {
    fprintf(stderr, "usage : multiserver select|poll|epoll PORT\n");
    exit(2);
  }
  listener = socket(AF_INET, SOCK_STREAM, 0);
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(atoi(argv[2]));
  bind(listener, (struct sockaddr*)&addr, sizeof(addr));
  listen(listener, 5);
  printf("Serveur (%s) en écoute sur le port %d\n", argv[1], atoi(argv[2]));

  if (strcmp(argv[1], "select") == 0) {
    avec_select(listener);
  } else if (strcmp(argv[1], "poll") == 0) {
    avec_poll(listener);
  } else {
    avec_epoll(listener);
  }
  close(listener);
  return 0;
}
