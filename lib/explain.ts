// Errors that teach: for each call and each errno a learner commonly meets from it, one line that
// says what the error means for that call and what to do about it, with the man page to read. The
// tracer writes it after a failed call when explaining is on (BSDSOCK_TRACE=explain). One table, in
// one place; keyed by errno name, so it reads the same on every platform. A host lookup
// (gethostbyname, gethostbyaddr) fails with h_errno, not errno: its hints are keyed by h_errno name
// (HOST_NOT_FOUND), and the `*` hints, which are errno's, never apply to it.
//
// Every hint is written in English and in French (the seed's language): each cell of the table holds
// both, so the compiler refuses a hint in one language only. C names, errno names and man pages stay
// as they are in both.
//
// One errno means different things depending on the socket's state: send's EPIPE on Linux comes
// from a TCP socket that never connected as well as from one whose peer has gone. For those, the
// hint reads the socket's state from the kernel (TCP_INFO) at the time of the failure.
import { callEntry } from './calls';
import * as C from './constants.gen';
import { hErrnoName } from './names';
import { addon, native } from './native';
import { invalidArgType, invalidArgValue } from './errors';

/** A language the hints are written in: `'en'` (English) or `'fr'` (French). */
export type HintLang = 'en' | 'fr';

/** A hint: what the error means for this call, and where to read more. */
export interface Hint {
  /** One line, in plain words: `bind EADDRINUSE: another socket already holds ...`. */
  readonly text: string;
  /** The man page to read, as `bind(2)`. */
  readonly man: string;
  /** The language `text` is written in. */
  readonly lang: HintLang;
}

/** One hint in both languages. */
interface Text {
  readonly en: string;
  readonly fr: string;
}

const NOT_OPEN: Text = {
  en: 'the descriptor is not open: it was closed already, or it is the -1 of a failed socket()/accept() passed on unchecked',
  fr:
    "le descripteur n'est pas ouvert : il a déjà été fermé, ou c'est le -1 d'un socket()/accept() qui a échoué, " +
    'transmis sans vérification',
};
const NOT_SOCKET: Text = {
  en: 'the descriptor is open but is not a socket (a file, a pipe, standard input?)',
  fr: "le descripteur est ouvert mais ce n'est pas une socket (un fichier, un tube, l'entrée standard ?)",
};
const NO_DESCRIPTORS: Text = {
  en: 'the process has used all the descriptors it may open (ulimit -n): close the sockets you are done with',
  fr:
    "le processus a épuisé les descripteurs qu'il a le droit d'ouvrir (ulimit -n) : fermez les sockets dont vous " +
    "n'avez plus besoin",
};
const WOULD_BLOCK_IN: Text = {
  en: 'the socket is non-blocking and nothing has arrived yet: wait until poll() says POLLIN, then call again',
  fr: "la socket est non bloquante et rien n'est encore arrivé : attendez que poll() signale POLLIN, puis rappelez",
};
const NO_SIGPIPE: Text = {
  en: '(in C, MSG_NOSIGNAL keeps SIGPIPE from killing the process)',
  fr: '(en C, MSG_NOSIGNAL évite que SIGPIPE ne tue le processus)',
};

