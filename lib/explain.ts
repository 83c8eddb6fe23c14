// Errors that teach: for each call and each errno a learner commonly meets from it, one line that
// says what the error means for that call and what to do about it, with the man page to read. The
// tracer writes it after a failed call when explaining is on (BSDSOCK_TRACE=explain). One table, in
// one place; keyed by errno name, so it reads the same on every platform. A host lookup
// (gethostbyname, gethostbyaddr) fails with h_errno, not errno: its hints are keyed by h_errno name
// (HOST_NOT_FOUND), and the `*` hints, which are errno's, never apply to it.
import { callEntry } from './calls';
import { hErrnoName } from './names';
import { native } from './native';
import { invalidArgType } from './errors';

/** A hint: what the error means for this call, and where to read more. */
export interface Hint {
  /** One line, in plain words. */
  readonly text: string;
  /** The man page to read, as `bind(2)`. */
  readonly man: string;
}

const NOT_OPEN =
  'the descriptor is not open: it was closed already, or it is the -1 of a failed socket()/accept() passed on unchecked';
const NOT_SOCKET = 'the descriptor is open but is not a socket (a file, a pipe, standard input?)';
const NO_DESCRIPTORS =
  'the process has used all the descriptors it may open (ulimit -n): close the sockets you are done with';
const WOULD_BLOCK_IN =
  'the socket is non-blocking and nothing has arrived yet: wait until poll() says POLLIN, then call again';

