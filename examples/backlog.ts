// backlog : la file d'attente d'un socket d'écoute. Le noyau termine la poignée de main des clients
// sans attendre accept() ; listen(fd, 1) en garde deux sous Linux, et le SYN d'un troisième est ignoré
// jusqu'à ce qu'un accept() fasse de la place. Porté ligne à ligne de examples/c/backlog.c.
// port-stats: 78 of 78 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_ERROR, F_GETFL, F_SETFL, O_NONBLOCK, POLLOUT, EINPROGRESS,
  errno, socket, bind, listen, accept, connect, send, recv, close, fcntl, poll, getsockopt, htons,
  inet_pton, sizeof, socklen_t, pollfd, sockaddr, sockaddr_in, cast,
} from 'bsdsock';




function main(argc: number, argv: string[]): number {
  let server_fd: number, client_fd: number, i: number, n: number; const sock_fd = new Array<number>(3), err = new Int32Array(1);
  const addr = new sockaddr_in();
  const pfd = new pollfd();
  const len = new socklen_t(sizeof(err));
  const buffer = Buffer.alloc(64);

  if (argc != 2) {
    fprintf(stderr, 'usage : backlog PORT\n');
    exit(2);
  }
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, '127.0.0.1', addr.sin_addr);

  // Un serveur qui écoute avec une file d'attente de 1, et n'appelle pas encore accept()
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  bind(server_fd, cast(sockaddr, addr), sizeof(addr));
  listen(server_fd, 1);

  // Deux clients se connectent : connect() réussit, la poignée de main se fait sans accept()
  for (i = 0; i < 2; i++) {
    sock_fd[i] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(sock_fd[i], cast(sockaddr, addr), sizeof(addr)) == 0) {
      printf('client %d connecté, sans accept()\n', i + 1);
    }
  }

  // Le premier peut même envoyer : les octets attendent dans la connexion pas encore acceptée
  send(sock_fd[0], 'bonjour', 7, 0);

  // Un troisième client, non bloquant : la file est pleine, son SYN reste sans réponse
  sock_fd[2] = socket(AF_INET, SOCK_STREAM, 0);
  fcntl(sock_fd[2], F_SETFL, fcntl(sock_fd[2], F_GETFL, 0) | O_NONBLOCK);
  if (connect(sock_fd[2], cast(sockaddr, addr), sizeof(addr)) == -1 && errno == EINPROGRESS) {
    printf('client 3 : connexion en cours (EINPROGRESS)\n');
  }
  pfd.fd = sock_fd[2];
  pfd.events = POLLOUT;
  if (poll(pfd, 1, 0) == 0) {
    printf('client 3 : toujours pas connecté, la file est pleine\n');
  }

  // accept() prend la plus ancienne connexion de la file, avec ce qui attendait dedans
  client_fd = accept(server_fd, null, null);
  n = recv(client_fd, buffer, sizeof(buffer), 0);
  printf('accept() : la connexion du client 1, qui avait envoyé "%.*s"\n', n, buffer);

  // Il y a de la place : le SYN réémis du client 3 passe
  poll(pfd, 1, -1);
  getsockopt(sock_fd[2], SOL_SOCKET, SO_ERROR, err, len);
  if (err[0] == 0) {
    printf('client 3 connecté à son tour\n');
  }

  // Nettoyer
  close(client_fd);
  for (i = 0; i < 3; i++) {
    close(sock_fd[i]);
  }
  close(server_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
