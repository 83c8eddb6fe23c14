// multiserver-promises : le serveur de multiserver.c (examples/multiserver.ts), écrit avec
// bsdsock/promises. Plus de boucle autour de select, poll ou epoll : chaque client a sa propre
// fonction async, qui attend (await) recv comme un programme bloquant, et la boucle d'événements de
// Node attend pour toutes à la fois (epoll, par libuv). Même protocole : écho, « un client est
// parti » aux autres, arrêt quand CLIENTS sont partis. Pas d'original C : c'est ce que le C n'a pas.
// Usage : multiserver-promises PORT. Va avec multiclient.
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import { accept, recv, send } from 'bsdsock/promises';
import {
  AF_INET,
  SOCK_STREAM,
  INADDR_LOOPBACK,
  socket,
  bind,
  listen,
  close,
  htons,
  htonl,
  sizeof,
  sockaddr,
  sockaddr_in,
  cast,
} from 'bsdsock';

const CLIENTS = 2;

const clients: number[] = [];
let partis = 0;

// Un client : lui renvoyer ses octets tant qu'il parle ; quand il part, fermer et le dire aux autres
async function servir(fd: number): Promise<void> {
  const buffer = Buffer.alloc(256);
  let n: number;

  while ((n = await recv(fd, buffer, sizeof(buffer), 0)) > 0) {
    await send(fd, buffer, n, 0);
  }
  close(fd);
  partis++;
  printf('un client est parti\n');
  clients.splice(clients.indexOf(fd), 1);
  for (const autre of clients) {
    await send(autre, 'un client est parti\n', 20, 0);
  }
}

async function main(argc: number, argv: string[]): Promise<number> {
  const addr = new sockaddr_in();
  const servis: Promise<void>[] = [];

  if (argc != 2) {
    fprintf(stderr, 'usage : multiserver-promises PORT\n');
    exit(2);
  }
  const listener = socket(AF_INET, SOCK_STREAM, 0);
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(atoi(argv[1]));
  bind(listener, cast(sockaddr, addr), sizeof(addr));
  listen(listener, 5);
  printf('Serveur (promises) en écoute sur le port %d\n', atoi(argv[1]));

  // Accepter CLIENTS clients ; chacun est servi à part, sans attendre les autres
  for (let k = 0; k < CLIENTS; k++) {
    const fd = await accept(listener, null, null);
    clients.push(fd);
    printf('nouveau client\n');
    servis.push(servir(fd));
  }
  await Promise.all(servis);
  close(listener);
  return partis == CLIENTS ? 0 : 1;
}

main(process.argv.length - 1, process.argv.slice(1)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`multiserver-promises : ${String(e)}\n`);
    process.exitCode = 1;
  },
);
