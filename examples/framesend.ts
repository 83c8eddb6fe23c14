// framesend : le client de framerecv. Premier envoi : trois send() de suite (TCP_NODELAY : chacun part
// aussitôt dans son propre segment), puis close(). Second envoi : un message de 16 octets précédé de
// sa longueur, en deux send(). Porté ligne à ligne de examples/c/framesend.c.
// port-stats: 61 of 61 C lines map one to one
import { printf, fprintf, stderr, exit, memset, memcpy, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, IPPROTO_TCP, TCP_NODELAY, EXIT_FAILURE, socket, setsockopt, connect, send,
  close, htons, inet_pton, perror, sizeof, sockaddr, sockaddr_in, cast,
} from 'bsdsock';




// Se connecter au serveur, avec TCP_NODELAY
function connecter(port: number): number {
  let sock_fd: number; const un = new Int32Array([1]);
  const server_addr = new sockaddr_in();

  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  setsockopt(sock_fd, IPPROTO_TCP, TCP_NODELAY, un, sizeof(un));
  memset(server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons(port);
  inet_pton(AF_INET, '127.0.0.1', server_addr.sin_addr);
  if (connect(sock_fd, cast(sockaddr, server_addr), sizeof(server_addr)) < 0) {
    perror('Échec de la connexion');
    exit(EXIT_FAILURE);
  }
  return sock_fd;
}

function main(argc: number, argv: string[]): number {
  let sock_fd: number, port: number;
  const longueur = new Uint16Array(1);
  const message = Buffer.alloc(64);

  if (argc != 2) {
    fprintf(stderr, 'usage : framesend PORT\n');
    exit(2);
  }
  port = atoi(argv[1]);

  // 1. Trois messages, trois send()
  sock_fd = connecter(port);
  send(sock_fd, 'Bonjour ', 8, 0);
  send(sock_fd, 'le ', 3, 0);
  send(sock_fd, 'monde', 5, 0);
  close(sock_fd);
  printf('envoyé : "Bonjour ", "le ", "monde" en trois send()\n');

  // 2. La longueur (16, en ordre réseau) et le début du message, puis la fin
  sock_fd = connecter(port);
  longueur[0] = htons(16);
  memcpy(message, longueur, 2);
  memcpy(message.subarray(2), 'Bonjour ', 8);
  send(sock_fd, message, 10, 0);
  send(sock_fd, 'le monde', 8, 0);
  printf('envoyé : la longueur (16) et "Bonjour ", puis "le monde"\n');
  close(sock_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
