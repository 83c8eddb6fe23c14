// multiserver : un seul processus sert plusieurs clients à la fois, en attendant que l'un d'eux soit
// prêt avec select(), poll() ou epoll. Il renvoie à chaque client ce qu'il envoie (écho), dit aux
// autres quand l'un part, et s'arrête quand CLIENTS sont partis. Porté ligne à ligne de examples/c/multiserver.c.
// port-stats: 156 of 156 C lines map one to one
import { printf, fprintf, stderr, exit, memset, atoi, strcmp } from 'bsdsock/libc';
import {
  AF_INET, SOCK_STREAM, INADDR_LOOPBACK, POLLIN, EPOLLIN, EPOLL_CTL_ADD, socket, bind, listen, accept,
  send, recv, close, select, poll, epoll_create1, epoll_ctl, epoll_wait, FD_ZERO, FD_SET, FD_CLR,
  FD_ISSET, htons, htonl, sizeof, assign, array, fd_set, pollfd, epoll_event, sockaddr, sockaddr_in,
  cast,
} from 'bsdsock';



const CLIENTS = 2;

const clients = new Array<number>(CLIENTS); let nclients = 0, partis = 0;

// Un nouveau client : l'accepter et le compter
function accepter(listener: number): number {
  const fd = accept(listener, null, null);
  clients[nclients++] = fd;
  printf('nouveau client\n');
  return fd;
}

// Un client est prêt : lui renvoyer ses octets ; s'il est parti, fermer et le dire aux autres
function servir(fd: number): number {
  const buffer = Buffer.alloc(256);
  let n: number, i: number, j: number;

  n = recv(fd, buffer, sizeof(buffer), 0);
  if (n > 0) {
    send(fd, buffer, n, 0);
    return 1;
  }
  close(fd);
  partis++;
  printf('un client est parti\n');
  for (i = 0, j = 0; i < nclients; i++) {
    if (clients[i] != fd) {
      send(clients[i], 'un client est parti\n', 20, 0);
      clients[j++] = clients[i];
    }
  }
  nclients = j;
  return 0;
}

// select : des ensembles de descripteurs (fd_set), refaits à chaque tour car select les modifie
function avec_select(listener: number): void {
  const tous = new fd_set(), prets = new fd_set();
  let fd: number, max = listener, nouveau: number;

  FD_ZERO(tous);
  FD_SET(listener, tous);
  while (partis < CLIENTS) {
    assign(prets, tous);
    select(max + 1, prets, null, null, null);
    for (fd = 0; fd <= max; fd++) {
      if (!FD_ISSET(fd, prets)) {
        continue;
      }
      if (fd == listener) {
        nouveau = accepter(listener);
        FD_SET(nouveau, tous);
        if (nouveau > max) {
          max = nouveau;
        }
      } else if (!servir(fd)) {
        FD_CLR(fd, tous);
      }
    }
  }
}

// poll : un tableau de struct pollfd, le noyau remplit revents
function avec_poll(listener: number): void {
  const pfds = array(pollfd, CLIENTS + 1);
  let n: number, i: number;

  while (partis < CLIENTS) {
    pfds[0].fd = listener;
    pfds[0].events = POLLIN;
    for (i = 0; i < nclients; i++) {
      pfds[i + 1].fd = clients[i];
      pfds[i + 1].events = POLLIN;
    }
    n = nclients + 1;
    poll(pfds, n, -1);
    for (i = 0; i < n; i++) {
      if (!(pfds[i].revents & POLLIN)) {
        continue;
      }
      if (pfds[i].fd == listener) {
        accepter(listener);
      } else {
        servir(pfds[i].fd);
      }
    }
  }
}

// epoll : le noyau garde l'ensemble ; epoll_wait ne rend que les descripteurs prêts
function avec_epoll(listener: number): void {
  const ev = new epoll_event(), events = array(epoll_event, CLIENTS + 1);
  let epfd: number, n: number, i: number, fd: number;

  epfd = epoll_create1!(0);
  ev.events = EPOLLIN;
  ev.data.fd = listener;
  epoll_ctl!(epfd, EPOLL_CTL_ADD, listener, ev);
  while (partis < CLIENTS) {
    n = epoll_wait!(epfd, events, CLIENTS + 1, -1);
    for (i = 0; i < n; i++) {
      fd = events[i].data.fd;
      if (fd == listener) {
        fd = accepter(listener);
        ev.events = EPOLLIN;
        ev.data.fd = fd;
        epoll_ctl!(epfd, EPOLL_CTL_ADD, fd, ev);
      } else {
        servir(fd); // close() retire aussi fd de l'ensemble epoll
      }
    }
  }
  close(epfd);
}

function main(argc: number, argv: string[]): number {
  let listener: number;
  const addr = new sockaddr_in();

  if (argc != 3) {
    fprintf(stderr, 'usage : multiserver select|poll|epoll PORT\n');
    exit(2);
  }
  listener = socket(AF_INET, SOCK_STREAM, 0);
  memset(addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(atoi(argv[2]));
  bind(listener, cast(sockaddr, addr), sizeof(addr));
  listen(listener, 5);
  printf('Serveur (%s) en écoute sur le port %d\n', argv[1], atoi(argv[2]));

  if (strcmp(argv[1], 'select') == 0) {
    avec_select(listener);
  } else if (strcmp(argv[1], 'poll') == 0) {
    avec_poll(listener);
  } else {
    avec_epoll(listener);
  }
  close(listener);
  return 0;
}
process.exitCode = main(process.argv.length - 1, process.argv.slice(1));
