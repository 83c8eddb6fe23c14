/* fdreceiver: receives an open descriptor from another process over a Unix-domain socket
 * (SCM_RIGHTS), then reads through it. The kernel installs a new descriptor in this process that
 * refers to the same open object as the sender's: the number may differ, the object is the same.
 * Usage: fdreceiver PATH   (PATH: where to bind the Unix socket; it must not exist yet)
 * Output: "fdreceiver: waiting for a descriptor...", "fdreceiver: got descriptor N",
 * "fdreceiver: read 'MESSAGE' through it". Pairs with fdsender.
 * Build: cc -Wall -Wextra -o fdreceiver fdreceiver.c */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char* argv[]) {
  int listener, conn, passed_fd;
  struct sockaddr_un addr;
  struct msghdr msg;
  struct iovec iov;
  struct cmsghdr* cmsg;
  char byte;
  char control[CMSG_SPACE(sizeof(int))]; /* room for one control message holding one int */
  char text[256];
  int len, nbytes;

  if (argc != 2) {
    fprintf(stderr, "usage: fdreceiver PATH\n");
    exit(1);
  }

  listener = socket(AF_UNIX, SOCK_STREAM, 0);
  if (listener == -1) {
    perror("socket");
    exit(1);
  }

  /* A Unix socket's address is a path in the file system; sun_path has a fixed size. */
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);

  if (bind(listener, (struct sockaddr*)&addr, sizeof addr) == -1) {
    perror("bind");
    exit(1);
  }
  if (listen(listener, 1) == -1) {
    perror("listen");
    exit(1);
  }
  printf("fdreceiver: waiting for a descriptor...\n");

  conn = accept(listener, NULL, NULL);
  if (conn == -1) {
    perror("accept");
    exit(1);
  }

  /* A descriptor cannot travel alone: at least one byte of ordinary data carries it. */
  iov.iov_base = &byte;
  iov.iov_len = 1;

  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;

  if (recvmsg(conn, &msg, 0) <= 0) {
    perror("recvmsg");
    exit(1);
  }

  /* The control data is ours to check: it must be one SCM_RIGHTS message with one int in it. */
  cmsg = CMSG_FIRSTHDR(&msg);
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
      cmsg->cmsg_len != CMSG_LEN(sizeof(int))) {
    fprintf(stderr, "fdreceiver: no descriptor came with the message\n");
    exit(1);
  }
  /* CMSG_DATA may not be aligned for an int: copy the bytes out rather than dereference. */
  memcpy(&passed_fd, CMSG_DATA(cmsg), sizeof(int));
  printf("fdreceiver: got descriptor %d\n", passed_fd);

  /* Everything the sender wrote into it before passing it, up to its end. */
  for (len = 0; len < (int)sizeof text - 1; len += nbytes) {
    nbytes = read(passed_fd, text + len, sizeof text - 1 - len);
    if (nbytes == -1) {
      perror("read");
      exit(1);
    }
    if (nbytes == 0) {
      break;
    }
  }
  text[len] = '\0';
  printf("fdreceiver: read '%s' through it\n", text);

  close(passed_fd);
  close(conn);
  close(listener);
  return 0;
}