/** call -> errno name -> hint. `*` holds what any call can mean by an errno. */
const table: Readonly<Record<string, Readonly<Record<string, Text>>>> = {
  socket: {
    EAFNOSUPPORT: {
      en: 'this system has no such address family: the first argument should be AF_INET, AF_INET6 or AF_UNIX',
      fr:
        "ce système ne connaît pas cette famille d'adresses : le premier argument devrait être AF_INET, AF_INET6 " +
        'ou AF_UNIX',
    },
    EPROTONOSUPPORT: {
      en: 'that protocol does not go with this family and type (IPPROTO_UDP with SOCK_STREAM?): pass 0 to get the default',
      fr:
        'ce protocole ne va pas avec cette famille et ce type (IPPROTO_UDP avec SOCK_STREAM ?) : passez 0 pour ' +
        'avoir le protocole par défaut',
    },
    EINVAL: {
      en: 'unknown socket type, or unknown flags ORed into it',
      fr: 'type de socket inconnu, ou drapeaux inconnus ajoutés au type par un OU (|)',
    },
    EACCES: {
      en: 'this kind of socket needs privileges the process lacks (SOCK_RAW needs root or CAP_NET_RAW)',
      fr: "ce genre de socket demande des privilèges que le processus n'a pas (SOCK_RAW demande root ou CAP_NET_RAW)",
    },
    EPERM: {
      en: 'raw sockets (SOCK_RAW) and packet sockets need root or CAP_NET_RAW',
      fr: 'les sockets brutes (SOCK_RAW) et les sockets paquet (AF_PACKET) demandent root ou CAP_NET_RAW',
    },
    EMFILE: NO_DESCRIPTORS,
    ENFILE: {
      en: 'the whole system is out of file descriptors: close some, or raise fs.file-max',
      fr: "le système tout entier n'a plus de descripteurs de fichiers : fermez-en, ou augmentez fs.file-max",
    },
  },
  bind: {
    EADDRINUSE: {
      en:
        'another socket already holds this address and port: a server still running, or a recent connection in ' +
        'TIME_WAIT; set SO_REUSEADDR before bind, or choose another port',
      fr:
        'une autre socket occupe déjà cette adresse et ce port : un serveur qui tourne encore, ou une connexion ' +
        'récente en TIME_WAIT ; activez SO_REUSEADDR avant bind, ou choisissez un autre port',
    },
    EACCES: {
      en:
        'ports below 1024 need root (or CAP_NET_BIND_SERVICE), and a Unix socket path needs write permission on ' +
        'its directory: use a port of 1024 or more',
      fr:
        "les ports inférieurs à 1024 demandent root (ou CAP_NET_BIND_SERVICE), et le chemin d'une socket Unix " +
        "demande le droit d'écriture sur son répertoire : prenez un port de 1024 ou plus",
    },
    EADDRNOTAVAIL: {
      en: 'that IP address belongs to no interface of this machine: bind to INADDR_ANY, or to an address `ip addr` shows',
      fr:
        "cette adresse IP n'appartient à aucune interface de cette machine : faites bind sur INADDR_ANY, ou sur " +
        'une adresse que montre `ip addr`',
    },
    EINVAL: {
      en: 'the socket is already bound (bind once per socket), or addrlen is not the size of the address struct',
      fr:
        "la socket a déjà une adresse (un seul bind par socket), ou addrlen n'est pas la taille de la structure " +
        "d'adresse",
    },
    EAFNOSUPPORT: {
      en: "the address's family is not the socket's: set sin_family to the family given to socket()",
      fr: "la famille de l'adresse n'est pas celle de la socket : mettez dans sin_family la famille donnée à socket()",
    },
    ENOENT: {
      en: 'a directory in the Unix socket path does not exist',
      fr: "un répertoire du chemin de la socket Unix n'existe pas",
    },
  },
  listen: {
    EADDRINUSE: {
      en: 'another socket is already listening on this port: stop the other server, or bind another port',
      fr: "une autre socket écoute déjà sur ce port : arrêtez l'autre serveur, ou faites bind sur un autre port",
    },
    EOPNOTSUPP: {
      en: 'listen is for connection sockets (SOCK_STREAM, SOCK_SEQPACKET): a SOCK_DGRAM socket has no queue',
      fr:
        'listen est fait pour les sockets orientées connexion (SOCK_STREAM, SOCK_SEQPACKET) : une socket ' +
        "SOCK_DGRAM n'a pas de file d'attente",
    },
    EINVAL: {
      en: 'the socket is connected already: listen on a fresh socket after bind',
      fr: 'la socket est déjà connectée : appelez listen sur une socket neuve, après bind',
    },
  },
  accept: {
    EAGAIN: {
      en: 'the socket is non-blocking and no client is waiting: wait until poll() says POLLIN, then accept again',
      fr:
        "la socket est non bloquante et aucun client n'attend : attendez que poll() signale POLLIN, puis rappelez " +
        'accept',
    },
    EINVAL: {
      en: 'the socket is not listening: call bind() and listen() on it before accept()',
      fr: "la socket n'écoute pas : appelez bind() puis listen() sur elle avant accept()",
    },
    EMFILE: NO_DESCRIPTORS,
    ENFILE: {
      en: 'the whole system is out of file descriptors',
      fr: "le système tout entier n'a plus de descripteurs de fichiers",
    },
    ECONNABORTED: {
      en: 'a client connected and gave up before it was accepted: just call accept again',
      fr: "un client s'est connecté puis a abandonné avant d'être accepté : rappelez simplement accept",
    },
    EOPNOTSUPP: {
      en: 'accept works only on connection sockets (SOCK_STREAM, SOCK_SEQPACKET)',
      fr: 'accept ne fonctionne que sur les sockets orientées connexion (SOCK_STREAM, SOCK_SEQPACKET)',
    },
  },
  connect: {
    ECONNREFUSED: {
      en: 'nothing is listening at that address and port: start the server first, and check the port went through htons()',
      fr:
        "rien n'écoute à cette adresse et sur ce port : lancez d'abord le serveur, et vérifiez que le port est " +
        'passé par htons()',
    },
    ETIMEDOUT: {
      en: 'the other host never answered the handshake: it is down, or a firewall drops the packets',
      fr: "l'hôte distant n'a jamais répondu à la poignée de main : il est éteint, ou un pare-feu jette les paquets",
    },
    ENETUNREACH: {
      en: 'there is no route to that network: check the address, and that a network interface is up',
      fr: "aucune route ne mène à ce réseau : vérifiez l'adresse, et qu'une interface réseau est active",
    },
    EHOSTUNREACH: {
      en: 'the host cannot be reached: it is down or off this network',
      fr: "l'hôte est injoignable : il est éteint, ou hors de ce réseau",
    },
    EINPROGRESS: {
      en:
        'the socket is non-blocking, so the handshake goes on after connect returns: wait for POLLOUT, then read ' +
        'SO_ERROR to learn how it ended',
      fr:
        'la socket est non bloquante : la poignée de main continue après le retour de connect ; attendez POLLOUT, ' +
        "puis lisez SO_ERROR pour savoir comment elle s'est terminée",
    },
    EALREADY: {
      en: 'a non-blocking connect on this socket is still in progress: wait for POLLOUT',
      fr: 'un connect non bloquant est encore en cours sur cette socket : attendez POLLOUT',
    },
    EISCONN: {
      en: 'the socket is connected already: a TCP socket connects once; make a new socket to connect again',
      fr:
        "la socket est déjà connectée : une socket TCP ne se connecte qu'une fois ; créez-en une nouvelle pour " +
        'vous reconnecter',
    },
    EAFNOSUPPORT: {
      en: "the address's family does not match the socket's (an AF_INET6 address on an AF_INET socket?)",
      fr:
        "la famille de l'adresse ne correspond pas à celle de la socket (une adresse AF_INET6 sur une socket " +
        'AF_INET ?)',
    },
    ENOENT: {
      en: 'no Unix socket exists at that path: the server has not bound it yet, or the path is wrong',
      fr:
        "aucune socket Unix n'existe à ce chemin : le serveur ne l'a pas encore créée avec bind, ou le chemin est " +
        'faux',
    },
    EACCES: {
      en: 'no permission: write permission on the Unix socket file, or a broadcast address without SO_BROADCAST',
      fr:
        "permission refusée : il faut le droit d'écriture sur le fichier de la socket Unix, ou SO_BROADCAST pour " +
        'une adresse de diffusion',
    },
    EADDRNOTAVAIL: {
      en: 'no local port is free to connect from, or the address is not one you can reach (0.0.0.0?)',
      fr: "aucun port local n'est libre pour se connecter, ou l'adresse n'est pas joignable (0.0.0.0 ?)",
    },
  },
  send: {
    EPIPE: {
      en:
        'the other end has closed the connection (or this end shut down writing): nothing more can go out; close ' +
        `the socket ${NO_SIGPIPE.en}`,
      fr:
        "l'autre extrémité a fermé la connexion (ou cette extrémité a fermé l'écriture) : plus rien ne peut " +
        `partir ; fermez la socket ${NO_SIGPIPE.fr}`,
    },
    ECONNRESET: {
      en: 'the other end reset the connection (it closed with data unread, or crashed): close this socket',
      fr:
        "l'autre extrémité a réinitialisé la connexion (elle a fermé sans tout lire, ou elle a planté) : fermez " +
        'cette socket',
    },
    EAGAIN: {
      en: 'the socket is non-blocking and its send buffer is full: wait until poll() says POLLOUT, then send the rest',
      fr:
        "la socket est non bloquante et son tampon d'envoi est plein : attendez que poll() signale POLLOUT, puis " +
        'envoyez le reste',
    },
    EMSGSIZE: {
      en: 'the datagram is larger than one message may be (65507 bytes for UDP over IPv4): send less at a time',
      fr:
        "le datagramme dépasse la taille maximale d'un message (65507 octets pour UDP sur IPv4) : envoyez moins à " +
        'la fois',
    },
    ENOTCONN: {
      en: 'the socket is not connected: connect() it (client), or send on the descriptor accept() returned',
      fr:
        "la socket n'est pas connectée : connectez-la avec connect() (client), ou envoyez sur le descripteur " +
        'renvoyé par accept()',
    },
    EDESTADDRREQ: {
      en: 'a datagram socket with no peer: use sendto() with an address, or connect() the socket first',
      fr:
        "une socket de datagrammes sans destinataire : utilisez sendto() avec une adresse, ou connectez d'abord " +
        'la socket avec connect()',
    },
    EISCONN: {
      en: 'the socket is connected: send without an address (send, or sendto with NULL)',
      fr: 'la socket est connectée : envoyez sans adresse (send, ou sendto avec NULL)',
    },
    ECONNREFUSED: {
      en: 'an earlier datagram to this peer was refused: nothing listens on its port',
      fr: "un datagramme envoyé plus tôt à ce destinataire a été refusé : rien n'écoute sur son port",
    },
    EACCES: {
      en: 'a broadcast address needs SO_BROADCAST set first',
      fr: "une adresse de diffusion demande d'activer d'abord SO_BROADCAST",
    },
  },
  recv: {
    EAGAIN: {
      en: `${WOULD_BLOCK_IN.en} (or SO_RCVTIMEO ran out)`,
      fr: `${WOULD_BLOCK_IN.fr} (ou le délai SO_RCVTIMEO a expiré)`,
    },
    ECONNRESET: {
      en: 'the other end reset the connection; whatever it had sent and you had not read is lost: close the socket',
      fr:
        "l'autre extrémité a réinitialisé la connexion ; ce qu'elle avait envoyé et que vous n'aviez pas encore " +
        'lu est perdu : fermez la socket',
    },
    ENOTCONN: {
      en: 'the socket is not connected: recv on the descriptor accept() returned, not on the listening one',
      fr:
        "la socket n'est pas connectée : appelez recv sur le descripteur renvoyé par accept(), pas sur la socket " +
        "d'écoute",
    },
    ECONNREFUSED: {
      en: 'an earlier datagram sent from this socket was refused: nothing listens on that port',
      fr: "un datagramme envoyé plus tôt par cette socket a été refusé : rien n'écoute sur ce port",
    },
  },
  setsockopt: {
    ENOPROTOOPT: {
      en: 'no such option at that level: SO_* options go with SOL_SOCKET, TCP_* with IPPROTO_TCP, IP_* with IPPROTO_IP',
      fr:
        "cette option n'existe pas à ce niveau : les options SO_* vont avec SOL_SOCKET, TCP_* avec IPPROTO_TCP, " +
        'IP_* avec IPPROTO_IP',
    },
    EINVAL: {
      en: "optlen does not fit the option (an int option takes sizeof('int')), or the value is out of range",
      fr:
        "optlen ne correspond pas à l'option (une option entière prend sizeof('int')), ou la valeur est hors " +
        'limites',
    },
    EPERM: {
      en: 'this option needs privileges the process lacks',
      fr: "cette option demande des privilèges que le processus n'a pas",
    },
  },
  getsockopt: {
    ENOPROTOOPT: {
      en: 'no such option at that level: SO_* options go with SOL_SOCKET, TCP_* with IPPROTO_TCP',
      fr: "cette option n'existe pas à ce niveau : les options SO_* vont avec SOL_SOCKET, TCP_* avec IPPROTO_TCP",
    },
    EINVAL: {
      en: 'optlen is too small for the option',
      fr: 'optlen est trop petit pour cette option',
    },
  },
  shutdown: {
    ENOTCONN: {
      en: 'shutdown needs a connected socket: this one never connected, or the connection is gone',
      fr: "shutdown demande une socket connectée : celle-ci ne l'a jamais été, ou la connexion n'existe plus",
    },
    EINVAL: {
      en: 'how must be SHUT_RD, SHUT_WR or SHUT_RDWR',
      fr: 'how doit valoir SHUT_RD, SHUT_WR ou SHUT_RDWR',
    },
  },
  close: {
    EBADF: {
      en: 'the descriptor is not open: closed twice? (after close, forget the number: the kernel will reuse it)',
      fr:
        "le descripteur n'est pas ouvert : fermé deux fois ? (après close, oubliez ce numéro : le noyau le " +
        'réutilisera)',
    },
  },
  getpeername: {
    ENOTCONN: {
      en: 'the socket is not connected, so it has no peer',
      fr: "la socket n'est pas connectée : elle n'a donc pas d'extrémité distante",
    },
  },
  poll: {
    EINVAL: {
      en: 'nfds is larger than the number of descriptors the process may open',
      fr: "nfds dépasse le nombre de descripteurs que le processus a le droit d'ouvrir",
    },
  },
  // Keyed by h_errno name (gethostbyaddr shares these).
  gethostbyname: {
    HOST_NOT_FOUND: {
      en:
        'no such host: /etc/hosts does not list the name and DNS says it does not exist; check the spelling ' +
        '(gethostbyname takes a name or a dotted IPv4 address, not a URL or "host:port")',
      fr:
        "hôte inconnu : /etc/hosts ne contient pas ce nom et le DNS dit qu'il n'existe pas ; vérifiez " +
        'l\'orthographe (gethostbyname prend un nom ou une adresse IPv4 pointée, pas une URL ni "hôte:port")',
    },
    TRY_AGAIN: {
      en:
        'no DNS server answered (no network, or the server is down): it may work later; /etc/hosts names ' +
        '(localhost) need no network',
      fr:
        "aucun serveur DNS n'a répondu (pas de réseau, ou serveur en panne) : cela peut marcher plus tard ; les " +
        "noms de /etc/hosts (localhost) n'ont pas besoin du réseau",
    },
    NO_RECOVERY: {
      en: 'the DNS server refused or failed the query, or the name is not one it can look up (empty?)',
      fr: 'le serveur DNS a refusé la requête ou a échoué, ou ce nom ne peut pas être cherché (vide ?)',
    },
    NO_DATA: {
      en: 'the name exists but has no address of this kind: gethostbyname asks for IPv4 only; use getaddrinfo for IPv6',
      fr:
        "le nom existe mais n'a pas d'adresse de ce type : gethostbyname ne demande que de l'IPv4 ; utilisez " +
        "getaddrinfo pour l'IPv6",
    },
    NETDB_INTERNAL: {
      en: 'the lookup itself failed (see errno): for gethostbyaddr, len must be 4 for AF_INET, 16 for AF_INET6',
      fr:
        'la recherche elle-même a échoué (voir errno) : pour gethostbyaddr, len doit valoir 4 pour AF_INET, 16 ' +
        'pour AF_INET6',
    },
  },
  '*': {
    EBADF: NOT_OPEN,
    ENOTSOCK: NOT_SOCKET,
    EFAULT: {
      en: 'an address the kernel had to read or fill lies outside the memory of the process',
      fr: 'une adresse que le noyau devait lire ou remplir est en dehors de la mémoire du processus',
    },
    EINTR: {
      en: 'a signal arrived while the call waited; C programs simply call it again',
      fr: "un signal est arrivé pendant que l'appel attendait ; les programmes C le relancent simplement",
    },
    EMFILE: NO_DESCRIPTORS,
    ENOBUFS: {
      en: 'the kernel ran short of memory for socket buffers: retry later, or send less at once',
      fr: 'le noyau manque de mémoire pour les tampons des sockets : réessayez plus tard, ou envoyez moins à la fois',
    },
    ENOMEM: { en: 'the kernel ran short of memory', fr: 'le noyau manque de mémoire' },
  },
};

