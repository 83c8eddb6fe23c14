// nbconnect : connect() sur un socket non bloquant rend la main tout de suite, avec EINPROGRESS ; la
// poignée de main continue sans le programme. poll() (POLLOUT) dit quand elle est finie, et
// getsockopt(SO_ERROR) comment. Porté ligne à ligne de examples/c/nbconnect.c.
// port-stats: 75 of 75 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_ERROR, F_GETFL, F_SETFL, O_NONBLOCK, POLLOUT, EINPROGRESS,
  INADDR_LOOPBACK, errno, strerror, socket, bind, listen, accept, connect, close, fcntl, poll,
  getsockopt, htons, htonl, inet_pton, sizeof, socklen_t, pollfd, sockaddr, sockaddr_in, cast,
} from 'bsdsock';




// Se connecter sans attendre, puis attendre avec poll, et demander le résultat
function connecter(port: number): number {
  let sock_fd: number; const err = new Int32Array(1);
  const addr = new sockaddr_in();
  const pfd = new pollfd();
  const len = new socklen_t(sizeof(err));

  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  fcntl(sock_fd, F_SETFL, fcntl(sock_fd, F_GETFL, 0) | O_NONBLOCK);
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, '127.0.0.1', addr.sin_addr);
  if (connect(sock_fd, cast(sockaddr, addr), sizeof(addr)) == -1 && errno == EINPROGRESS) {
    printf('port %d : connect rend -1, EINPROGRESS : la connexion est en cours\n', port);
  }

  // Le programme pourrait faire autre chose ici ; il attend que le socket devienne inscriptible
  pfd.fd = sock_fd;
  pfd.events = POLLOUT;
  poll(pfd, 1, -1);
  getsockopt(sock_fd, SOL_SOCKET, SO_ERROR, err, len);
  if (err[0] == 0) {
    printf('port %d : connecté\n', port);
  } else {
    printf('port %d : échec, SO_ERROR = %s\n', port, strerror(err[0]));
  }
  return sock_fd;
}

function main(argc: number, argv: string[]): number {
  let server_fd: number, client_fd: number, sock_fd: number, port: number;
  const addr = new sockaddr_in();

  if (argc != 2) {
    fprintf(stderr, 'usage : nbconnect PORT\n');
    exit(2);
  }
  port = atoi(argv[1]);

  // Un serveur qui écoute sur port (et personne sur port + 1)
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bind(server_fd, cast(sockaddr, addr), sizeof(addr));
  listen(server_fd, 3);

  // Vers le serveur : EINPROGRESS, puis poll, puis SO_ERROR = 0
  sock_fd = connecter(port);
  client_fd = accept(server_fd, null, null);
  close(client_fd);
  close(sock_fd);

  // Vers un port fermé : EINPROGRESS aussi ; c'est SO_ERROR qui dit ECONNREFUSED
  sock_fd = connecter(port + 1);
  close(sock_fd);
  close(server_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
