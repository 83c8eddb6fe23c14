// fdsender: passes an open descriptor to another process over a Unix-domain socket (SCM_RIGHTS).
// What it passes is one end of a socketpair, with MESSAGE already written into the other end: the
// receiver reads MESSAGE through the descriptor it was given. Ported line by line from examples/c/fdsender.c.
// Usage: fdsender PATH MESSAGE   (PATH: where fdreceiver is bound)
// port-stats: 84 of 85 C lines map one to one
// Output: "fdsender: wrote N bytes into socket N, to be read from socket N", "fdsender: passed socket N". Pairs with fdreceiver.
import { exit, fprintf, memcpy, memset, printf, stderr, strncpy } from 'bsdsock/libc';
import {
  AF_UNIX, CMSG_DATA, CMSG_FIRSTHDR, CMSG_LEN, CMSG_SPACE, cast, sockaddr,
  SCM_RIGHTS, SOCK_STREAM, SOL_SOCKET, close, cmsghdr, connect,
  iovec, msghdr, offsetof, perror, sendmsg, sizeof,
  sockaddr_un, socket, socketpair, strlen, write,
} from 'bsdsock';

function main(argc: number, argv: string[]): number {
  let sockfd: number;
  const sv = new Int32Array(2); // a connected pair: what is written into sv[0] is read from sv[1]
  const addr = new sockaddr_un();
  const msg = new msghdr();
  const iov = new iovec();
  let cmsg: cmsghdr;
  const byte = Buffer.from('!');
  const control = Buffer.alloc(CMSG_SPACE(sizeof('int')));
  let nbytes: number;

  if (argc != 3) {
    fprintf(stderr, 'usage: fdsender PATH MESSAGE\n');
    exit(1);
  }

  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1) {
    perror('socketpair');
    exit(1);
  }
  nbytes = write(sv[0], argv[2], strlen(argv[2]));
  if (nbytes == -1) {
    perror('write');
    exit(1);
  }
  printf('fdsender: wrote %d bytes into socket %d, to be read from socket %d\n', nbytes, sv[0], sv[1]);
  // Closing the writing end now lets the receiver read to the end of the message, then see EOF.
  close(sv[0]);

  sockfd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (sockfd == -1) {
    perror('socket');
    exit(1);
  }
  memset(addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strncpy(addr.bytes.subarray(offsetof(sockaddr_un, 'sun_path')), argv[1], sizeof(addr) - offsetof(sockaddr_un, 'sun_path') - 1);
  if (connect(sockfd, cast(sockaddr, addr), sizeof(addr)) == -1) {
    perror('connect');
    exit(2);
  }

  iov.iov_base = byte;
  iov.iov_len = 1;

  // Zeroed, padding included: the kernel is handed every byte of the control buffer.
  memset(msg, 0, sizeof(msg));
  memset(control, 0, sizeof(control));
  msg.msg_iov = [iov];
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);

  // One control message: level SOL_SOCKET, type SCM_RIGHTS, the descriptor as its data.
  cmsg = CMSG_FIRSTHDR(msg)!;
  cmsg.cmsg_level = SOL_SOCKET;
  cmsg.cmsg_type = SCM_RIGHTS;
  cmsg.cmsg_len = CMSG_LEN(sizeof('int'));
  memcpy(CMSG_DATA(cmsg), sv.subarray(1), sizeof('int'));

  if (sendmsg(sockfd, msg, 0) == -1) {
    perror('sendmsg');
    exit(1);
  }
  printf('fdsender: passed socket %d\n', sv[1]);

  // The message in flight holds its own reference: our copy can go at once.
  close(sv[1]);
  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
