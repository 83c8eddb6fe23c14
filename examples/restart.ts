// restart : un serveur qui s'arrête puis redémarre aussitôt sur le même port. Un client (dans le même
// programme) se connecte ; le serveur ferme la connexion le premier, s'arrête, puis refait bind().
// Usage : restart [-r] PORT (-r : SO_REUSEADDR avant bind). Porté ligne à ligne de examples/c/restart.c.
// port-stats: 80 of 80 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi, strcmp } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, INADDR_LOOPBACK, EXIT_FAILURE, socket, setsockopt,
  bind, listen, accept, connect, recv, close, htons, htonl, inet_pton, perror, sizeof, sockaddr_in, sockaddr, cast,
} from 'bsdsock';


// Créer le socket d'écoute, avec SO_REUSEADDR si reuse, le lier au port et écouter
function demarrer(port: number, reuse: number): number {
  let server_fd: number; const un = new Int32Array([1]);
  const server_addr = new sockaddr_in();

  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  if (reuse) {
    setsockopt(server_fd, SOL_SOCKET, SO_REUSEADDR, un, sizeof(un));
  }
  memset(server_addr, 0, sizeof(server_addr));
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  server_addr.sin_port = htons(port);
  if (bind(server_fd, cast(sockaddr, server_addr), sizeof(server_addr)) < 0) {
    perror('Échec de la liaison');
    close(server_fd);
    return -1;
  }
  listen(server_fd, 3);
  printf('Serveur en écoute sur le port %d\n', port);
  return server_fd;
}

function main(argc: number, argv: string[]): number {
  let server_fd: number, client_fd: number, sock_fd: number, port: number, reuse: number;
  const addr = new sockaddr_in();
  const buffer = Buffer.alloc(16);

  reuse = Number(argc == 3 && strcmp(argv[1], '-r') == 0);
  if (argc != 2 + reuse) {
    fprintf(stderr, 'usage : restart [-r] PORT\n');
    exit(2);
  }
  port = atoi(argv[argc - 1]);

  // Premier démarrage
  server_fd = demarrer(port, reuse);
  if (server_fd < 0) {
    exit(EXIT_FAILURE);
  }

  // Un client se connecte
  sock_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, '127.0.0.1', addr.sin_addr);
  connect(sock_fd, cast(sockaddr, addr), sizeof(addr));
  client_fd = accept(server_fd, null, null);

  // Le serveur ferme la connexion le premier, puis s'arrête
  close(client_fd);
  close(server_fd);

  // Le client lit la fin du flux (recv rend 0) et ferme à son tour
  recv(sock_fd, buffer, sizeof(buffer), 0);
  close(sock_fd);
  printf("Le serveur s'est arrêté ; il redémarre\n");

  // Second démarrage, sur le même port
  server_fd = demarrer(port, reuse);
  if (server_fd < 0) {
    printf('Impossible de redémarrer : le port %d est encore pris\n', port);
    return 1;
  }
  printf('Redémarré\n');
  close(server_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
