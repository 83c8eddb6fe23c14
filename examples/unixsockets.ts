// unixsockets : les sockets du domaine Unix (AF_UNIX), entre processus d'une même machine. Un nom dans
// le système de fichiers, un nom abstrait (Linux : sun_path commence par un octet nul), socketpair()
// et SCM_RIGHTS : passer un descripteur. Porté ligne à ligne de examples/c/unixsockets.c.
// port-stats: 96 of 100 C lines map one to one
import { printf, memset, memcpy } from 'bsdsock/libc';
import {
  AF_UNIX, SOCK_STREAM, SOL_SOCKET, SCM_RIGHTS, CMSG_SPACE, CMSG_LEN, CMSG_FIRSTHDR, CMSG_DATA, socket, bind, listen, accept, connect,
  send, recv, sendmsg, recvmsg, socketpair, close, strlen, sizeof, offsetof, socklen_t, msghdr, iovec, cmsghdr, sockaddr, sockaddr_un, cast,
} from 'bsdsock';
import { unlinkSync } from 'node:fs';
const unlink = (path: string): number => { try { unlinkSync(path); return 0; } catch { return -1; } }; // unistd.h's, as C returns it

const CHEMIN = 'lecon.sock';
const NOM = 'bsdsock-lecon';

// Un client se connecte à l'adresse, le serveur accepte, et le client lui envoie texte
function echanger(server_fd: number, addr: sockaddr_un, len: socklen_t, texte: string): void {
  let sock_fd: number, client_fd: number, n: number;
  const buffer = Buffer.alloc(64);

  sock_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  connect(sock_fd, cast(sockaddr, addr), len.value);
  client_fd = accept(server_fd, null, null);
  send(sock_fd, texte, strlen(texte), 0);
  n = recv(client_fd, buffer, sizeof(buffer), 0);
  printf('reçu : "%.*s"\n', n, buffer);
  close(client_fd);
  close(sock_fd);
}

function main(): number {
  let server_fd: number, n: number; const sv = new Int32Array(2), paire = new Int32Array(2), recu = new Int32Array(1);
  const addr = new sockaddr_un();
  const len = new socklen_t();
  const msg = new msghdr();
  const iov = new iovec();
  let cmsg: cmsghdr;
  const octet = Buffer.from('d'), control = Buffer.alloc(CMSG_SPACE(sizeof('int'))), buffer = Buffer.alloc(64);

  // 1. Un nom dans le système de fichiers : bind() crée le fichier, à effacer après
  server_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  memset(addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  addr.sun_path = CHEMIN;
  unlink(CHEMIN);
  bind(server_fd, cast(sockaddr, addr), sizeof(addr));
  listen(server_fd, 3);
  echanger(server_fd, addr, new socklen_t(sizeof(addr)), 'par un chemin');
  close(server_fd);
  unlink(CHEMIN);

  // 2. Un nom abstrait : un octet nul d'abord, et la longueur dit où le nom s'arrête
  server_fd = socket(AF_UNIX, SOCK_STREAM, 0);
  memset(addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  addr.sun_path = '\0' + NOM;
  len.value = offsetof(sockaddr_un, 'sun_path') + 1 + strlen(NOM);
  bind(server_fd, cast(sockaddr, addr), len.value);
  listen(server_fd, 3);
  echanger(server_fd, addr, len, 'par un nom abstrait');
  close(server_fd);

  // 3. socketpair : deux sockets reliées d'avance, sans nom ni accept
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  send(sv[0], 'par socketpair', 14, 0);
  n = recv(sv[1], buffer, sizeof(buffer), 0);
  printf('reçu : "%.*s"\n', n, buffer);

  // 4. SCM_RIGHTS : envoyer par sv une extrémité d'une autre paire
  socketpair(AF_UNIX, SOCK_STREAM, 0, paire);
  memset(msg, 0, sizeof(msg));
  iov.iov_base = octet;
  iov.iov_len = 1;
  msg.msg_iov = [iov];
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  cmsg = CMSG_FIRSTHDR(msg)!;
  cmsg.cmsg_level = SOL_SOCKET;
  cmsg.cmsg_type = SCM_RIGHTS;
  cmsg.cmsg_len = CMSG_LEN(sizeof('int'));
  memcpy(CMSG_DATA(cmsg), paire.subarray(1), sizeof('int'));
  sendmsg(sv[0], msg, 0);

  // Le descripteur arrive sous un autre numéro ; celui qui l'a envoyé peut fermer le sien, la socket reste
  msg.msg_controllen = sizeof(control);
  recvmsg(sv[1], msg, 0);
  close(paire[1]);
  cmsg = CMSG_FIRSTHDR(msg)!;
  memcpy(recu, CMSG_DATA(cmsg), sizeof('int'));
  send(recu[0], 'par le descripteur reçu', strlen('par le descripteur reçu'), 0);
  n = recv(paire[0], buffer, sizeof(buffer), 0);
  printf('reçu : "%.*s"\n', n, buffer);

  close(recu[0]);
  close(paire[0]);
  close(sv[0]);
  close(sv[1]);
  return 0;
}
process.exitCode = main();
