// multiclient : deux connexions au même serveur (A et B), qui parlent chacune à son tour et attendent
// la réponse avant de continuer ; A part la première, et B l'apprend du serveur. Va avec multiserver.
// Usage : multiclient PORT. Porté ligne à ligne de examples/c/multiclient.c.
// port-stats: 58 of 58 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, EXIT_FAILURE, socket, connect, send, recv, close, htons, inet_pton, perror,
  strlen, sizeof, sockaddr, sockaddr_in, cast,
} from 'bsdsock';


// Se connecter au serveur
function connecter(port: number): number {
  let sock_fd: number;
  const addr = new sockaddr_in();

  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, '127.0.0.1', addr.sin_addr);
  if (connect(sock_fd, cast(sockaddr, addr), sizeof(addr)) < 0) {
    perror('Échec de la connexion');
    exit(EXIT_FAILURE);
  }
  return sock_fd;
}

// Envoyer texte sur fd, puis attendre ce que le serveur répond
function dire(fd: number, nom: string, texte: string | null): void {
  const buffer = Buffer.alloc(256);
  let n: number;

  if (texte != null) {
    send(fd, texte, strlen(texte), 0);
  }
  n = recv(fd, buffer, sizeof(buffer), 0);
  printf('%s reçoit : %.*s', nom, n, buffer);
}

function main(argc: number, argv: string[]): number {
  let a: number, b: number, port: number;

  if (argc != 2) {
    fprintf(stderr, 'usage : multiclient PORT\n');
    exit(2);
  }
  port = atoi(argv[1]);
  a = connecter(port);
  b = connecter(port);

  dire(b, 'B', 'bonjour de B\n');
  dire(a, 'A', 'bonjour de A\n');
  close(a);
  dire(b, 'B', null);
  close(b);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
