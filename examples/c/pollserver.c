/* pollserver: a chat server for many clients in one process: poll() says which sockets are ready, and
 * what one client sends goes to every other client. Usage: pollserver PORT MAXCONN (PORT 0: any free
 * port; once MAXCONN connections have come and all have hung up, it exits 0, so tests know it ends).
 * Output: "pollserver: waiting for connections on port N...", "pollserver: new connection from 127.0.0.1
 * on socket N", "pollserver: socket N hung up", "pollserver: all MAXCONN clients have left". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>

/* The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants. */
void* get_in_addr(struct sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    return &(((struct sockaddr_in*)sa)->sin_addr);
  }
  return &(((struct sockaddr_in6*)sa)->sin6_addr);
}

/* A listening socket on 127.0.0.1:port, or -1. */
int get_listener_socket(const char* port) {
  int listener;
  int yes = 1;
  struct sockaddr_in addr;

  if ((listener = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
    return -1;
  }
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) == -1 || listen(listener, 10) == -1) {
    close(listener);
    return -1;
  }
  return listener;
}

/* Appends newfd to the array, doubling it when full: *pfds may move, as realloc moves memory. */
void add_to_pfds(struct pollfd* pfds[], int newfd, int* fd_count, int* fd_size) {
  if (*fd_count == *fd_size) {
    *fd_size *= 2;
    *pfds = realloc(*pfds, sizeof(**pfds) * (*fd_size));
  }
  (*pfds)[*fd_count].fd = newfd;
  (*pfds)[*fd_count].events = POLLIN; /* tell me when it can be read */
  (*pfds)[*fd_count].revents = 0;
  (*fd_count)++;
}

/* Removes entry i: the last entry is copied into the hole, so the array stays packed. */
void del_from_pfds(struct pollfd pfds[], int i, int* fd_count) {
  /* A struct assignment copies every field: pfds[i] becomes a copy, not a second name for the last entry. */
  pfds[i] = pfds[*fd_count - 1];
  (*fd_count)--;
}

int main(int argc, char* argv[]) {
  int listener, newfd; /* the listening socket, and a newly accepted one */
  struct sockaddr_storage remoteaddr;
  struct sockaddr_in bound;
  socklen_t addrlen;
  char buf[256];
  char remoteIP[INET6_ADDRSTRLEN];
  int maxconn, accepted = 0;
  int i, j, nbytes, sender_fd, dest_fd;

  if (argc != 3) {
    fprintf(stderr, "usage: pollserver PORT MAXCONN\n");
    exit(1);
  }
  maxconn = atoi(argv[2]);

  /* Room for 5 descriptors to begin with; add_to_pfds grows it. */
  int fd_count = 0, fd_size = 5;
  struct pollfd* pfds = malloc(sizeof *pfds * fd_size);

  if ((listener = get_listener_socket(argv[1])) == -1) {
    fprintf(stderr, "pollserver: cannot get a listening socket\n");
    exit(1);
  }

  addrlen = sizeof bound;
  getsockname(listener, (struct sockaddr*)&bound, &addrlen);
  printf("pollserver: waiting for connections on port %d...\n", ntohs(bound.sin_port));
  /* Entry 0 is always the listener: readable means a connection is waiting to be accepted. */
  add_to_pfds(&pfds, listener, &fd_count, &fd_size);

  for (;;) {
    if (poll(pfds, fd_count, -1) == -1) {
      perror("poll");
      exit(1);
    }

    for (i = 0; i < fd_count; i++) {
      /* POLLHUP as well as POLLIN: a peer that is gone is "ready" too, and recv says so with 0. */
      if (!(pfds[i].revents & (POLLIN | POLLHUP))) {
        continue;
      }

      if (pfds[i].fd == listener) {
        addrlen = sizeof remoteaddr;
        newfd = accept(listener, (struct sockaddr*)&remoteaddr, &addrlen);
        if (newfd == -1) {
          perror("accept");
          continue;
        }
        add_to_pfds(&pfds, newfd, &fd_count, &fd_size);
        accepted++;
        printf("pollserver: new connection from %s on socket %d\n",
               inet_ntop(remoteaddr.ss_family, get_in_addr((struct sockaddr*)&remoteaddr), remoteIP, INET6_ADDRSTRLEN),
               newfd);
        continue;
      }

      nbytes = recv(pfds[i].fd, buf, sizeof buf, 0);
      sender_fd = pfds[i].fd;
      if (nbytes <= 0) {
        /* 0: the client closed its end. -1: an error. Either way, it is gone. */
        if (nbytes == 0) {
          printf("pollserver: socket %d hung up\n", sender_fd);
        } else {
          perror("recv");
        }
        close(pfds[i].fd);
        del_from_pfds(pfds, i, &fd_count);
        /* The last entry now sits at i and has not been looked at yet: look at i again. */
        i--;
        /* Only the listener left, and no more connections to wait for: done. */
        if (accepted >= maxconn && fd_count == 1) {
          printf("pollserver: all %d clients have left\n", maxconn);
          close(listener);
          free(pfds);
          return 0;
        }
        continue;
      }

      /* Everyone else hears it: every entry but the listener and the sender. */
      for (j = 0; j < fd_count; j++) {
        dest_fd = pfds[j].fd;
        if (dest_fd != listener && dest_fd != sender_fd && send(dest_fd, buf, nbytes, 0) == -1) {
          perror("send");
        }
      }
    }
  }
}