/**
 * What the kernel says of a TCP socket that a send failed on with EPIPE, when that is not the
 * closed peer of the table's hint: it never had a connection, it is a listening socket, or this end
 * shut down writing while the connection is still open the other way.
 */
type PipeState = 'never-connected' | 'listening' | 'shut-down';

/** send's EPIPE, by the socket's state (the table's EPIPE is the closed peer). */
const EPIPE_BY_STATE: Readonly<Record<PipeState, Text>> = {
  'never-connected': {
    en:
      'this TCP socket was never connected (only created or bound, or its connect() failed), so there is no ' +
      `connection to send on: connect() it first and check that connect returned 0 ${NO_SIGPIPE.en}`,
    fr:
      "cette socket TCP n'a jamais été connectée (seulement créée ou attachée avec bind, ou son connect() a " +
      "échoué) : il n'y a aucune connexion sur laquelle envoyer ; appelez d'abord connect() et vérifiez qu'il a " +
      `renvoyé 0 ${NO_SIGPIPE.fr}`,
  },
  listening: {
    en:
      'this is a listening socket: it has no connection of its own, it only hands out new ones; send on the ' +
      'descriptor accept() returned',
    fr:
      "c'est une socket d'écoute : elle n'a pas de connexion à elle, elle ne fait qu'en fournir de nouvelles ; " +
      'envoyez sur le descripteur renvoyé par accept()',
  },
  'shut-down': {
    en:
      'this end has shut down writing (shutdown with SHUT_WR or SHUT_RDWR): nothing more can go out on this ' +
      'connection, though data can still come in; recv until it returns 0, then close',
    fr:
      "cette extrémité a fermé l'écriture (shutdown avec SHUT_WR ou SHUT_RDWR) : plus rien ne peut partir sur " +
      "cette connexion, mais des données peuvent encore arriver ; appelez recv jusqu'à ce qu'il renvoie 0, puis " +
      'fermez',
  },
};

