// datagrams : UDP, sans connexion. Rien ne part avant le premier datagramme ; chaque recvfrom() rend
// un datagramme entier, jamais deux ; un tampon trop petit tronque (MSG_TRUNC dit la vraie taille) ;
// un socket UDP connecté apprend par ICMP que personne n'écoute. Porté ligne à ligne de examples/c/datagrams.c.
// port-stats: 65 of 65 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi } from 'bsdsock/libc';
import {
  AF_INET, SOCK_DGRAM, MSG_TRUNC, INET_ADDRSTRLEN, errno, strerror, socket, bind, connect, sendto,
  recvfrom, send, recv, close, htons, inet_pton, inet_ntop, strlen, sizeof, socklen_t, sockaddr,
  sockaddr_in, cast,
} from 'bsdsock';


function main(argc: number, argv: string[]): number {
  let recv_fd: number, send_fd: number, conn_fd: number, i: number, n: number;
  const addr = new sockaddr_in(), from = new sockaddr_in();
  const fromlen = new socklen_t();
  const messages = ['un', 'deux', 'trois'];
  const buffer = Buffer.alloc(64), adresse = Buffer.alloc(INET_ADDRSTRLEN);

  if (argc != 2) {
    fprintf(stderr, 'usage : datagrams PORT\n');
    exit(2);
  }
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons(atoi(argv[1]));
  inet_pton(AF_INET, '127.0.0.1', addr.sin_addr);

  // Un socket qui reçoit sur le port, un autre qui envoie : ni listen, ni accept, ni connect
  recv_fd = socket(AF_INET, SOCK_DGRAM, 0);
  bind(recv_fd, cast(sockaddr, addr), sizeof(addr));
  send_fd = socket(AF_INET, SOCK_DGRAM, 0);

  // 1. Trois datagrammes : chacun part tout seul, sans poignée de main
  for (i = 0; i < 3; i++) {
    sendto(send_fd, messages[i], strlen(messages[i]), 0, cast(sockaddr, addr), sizeof(addr));
  }

  // 2. Chaque recvfrom rend un datagramme, même si le tampon pouvait en contenir plusieurs
  for (i = 0; i < 3; i++) {
    fromlen.value = sizeof(from);
    n = recvfrom(recv_fd, buffer, sizeof(buffer), 0, cast(sockaddr, from), fromlen);
    inet_ntop(AF_INET, from.sin_addr, adresse, sizeof(adresse));
    printf('recvfrom : %d octets, "%.*s", de %s\n', n, n, buffer, adresse);
  }

  // 3. Un tampon trop petit : le reste du datagramme est perdu, MSG_TRUNC rend sa vraie taille
  sendto(send_fd, 'un datagramme de 28 octets !', 28, 0, cast(sockaddr, addr), sizeof(addr));
  n = recv(recv_fd, buffer, 4, MSG_TRUNC);
  printf("recv(..., 4, MSG_TRUNC) rend %d : \"%.4s\" est tout ce qu'on a\n", n, buffer);

  // 4. Un socket UDP connecté vers un port où personne n'écoute
  conn_fd = socket(AF_INET, SOCK_DGRAM, 0);
  addr.sin_port = htons(atoi(argv[1]) + 1);
  connect(conn_fd, cast(sockaddr, addr), sizeof(addr));
  n = send(conn_fd, 'allo ?', 6, 0);
  printf('send a rendu %d : le datagramme est parti\n', n);
  n = recv(conn_fd, buffer, sizeof(buffer), 0);
  printf('recv a rendu %d : %s\n', n, strerror(errno));

  close(conn_fd);
  close(send_fd);
  close(recv_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
