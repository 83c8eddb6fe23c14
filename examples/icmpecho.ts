// icmpecho : un ping d'une seule requête. ICMP n'a ni ports ni connexions : une « echo request »,
// une « echo reply ». Socket ping (SOCK_DGRAM, IPPROTO_ICMP) si net.ipv4.ping_group_range le permet,
// sinon SOCK_RAW (CAP_NET_RAW) ; sinon il dit pourquoi et sort avec 1. Porté ligne à ligne de examples/c/icmpecho.c.
// port-stats: 118 of 118 C lines map one to one
import { printf, fprintf, stderr, exit, memset, memcpy, strcmp } from 'bsdsock/libc';
import {
  AF_INET, SOCK_DGRAM, SOCK_RAW, IPPROTO_ICMP, INADDR_ANY, INET_ADDRSTRLEN, POLLIN, errno, strerror,
  socket, bind, sendto, recvfrom, poll, close, htons, htonl, inet_pton, inet_ntop, sizeof, socklen_t,
  pollfd, sockaddr, sockaddr_in, cast,
} from 'bsdsock';




const ECHO_REPLY = 0; // ICMP_ECHOREPLY
const ECHO_REQUEST = 8; // ICMP_ECHO
const ID = 4242; // l'identifiant de nos échos

// La somme de contrôle d'Internet (RFC 1071) : complément à un de la somme des mots de 16 bits
function somme(buf: Uint8Array, len: number): number {
  let sum = 0;
  let i: number;

  for (i = 0; i + 1 < len; i += 2) {
    sum += (buf[i] << 8) | buf[i + 1];
  }
  if (i < len) {
    sum += buf[i] << 8;
  }
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return ~sum & 0xffff;
}

function main(argc: number, argv: string[]): number {
  let sock_fd = -1, type = 0, n = 0;
  const to = new sockaddr_in(), from = new sockaddr_in();
  const fromlen = new socklen_t();
  const pfd = new pollfd();
  const pkt = Buffer.alloc(8 + 12), reply = Buffer.alloc(1500); let icmp: Buffer;
  let sum: number;
  let mode: string;
  const adresse = Buffer.alloc(INET_ADDRSTRLEN);

  if (argc != 2 && argc != 3) {
    fprintf(stderr, 'usage : icmpecho ADRESSE [dgram|raw]\n');
    exit(2);
  }
  mode = argc == 3 ? argv[2] : 'auto';
  memset(to, 0, sizeof(to));
  to.sin_family = AF_INET;
  inet_pton(AF_INET, argv[1], to.sin_addr);

  // D'abord un socket ping, sans privilège là où le système le permet
  if (strcmp(mode, 'raw') != 0) {
    sock_fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (sock_fd == -1) {
      printf("socket ping refusé (%s) : ce groupe n'est pas dans net.ipv4.ping_group_range\n", strerror(errno));
    } else {
      type = SOCK_DGRAM;
    }
  }
  // Sinon un socket brut, qui demande CAP_NET_RAW
  if (sock_fd == -1 && strcmp(mode, 'dgram') != 0) {
    sock_fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (sock_fd == -1) {
      printf('socket brut refusé (%s) : il faut la capacité CAP_NET_RAW\n', strerror(errno));
    } else {
      type = SOCK_RAW;
    }
  }
  if (sock_fd == -1) {
    printf('ping impossible ici\n');
    return 1;
  }
  if (type == SOCK_DGRAM) {
    // Le « port » d'un socket ping est l'identifiant des échos : le noyau le met dans chaque requête
    memset(from, 0, sizeof(from));
    from.sin_family = AF_INET;
    from.sin_addr.s_addr = htonl(INADDR_ANY);
    from.sin_port = htons(ID);
    bind(sock_fd, cast(sockaddr, from), sizeof(from));
  }

  // L'en-tête ICMP : type, code, somme (2 octets), identifiant (2), numéro de séquence (2), puis les données
  memset(pkt, 0, sizeof(pkt));
  pkt[0] = ECHO_REQUEST;
  pkt[4] = ID >> 8;
  pkt[5] = ID & 0xff;
  pkt[7] = 1;
  memcpy(pkt.subarray(8), 'bsdsock ping', 12);
  sum = somme(pkt, sizeof(pkt));
  pkt[2] = sum >> 8;
  pkt[3] = sum & 0xff;
  sendto(sock_fd, pkt, sizeof(pkt), 0, cast(sockaddr, to), sizeof(to));

  // Attendre la réponse, deux secondes au plus ; un socket brut voit passer aussi notre requête
  for (;;) {
    pfd.fd = sock_fd;
    pfd.events = POLLIN;
    if (poll(pfd, 1, 2000) <= 0) {
      printf('pas de réponse\n');
      return 1;
    }
    fromlen.value = sizeof(from);
    n = recvfrom(sock_fd, reply, sizeof(reply), 0, cast(sockaddr, from), fromlen);
    icmp = type == SOCK_RAW ? reply.subarray((reply[0] & 0x0f) * 4) : reply; // le brut rend l'en-tête IP
    if (icmp[0] == ECHO_REPLY) {
      break;
    }
    printf('ignoré : un message ICMP de type %d\n', icmp[0]);
  }
  inet_ntop(AF_INET, from.sin_addr, adresse, sizeof(adresse));
  printf('echo reply de %s : %d octets, icmp_seq=%d (%s)\n', adresse, n, icmp[7], type == SOCK_RAW ? 'brut' : 'ping');
  close(sock_fd);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