// Where tcpi_delivered sits in struct tcp_info (Linux 4.18 and later), if the addon knows the struct.
const DELIVERED = native.layouts.tcp_info?.fields.tcpi_delivered;

/**
 * What the kernel says of the TCP socket `fd` that a send just failed on with EPIPE; undefined when it
 * is no TCP socket, the kernel cannot say, or its state is the table's closed peer.
 *
 * Measured on Linux 6.18 (each case a send with MSG_NOSIGNAL that failed with EPIPE): a socket only
 * created or bound, or whose connect was refused (blocking or not), is in TCP_CLOSE with
 * tcpi_delivered 0; one whose peer closed (FIN, then our data answered by RST) or reset it, accepted
 * or connected, is in TCP_CLOSE with tcpi_delivered >= 1, since the kernel counts the handshake's SYN
 * (or SYN-ACK) as delivered once the handshake completes. tcpi_segs_out is no signal (0 on an
 * accepted socket that was reset: the SYN-ACK was sent by the request, not the socket; 1 after a
 * refused non-blocking connect), and neither is getpeername (ENOTCONN in TCP_CLOSE either way).
 * After connect(AF_UNSPEC) the kernel forgets the counts, and the socket reads as never connected,
 * which for sending it is.
 */
function pipeState(fd: number): PipeState | undefined {
  // Not a C int that can name a descriptor: no state to read (and nothing for the addon to throw about).
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fffffff) return undefined;
  if (C.TCP_INFO === undefined || DELIVERED === undefined) return undefined;
  const need = DELIVERED[0] + DELIVERED[1];
  // Words, so that the u32 field is read in the host's byte order; the state is the struct's first byte.
  const words = new Uint32Array(Math.ceil(need / 4));
  const len = new Uint32Array([need]);
  // The addon as loaded, not `native`: fault injection must neither fail nor count this look-up. It
  // reports a failure as its result and leaves the package's errno alone.
  if (addon.getsockopt(fd, C.IPPROTO_TCP, C.TCP_INFO, words, len) < 0 || len[0] < need) return undefined;
  const state = new Uint8Array(words.buffer)[0];
  if (state === C.TCP_LISTEN) return 'listening';
  if (state === C.TCP_FIN_WAIT1 || state === C.TCP_FIN_WAIT2) return 'shut-down';
  const delivered = DELIVERED[1] === 4 && DELIVERED[0] % 4 === 0 ? words[DELIVERED[0] / 4] : undefined;
  if (state === C.TCP_CLOSE && delivered === 0) return 'never-connected';
  return undefined;
}

