// refused : se connecter à un port où personne n'écoute. Le noyau répond au SYN par un RST, et
// connect() échoue avec ECONNREFUSED ; un socket lié (bind) mais qui n'écoute pas (pas de listen)
// refuse de même. Porté ligne à ligne de examples/c/refused.c.
// port-stats: 55 of 55 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, errno, strerror, socket, bind, listen, connect, close, htons, inet_pton,
  sizeof, sockaddr, sockaddr_in, cast,
} from 'bsdsock';



// Un client qui essaie de se connecter à addr, et dit ce qui s'est passé
function essayer(addr: sockaddr_in, quand: string): number {
  let sock_fd: number, r: number;

  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  r = connect(sock_fd, cast(sockaddr, addr), sizeof(addr));
  if (r < 0) {
    printf('%s : échec de la connexion : %s\n', quand, strerror(errno));
  } else {
    printf('%s : connecté\n', quand);
  }
  close(sock_fd);
  return r;
}

function main(argc: number, argv: string[]): number {
  let server_fd: number;
  const addr = new sockaddr_in();

  if (argc != 2) {
    fprintf(stderr, 'usage : refused PORT\n');
    exit(2);
  }
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, '127.0.0.1', addr.sin_addr);

  // Personne sur ce port : RST, ECONNREFUSED
  essayer(addr, 'personne');

  // Un socket lié au port, mais sans listen() : toujours refusé
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  bind(server_fd, cast(sockaddr, addr), sizeof(addr));
  essayer(addr, 'bind sans listen');

  // Avec listen(), le noyau répond SYN-ACK à la place du RST
  listen(server_fd, 3);
  essayer(addr, 'après listen');

  close(server_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
