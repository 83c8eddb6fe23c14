// brokenpipe : écrire vers un pair qui a fermé. Un socket fermé avec des octets non lus répond par un
// RST (recv de l'autre côté : ECONNRESET). Un pair qui a fermé normalement répond au premier envoi par
// un RST ; le send suivant échoue avec EPIPE (Node ignore SIGPIPE). Porté ligne à ligne de examples/c/brokenpipe.c.
// port-stats: 63 of 63 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, MSG_NOSIGNAL, POLLIN, errno, strerror, socket, bind, listen, accept, connect,
  send, recv, close, poll, htons, inet_pton, sizeof, pollfd, sockaddr, sockaddr_in, cast,
} from 'bsdsock';




// Un client se connecte au serveur, qui l'accepte : les deux bouts d'une connexion
function connexion(server_fd: number, addr: sockaddr_in, client: Int32Array, serveur: Int32Array): void {
  client[0] = socket(AF_INET, SOCK_STREAM, 0);
  connect(client[0], cast(sockaddr, addr), sizeof(addr));
  serveur[0] = accept(server_fd, null, null);
}

function main(argc: number, argv: string[]): number {
  let server_fd: number, n: number; const client = new Int32Array(1), serveur = new Int32Array(1);
  const addr = new sockaddr_in();
  const pfd = new pollfd();
  const buffer = Buffer.alloc(64);

  if (argc != 2) {
    fprintf(stderr, 'usage : brokenpipe PORT\n');
    exit(2);
  }
  server_fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, '127.0.0.1', addr.sin_addr);
  bind(server_fd, cast(sockaddr, addr), sizeof(addr));
  listen(server_fd, 3);

  // 1. Fermer avec des octets non lus : RST au lieu de FIN, et ECONNRESET en face
  connexion(server_fd, addr, client, serveur);
  send(client[0], 'jamais lu', 9, 0);
  pfd.fd = serveur[0];
  pfd.events = POLLIN;
  poll(pfd, 1, -1); // les octets sont arrivés, personne ne les lit
  close(serveur[0]);
  n = recv(client[0], buffer, sizeof(buffer), 0);
  printf('recv rend %d : %s\n', n, strerror(errno));
  close(client[0]);

  // 2. Écrire vers un pair qui a fermé : le premier send passe, le pair répond RST
  connexion(server_fd, addr, client, serveur);
  close(serveur[0]);
  n = send(client[0], 'bonjour', 7, MSG_NOSIGNAL);
  printf('premier send : %d\n', n);
  pfd.fd = client[0];
  pfd.events = 0;
  poll(pfd, 1, -1); // sans rien demander : POLLERR et POLLHUP viennent toujours
  n = send(client[0], 'encore', 6, MSG_NOSIGNAL);
  printf('second send : %d, %s\n', n, strerror(errno));
  close(client[0]);
  close(server_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