/**
 * The language the environment asks for: `BSDSOCK_LANG` (`fr` or `en`), else the locale of messages
 * as the C library finds it (the first of LC_ALL, LC_MESSAGES and LANG that is set and not empty; a
 * value starting with `fr`, as `fr_FR.UTF-8`, is French), else English.
 * @internal
 */
export function envLang(env: NodeJS.ProcessEnv = process.env): HintLang {
  const asked = (env.BSDSOCK_LANG ?? '').trim().toLowerCase();
  if (asked.startsWith('fr')) return 'fr';
  if (asked.startsWith('en')) return 'en';
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '') ?? '';
  return locale.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

/**
 * The word before the man page in a hint line: `(see bind(2))`, `(voir bind(2))`.
 * @internal
 */
export function seeWord(lang: HintLang): string {
  return lang === 'fr' ? 'voir' : 'see';
}

/**
 * What `errnum` means when `call` returns it, in one line, with the man page to read; undefined when
 * the table has nothing for that pair. The tracer writes it after a failed call when explaining is on.
 *
 * Given the descriptor the call failed on, the hint is chosen by the socket's state, read from the
 * kernel (TCP_INFO) without changing errno: send's EPIPE from a TCP socket that never connected, or
 * from a listening one, is told apart from a peer that closed the connection.
 * @param call - the call's name, as `bind`.
 * @param errnum - the errno value, such as EADDRINUSE; for gethostbyname and gethostbyaddr, the
 *   h_errno value, such as HOST_NOT_FOUND.
 * @param lang - `'en'` or `'fr'`; by default what the environment asks for: BSDSOCK_LANG, else the
 *   locale (LC_ALL, LC_MESSAGES, LANG), else English.
 * @param sockfd - the descriptor the call failed on, if known; read right after the failure.
 * @example
 * ```ts
 * hint('bind', EADDRINUSE, 'fr')?.text;
 * // "bind EADDRINUSE : une autre socket occupe déjà cette adresse et ce port : ..."
 * ```
 */
