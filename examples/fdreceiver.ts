// fdreceiver: receives an open descriptor from another process over a Unix-domain socket
// (SCM_RIGHTS), then reads through it. The kernel installs a new descriptor in this process that
// refers to the same open object as the sender's: the number may differ, the object is the same.
// Usage: fdreceiver PATH   (PATH: where to bind the Unix socket; it must not exist yet)
// port-stats: 102 of 103 C lines map one to one
// Output: "fdreceiver: waiting for a descriptor...", "fdreceiver: got descriptor N",
// "fdreceiver: read 'MESSAGE' through it". Pairs with fdsender. Ported line by line from examples/c/fdreceiver.c.
import { exit, fprintf, memcpy, memset, printf, stderr, strncpy } from 'bsdsock/libc';
import {
  AF_UNIX, CMSG_DATA, CMSG_FIRSTHDR, CMSG_LEN, cast, sockaddr,
  CMSG_SPACE, SCM_RIGHTS, SOCK_STREAM,
  SOL_SOCKET, accept, bind, close, cmsghdr, iovec, listen,
  msghdr, offsetof, perror, read, recvmsg, sizeof, sockaddr_un, socket,
} from 'bsdsock';

function main(argc: number, argv: string[]): number {
  let listener: number, conn: number; const passed_fd = new Int32Array(1);
  const addr = new sockaddr_un();
  const msg = new msghdr();
  const iov = new iovec();
  let cmsg: cmsghdr | null;
  const byte = Buffer.alloc(1);
  const control = Buffer.alloc(CMSG_SPACE(sizeof('int'))); // room for one control message holding one int
  const text = Buffer.alloc(256);
  let len: number, nbytes: number;

  if (argc != 2) {
    fprintf(stderr, 'usage: fdreceiver PATH\n');
    exit(1);
  }

  listener = socket(AF_UNIX, SOCK_STREAM, 0);
  if (listener == -1) {
    perror('socket');
    exit(1);
  }

  // A Unix socket's address is a path in the file system; sun_path has a fixed size.
  memset(addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strncpy(addr.bytes.subarray(offsetof(sockaddr_un, 'sun_path')), argv[1], sizeof(addr) - offsetof(sockaddr_un, 'sun_path') - 1);

  if (bind(listener, cast(sockaddr, addr), sizeof(addr)) == -1) {
    perror('bind');
    exit(1);
  }
  if (listen(listener, 1) == -1) {
    perror('listen');
    exit(1);
  }
  printf('fdreceiver: waiting for a descriptor...\n');

  conn = accept(listener, null, null);
  if (conn == -1) {
    perror('accept');
    exit(1);
  }

  // A descriptor cannot travel alone: at least one byte of ordinary data carries it.
  iov.iov_base = byte;
  iov.iov_len = 1;

  memset(msg, 0, sizeof(msg));
  msg.msg_iov = [iov];
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);

  if (recvmsg(conn, msg, 0) <= 0) {
    perror('recvmsg');
    exit(1);
  }

  // The control data is ours to check: it must be one SCM_RIGHTS message with one int in it.
  cmsg = CMSG_FIRSTHDR(msg);
  if (cmsg == null || cmsg.cmsg_level != SOL_SOCKET || cmsg.cmsg_type != SCM_RIGHTS ||
      cmsg.cmsg_len != CMSG_LEN(sizeof('int'))) {
    fprintf(stderr, 'fdreceiver: no descriptor came with the message\n');
    exit(1);
  }
  // CMSG_DATA may not be aligned for an int: copy the bytes out rather than dereference.
  memcpy(passed_fd, CMSG_DATA(cmsg), sizeof('int'));
  printf('fdreceiver: got descriptor %d\n', passed_fd[0]);

  // Everything the sender wrote into it before passing it, up to its end.
  for (len = 0; len < sizeof(text) - 1; len += nbytes) {
    nbytes = read(passed_fd[0], text.subarray(len), sizeof(text) - 1 - len);
    if (nbytes == -1) {
      perror('read');
      exit(1);
    }
    if (nbytes == 0) {
      break;
    }
  }
  text[len] = 0;
  printf("fdreceiver: read '%s' through it\n", text);

  close(passed_fd[0]);
  close(conn);
  close(listener);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
