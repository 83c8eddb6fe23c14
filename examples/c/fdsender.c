/* fdsender: passes an open descriptor to another process over a Unix-domain socket (SCM_RIGHTS).
 * What it passes is one end of a socketpair, with MESSAGE already written into the other end: the
 * receiver reads MESSAGE through the descriptor it was given.
 * Usage: fdsender PATH MESSAGE   (PATH: where fdreceiver is bound)
 * Output: "fdsender: wrote N bytes into socket N, to be read from socket N", "fdsender: passed socket N". Pairs with
 * fdreceiver. Build: cc -Wall -Wextra -o fdsender fdsender.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char* argv[]) {
  int sockfd;
  int sv[2]; /* a connected pair: what is written into sv[0] is read from sv[1] */
  struct sockaddr_un addr;
  struct msghdr msg;
  struct iovec iov;
  struct cmsghdr* cmsg;
  char byte = '!';
  char control[CMSG_SPACE(sizeof(int))];
  int nbytes;

  if (argc != 3) {
    fprintf(stderr, "usage: fdsender PATH MESSAGE\n");
    exit(1);
  }

  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
    perror("socketpair");
    exit(1);
  }
  nbytes = write(sv[0], argv[2], strlen(argv[2]));
  if (nbytes == -1) {
    perror("write");
    exit(1);
  }
  printf("fdsender: wrote %d bytes into socket %d, to be read from socket %d\n", nbytes, sv[0], sv[1]);
  /* Closing the writing end now lets the receiver read to the end of the message, then see EOF. */
  close(sv[0]);

  sockfd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (sockfd == -1) {
    perror("socket");
    exit(1);
  }
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  if (connect(sockfd, (struct sockaddr*)&addr, sizeof addr) == -1) {
    perror("connect");
    exit(2);
  }

  iov.iov_base = &byte;
  iov.iov_len = 1;

  /* Zeroed, padding included: the kernel is handed every byte of the control buffer. */
  memset(&msg, 0, sizeof msg);
  memset(control, 0, sizeof control);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;

  /* One control message: level SOL_SOCKET, type SCM_RIGHTS, the descriptor as its data. */
  cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cmsg), &sv[1], sizeof(int));

  if (sendmsg(sockfd, &msg, 0) == -1) {
    perror("sendmsg");
    exit(1);
  }
  printf("fdsender: passed socket %d\n", sv[1]);

  /* The message in flight holds its own reference: our copy can go at once. */
  close(sv[1]);
  close(sockfd);
  return 0;
}
