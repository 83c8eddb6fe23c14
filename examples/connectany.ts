// connectany : le client qui ne connaît qu'un nom. getaddrinfo() rend une liste d'adresses (IPv6 puis
// IPv4 d'ordinaire) ; on essaie chacune tour à tour jusqu'à ce qu'un connect() réussisse. Sans nom
// (NULL), getaddrinfo rend ::1 et 127.0.0.1. Porté ligne à ligne de examples/c/connectany.c.
// port-stats: 61 of 61 C lines map one to one
import { printf, fprintf, stderr, exit, memset, strcmp } from 'bsdsock/libc';
import {
  AF_UNSPEC, AF_INET, AF_INET6, SOCK_STREAM, INET6_ADDRSTRLEN, EXIT_FAILURE, errno, strerror, socket,
  connect, recv, close, getaddrinfo, freeaddrinfo, gai_strerror, inet_ntop, sizeof, ptr, addrinfo,
  sockaddr_in, sockaddr_in6, cast,
} from 'bsdsock';



function main(argc: number, argv: string[]): number {
  let sock_fd = -1, rv: number, n: number;
  const hints = new addrinfo(), res = new ptr<addrinfo | null>(null); let p: addrinfo | null;
  const adresse = Buffer.alloc(INET6_ADDRSTRLEN), buffer = Buffer.alloc(1024);
  let hote: string | null;

  if (argc != 3) {
    fprintf(stderr, 'usage : connectany HOTE|- PORT\n');
    exit(2);
  }
  hote = strcmp(argv[1], '-') == 0 ? null : argv[1];

  // Toutes les adresses, des deux familles, pour un socket TCP
  memset(hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if ((rv = getaddrinfo(hote, argv[2], hints, res)) != 0) {
    fprintf(stderr, 'getaddrinfo : %s\n', gai_strerror(rv));
    exit(EXIT_FAILURE);
  }

  // Chaque adresse à son tour, jusqu'à ce qu'une accepte
  for (p = res.value; p != null; p = p.ai_next) {
    if (p.ai_family == AF_INET6) {
      inet_ntop(AF_INET6, cast(sockaddr_in6, p.ai_addr!).sin6_addr, adresse, sizeof(adresse));
    } else {
      inet_ntop(AF_INET, cast(sockaddr_in, p.ai_addr!).sin_addr, adresse, sizeof(adresse));
    }
    sock_fd = socket(p.ai_family, p.ai_socktype, p.ai_protocol);
    if (connect(sock_fd, p.ai_addr!, p.ai_addrlen) == 0) {
      printf('%s : connecté\n', adresse);
      break;
    }
    printf('%s : %s, adresse suivante\n', adresse, strerror(errno));
    close(sock_fd);
  }
  freeaddrinfo(res);
  if (p == null) {
    fprintf(stderr, "aucune adresse n'a accepté\n");
    exit(EXIT_FAILURE);
  }

  // Connecté : lire ce que le serveur envoie
  n = recv(sock_fd, buffer, sizeof(buffer), 0);
  printf('reçu : %.*s', n, buffer);
  close(sock_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