/** call -> errno name -> hint text. `*` holds what any call can mean by an errno. */
const table: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  socket: {
    EAFNOSUPPORT: 'this system has no such address family: the first argument should be AF_INET, AF_INET6 or AF_UNIX',
    EPROTONOSUPPORT:
      'that protocol does not go with this family and type (IPPROTO_UDP with SOCK_STREAM?): pass 0 to get the default',
    EINVAL: 'unknown socket type, or unknown flags ORed into it',
    EACCES: 'this kind of socket needs privileges the process lacks (SOCK_RAW needs root or CAP_NET_RAW)',
    EPERM: 'raw sockets (SOCK_RAW) and packet sockets need root or CAP_NET_RAW',
    EMFILE: NO_DESCRIPTORS,
    ENFILE: 'the whole system is out of file descriptors: close some, or raise fs.file-max',
  },
  bind: {
    EADDRINUSE:
      'another socket already holds this address and port: a server still running, or a recent connection in ' +
      'TIME_WAIT; set SO_REUSEADDR before bind, or choose another port',
    EACCES:
      'ports below 1024 need root (or CAP_NET_BIND_SERVICE), and a Unix socket path needs write permission on ' +
      'its directory: use a port of 1024 or more',
    EADDRNOTAVAIL:
      'that IP address belongs to no interface of this machine: bind to INADDR_ANY, or to an address `ip addr` shows',
    EINVAL: 'the socket is already bound (bind once per socket), or addrlen is not the size of the address struct',
    EAFNOSUPPORT: "the address's family is not the socket's: set sin_family to the family given to socket()",
    ENOENT: 'a directory in the Unix socket path does not exist',
  },
  listen: {
    EADDRINUSE: 'another socket is already listening on this port: stop the other server, or bind another port',
    EOPNOTSUPP: 'listen is for connection sockets (SOCK_STREAM, SOCK_SEQPACKET): a SOCK_DGRAM socket has no queue',
    EINVAL: 'the socket is connected already: listen on a fresh socket after bind',
  },
  accept: {
    EAGAIN: 'the socket is non-blocking and no client is waiting: wait until poll() says POLLIN, then accept again',
    EINVAL: 'the socket is not listening: call bind() and listen() on it before accept()',
    EMFILE: NO_DESCRIPTORS,
    ENFILE: 'the whole system is out of file descriptors',
    ECONNABORTED: 'a client connected and gave up before it was accepted: just call accept again',
    EOPNOTSUPP: 'accept works only on connection sockets (SOCK_STREAM, SOCK_SEQPACKET)',
  },
  connect: {
    ECONNREFUSED:
      'nothing is listening at that address and port: start the server first, and check the port went through htons()',
    ETIMEDOUT: 'the other host never answered the handshake: it is down, or a firewall drops the packets',
    ENETUNREACH: 'there is no route to that network: check the address, and that a network interface is up',
    EHOSTUNREACH: 'the host cannot be reached: it is down or off this network',
    EINPROGRESS:
      'the socket is non-blocking, so the handshake goes on after connect returns: wait for POLLOUT, then read ' +
      'SO_ERROR to learn how it ended',
    EALREADY: 'a non-blocking connect on this socket is still in progress: wait for POLLOUT',
    EISCONN: 'the socket is connected already: a TCP socket connects once; make a new socket to connect again',
    EAFNOSUPPORT: "the address's family does not match the socket's (an AF_INET6 address on an AF_INET socket?)",
    ENOENT: 'no Unix socket exists at that path: the server has not bound it yet, or the path is wrong',
    EACCES: 'no permission: write permission on the Unix socket file, or a broadcast address without SO_BROADCAST',
    EADDRNOTAVAIL: 'no local port is free to connect from, or the address is not one you can reach (0.0.0.0?)',
  },
  send: {
    EPIPE:
      'the other end has closed the connection (or this end shut down writing): nothing more can go out; close the ' +
      'socket (in C, MSG_NOSIGNAL keeps SIGPIPE from killing the process)',
    ECONNRESET: 'the other end reset the connection (it closed with data unread, or crashed): close this socket',
    EAGAIN:
      'the socket is non-blocking and its send buffer is full: wait until poll() says POLLOUT, then send the rest',
    EMSGSIZE: 'the datagram is larger than one message may be (65507 bytes for UDP over IPv4): send less at a time',
    ENOTCONN: 'the socket is not connected: connect() it (client), or send on the descriptor accept() returned',
    EDESTADDRREQ: 'a datagram socket with no peer: use sendto() with an address, or connect() the socket first',
    EISCONN: 'the socket is connected: send without an address (send, or sendto with NULL)',
    ECONNREFUSED: 'an earlier datagram to this peer was refused: nothing listens on its port',
    EACCES: 'a broadcast address needs SO_BROADCAST set first',
  },
  recv: {
    EAGAIN: `${WOULD_BLOCK_IN} (or SO_RCVTIMEO ran out)`,
    ECONNRESET:
      'the other end reset the connection; whatever it had sent and you had not read is lost: close the socket',
    ENOTCONN: 'the socket is not connected: recv on the descriptor accept() returned, not on the listening one',
    ECONNREFUSED: 'an earlier datagram sent from this socket was refused: nothing listens on that port',
  },
  setsockopt: {
    ENOPROTOOPT:
      'no such option at that level: SO_* options go with SOL_SOCKET, TCP_* with IPPROTO_TCP, IP_* with IPPROTO_IP',
    EINVAL: "optlen does not fit the option (an int option takes sizeof('int')), or the value is out of range",
    EPERM: 'this option needs privileges the process lacks',
  },
  getsockopt: {
    ENOPROTOOPT: 'no such option at that level: SO_* options go with SOL_SOCKET, TCP_* with IPPROTO_TCP',
    EINVAL: 'optlen is too small for the option',
  },
  shutdown: {
    ENOTCONN: 'shutdown needs a connected socket: this one never connected, or the connection is gone',
    EINVAL: 'how must be SHUT_RD, SHUT_WR or SHUT_RDWR',
  },
  close: {
    EBADF: 'the descriptor is not open: closed twice? (after close, forget the number: the kernel will reuse it)',
  },
  getpeername: {
    ENOTCONN: 'the socket is not connected, so it has no peer',
  },
  poll: {
    EINVAL: 'nfds is larger than the number of descriptors the process may open',
  },
  // Keyed by h_errno name (gethostbyaddr shares these).
  gethostbyname: {
    HOST_NOT_FOUND:
      'no such host: /etc/hosts does not list the name and DNS says it does not exist; check the spelling ' +
      '(gethostbyname takes a name or a dotted IPv4 address, not a URL or "host:port")',
    TRY_AGAIN:
      'no DNS server answered (no network, or the server is down): it may work later; /etc/hosts names ' +
      '(localhost) need no network',
    NO_RECOVERY: 'the DNS server refused or failed the query, or the name is not one it can look up (empty?)',
    NO_DATA:
      'the name exists but has no address of this kind: gethostbyname asks for IPv4 only; use getaddrinfo for IPv6',
    NETDB_INTERNAL:
      'the lookup itself failed (see errno): for gethostbyaddr, len must be 4 for AF_INET, 16 for AF_INET6',
  },
  '*': {
    EBADF: NOT_OPEN,
    ENOTSOCK: NOT_SOCKET,
    EFAULT: 'an address the kernel had to read or fill lies outside the memory of the process',
    EINTR: 'a signal arrived while the call waited; C programs simply call it again',
    EMFILE: NO_DESCRIPTORS,
    ENOBUFS: 'the kernel ran short of memory for socket buffers: retry later, or send less at once',
    ENOMEM: 'the kernel ran short of memory',
  },
};

/**
 * What `errnum` means when `call` returns it, in one line, with the man page to read; undefined when
 * the table has nothing for that pair.
 * @param call - the call's name, as `bind`.
 * @param errnum - the errno value, such as EADDRINUSE; for gethostbyname and gethostbyaddr, the
 *   h_errno value, such as HOST_NOT_FOUND.
 */
export function hint(call: string, errnum: number): Hint | undefined {
  // Found by the fuzzer: a Symbol or a detached view here threw an uncoded TypeError.
  if (typeof call !== 'string') throw invalidArgType('hint', 'call', 'of type string', call);
  if (typeof errnum !== 'number') throw invalidArgType('hint', 'errnum', 'of type number', errnum);
  const entry = callEntry(call);
  const byHErrno = entry?.status === 'h_errno';
  const name = byHErrno ? hErrnoName(errnum) : native.errnoNames[errnum];
  if (name === undefined) return undefined;
  const shared = entry?.hintsOf;
  const own = table[call]?.[name] ?? (shared === undefined ? undefined : table[shared]?.[name]);
  const text = own ?? (byHErrno ? undefined : table['*'][name]);
  if (text === undefined) return undefined;
  return { text: `${call} ${name}: ${text}`, man: entry?.man ?? `${call}(2)` };
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
