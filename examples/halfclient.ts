// halfclient : envoie sa requête, ferme son côté de la connexion avec shutdown(SHUT_WR) (un FIN part :
// « j'ai fini d'écrire »), puis lit la réponse jusqu'à la fin. Va avec halfserver.
// Usage : halfclient PORT MESSAGE. Porté ligne à ligne de examples/c/halfclient.c.
// port-stats: 42 of 42 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, SHUT_WR, EXIT_FAILURE, socket, connect, send, recv, shutdown, close, htons,
  inet_pton, perror, strlen, sizeof, sockaddr, sockaddr_in, cast,
} from 'bsdsock';


function main(argc: number, argv: string[]): number {
  let sock_fd: number, n: number;
  const server_addr = new sockaddr_in();
  const buffer = Buffer.alloc(1024);

  if (argc != 3) {
    fprintf(stderr, 'usage : halfclient PORT MESSAGE\n');
    exit(2);
  }
  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, '127.0.0.1', server_addr.sin_addr);
  if (connect(sock_fd, cast(sockaddr, server_addr), sizeof(server_addr)) < 0) {
    perror('Échec de la connexion');
    exit(EXIT_FAILURE);
  }

  // La requête, puis « j'ai fini d'écrire » : le serveur verra la fin du flux
  send(sock_fd, argv[2], strlen(argv[2]), 0);
  shutdown(sock_fd, SHUT_WR);

  // Lire la réponse jusqu'à ce que le serveur ferme à son tour
  while ((n = recv(sock_fd, buffer, sizeof(buffer), 0)) > 0) {
    printf('réponse : %.*s', n, buffer);
  }
  printf('recv a rendu %d : le serveur a fermé\n', n);
  close(sock_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