export function hint(call: string, errnum: number, lang?: HintLang, sockfd?: number): Hint | undefined {
  // Found by the fuzzer: a Symbol or a detached view here threw an uncoded TypeError.
  if (typeof call !== 'string') throw invalidArgType('hint', 'call', 'of type string', call);
  if (typeof errnum !== 'number') throw invalidArgType('hint', 'errnum', 'of type number', errnum);
  if (lang !== undefined && lang !== 'en' && lang !== 'fr') {
    throw invalidArgValue('hint', 'lang', "must be 'en', 'fr' or undefined", lang);
  }
  if (sockfd !== undefined && typeof sockfd !== 'number') {
    throw invalidArgType('hint', 'sockfd', 'of type number', sockfd);
  }
  const language = lang ?? envLang();
  const entry = callEntry(call);
  const byHErrno = entry?.status === 'h_errno';
  const name = byHErrno ? hErrnoName(errnum) : native.errnoNames[errnum];
  if (name === undefined) return undefined;
  const shared = entry?.hintsOf;
  const base = table[call] !== undefined ? call : shared;
  let text: Text | undefined = table[call]?.[name] ?? (shared === undefined ? undefined : table[shared]?.[name]);
  if (name === 'EPIPE' && base === 'send' && sockfd !== undefined) {
    const state = pipeState(sockfd);
    if (state !== undefined) text = EPIPE_BY_STATE[state];
  }
  text ??= byHErrno ? undefined : table['*'][name];
  if (text === undefined) return undefined;
  const colon = language === 'fr' ? ' :' : ':';
  return { text: `${call} ${name}${colon} ${text[language]}`, man: entry?.man ?? `${call}(2)`, lang: language };
}

/**
 * The whole table, for documentation and tests: each call with the errno names it has a hint for
 * (`*`: any call).
 */
export function hintTable(): Readonly<Record<string, readonly string[]>> {
  const out: Record<string, readonly string[]> = {};
  for (const [call, byErrno] of Object.entries(table)) out[call] = Object.keys(byErrno);
  return out;
}

/**
 * Every hint in both languages, keyed `call errno` (`send EPIPE never-connected` for a hint chosen by
 * the socket's state), for the test that each has its two texts.
 * @internal
 */
export function hintTexts(): ReadonlyMap<string, Text> {
  const out = new Map<string, Text>();
  for (const [call, byErrno] of Object.entries(table)) {
    for (const [name, text] of Object.entries(byErrno)) out.set(`${call} ${name}`, text);
  }
  for (const [state, text] of Object.entries(EPIPE_BY_STATE)) out.set(`send EPIPE ${state}`, text);
  return out;
}
