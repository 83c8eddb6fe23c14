// framerecv : un flux d'octets n'a pas de frontières de messages. Premier client : trois send()
// arrivent en un seul recv(). Second client : un message précédé de sa longueur, lu par une boucle
// qui rappelle recv() jusqu'à la longueur. Porté ligne à ligne de examples/c/framerecv.c.
// port-stats: 74 of 75 C lines map one to one
// (POLLRDHUP : bsdsock le donne sans _GNU_SOURCE)
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, INADDR_LOOPBACK, EXIT_FAILURE, POLLRDHUP, socket, bind, listen, accept, recv,
  close, poll, htons, htonl, ntohs, sizeof, pollfd, sockaddr, sockaddr_in, cast,
} from 'bsdsock';



// Lire exactement len octets : recv() peut en rendre moins qu'on ne lui en demande
function lire_tout(fd: number, buf: Uint8Array, len: number): number {
  let recus = 0, n: number;

  while (recus < len) {
    n = recv(fd, buf.subarray(recus), len - recus, 0);
    if (n <= 0) {
      return n; // 0 : fin du flux ; -1 : erreur
    }
    printf('  recv a rendu %d octets\n', n);
    recus += n;
  }
  return recus;
}

function main(argc: number, argv: string[]): number {
  let server_fd: number, client_fd: number, n: number;
  const server_addr = new sockaddr_in();
  const pfd = new pollfd();
  const longueur = new Uint16Array(1);
  const buffer = Buffer.alloc(1024);

  if (argc != 2) {
    fprintf(stderr, 'usage : framerecv PORT\n');
    exit(2);
  }
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server_addr.sin_port = htons(atoi(argv[1]));
  bind(server_fd, cast(sockaddr, server_addr), sizeof(server_addr));
  listen(server_fd, 3);
  printf('Serveur en écoute sur le port %d\n', atoi(argv[1]));

  // 1. Attendre que le client ait tout envoyé (POLLRDHUP : il a fermé son côté), puis un seul recv
  client_fd = accept(server_fd, null, null);
  pfd.fd = client_fd;
  pfd.events = POLLRDHUP;
  poll(pfd, 1, -1);
  n = recv(client_fd, buffer, sizeof(buffer), 0);
  printf('un seul recv a rendu %d octets : "%.*s"\n', n, n, buffer);
  close(client_fd);

  // 2. La longueur d'abord, puis le message, chacun lu jusqu'au bout
  client_fd = accept(server_fd, null, null);
  if (lire_tout(client_fd, new Uint8Array(longueur.buffer), sizeof(longueur)) <= 0) {
    exit(EXIT_FAILURE);
  }
  n = ntohs(longueur[0]);
  if (lire_tout(client_fd, buffer, n) <= 0) {
    exit(EXIT_FAILURE);
  }
  printf('message de %d octets : "%.*s"\n', n, n, buffer);

  // Le client a fini : recv rend 0
  n = recv(client_fd, buffer, sizeof(buffer), 0);
  printf('puis recv a rendu %d : fin du flux\n', n);
  close(client_fd);
  close(server_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
