// talker: sends one UDP datagram. No connect: the destination goes with each sendto.
// Usage: talker HOST PORT MESSAGE
// Output: "talker: sent 5 bytes to HOST". Pairs with listener. Ported line by line from examples/c/talker.c.
// port-stats: 59 of 59 C lines map one to one
import { exit, fprintf, memset, printf, stderr } from 'bsdsock/libc';
import {
  AF_UNSPEC,
  SOCK_DGRAM,
  addrinfo,
  close,
  freeaddrinfo, gai_strerror, getaddrinfo,
  perror, ptr, sendto, sizeof, socket, strlen,
} from 'bsdsock';

function main(argc: number, argv: string[]): number {
  let sockfd = -1;
  const hints = new addrinfo(), servinfo = new ptr<addrinfo | null>(null); let p: addrinfo | null;
  let rv: number;
  let numbytes: number;

  if (argc != 4) {
    fprintf(stderr, 'usage: talker HOST PORT MESSAGE\n');
    exit(1);
  }

  memset(hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;

  if ((rv = getaddrinfo(argv[1], argv[2], hints, servinfo)) != 0) {
    fprintf(stderr, 'getaddrinfo: %s\n', gai_strerror(rv));
    return 1;
  }

  // The first address a socket can be made for; UDP cannot tell whether anyone listens there.
  for (p = servinfo.value; p != null; p = p.ai_next) {
    if ((sockfd = socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1) {
      perror('talker: socket');
      continue;
    }
    break;
  }

  if (p == null) {
    fprintf(stderr, 'talker: failed to create socket\n');
    return 2;
  }

  if ((numbytes = sendto(sockfd, argv[3], strlen(argv[3]), 0, p.ai_addr, p.ai_addrlen)) == -1) {
    perror('talker: sendto');
    exit(1);
  }

  freeaddrinfo(servinfo);

  printf('talker: sent %d bytes to %s\n', numbytes, argv[1]);
  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
