// forkserver: the stream server with one child process per connection, as servers were written before
// poll and threads: the parent only accepts, each child serves one client and exits. Usage: forkserver
// PORT COUNT (PORT 0: any free port; COUNT connections, then it exits once every child is reaped). Output: "server: waiting
// for connections on port N...", then for each connection "server: got connection from 127.0.0.1, served by process PID".
// port-stats: 122 of 152 C lines map one to one
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { atoi, exit, fprintf, memset, printf, stderr } from 'bsdsock/libc';
import {
  AF_INET, FD_CLOEXEC, F_SETFD, INET6_ADDRSTRLEN,
  SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR,
  accept, addrinfo, bind, cast, close, fcntl, freeaddrinfo, gai_strerror,
  getaddrinfo, getsockname, in6_addr, in_addr, inet_ntop, listen, ntohs,
  perror, ptr, send, setErrno, setsockopt, sizeof, sockaddr,
  sockaddr_in, sockaddr_in6, sockaddr_storage, socket, socklen_t, strlen,
} from 'bsdsock';

const BACKLOG = 10; // how many pending connections the kernel queues before accept

// No SIGCHLD handler: Node reaps each child and emits its 'exit' event, but only when the event loop runs,
// so a child that ends while main blocks in accept stays a zombie until the accept loop is over. In the
// handler's place, the child mode: C's child branch of fork() (lines 131-139), which the child process runs
// from its start. Its only socket is the client's, at descriptor 3 (lines 103 and 124: close-on-exec).
function child(): never {
  const msg = 'Hello, world!';
  if (send(3, msg, strlen(msg), 0) == -1) {
    perror('send');
  }
  close(3);
  exit(0);
}
if (process.argv[2] == 'child') child(); // this file, spawned by main for one client: serve it and exit
// The address inside a sockaddr, IPv4 or IPv6: what inet_ntop wants.
function get_in_addr(sa: sockaddr): in_addr | in6_addr {
  if (sa.sa_family == AF_INET) {
    return cast(sockaddr_in, sa).sin_addr;
  }
  return cast(sockaddr_in6, sa).sin6_addr;
}

async function main(argc: number, argv: string[]): Promise<number> {
  let sockfd = -1, new_fd: number; // listen on sockfd, a child talks to its client on new_fd
  const hints = new addrinfo(), servinfo = new ptr<addrinfo | null>(null); let p: addrinfo | null;
  const their_addr = new sockaddr_storage();
  const bound = new sockaddr_in();
  const sin_size = new socklen_t();
  const exited: Promise<unknown>[] = []; // in place of struct sigaction: each child's 'exit' event, awaited at the end
  const yes = Int32Array.of(1);
  const s = Buffer.alloc(INET6_ADDRSTRLEN);
  // (msg is the child's: see child())
  let rv: number, count: number, served: number;
  let pid: number;

  if (argc != 3) {
    fprintf(stderr, 'usage: forkserver PORT COUNT\n');
    exit(1);
  }
  count = atoi(argv[2]);

  memset(hints, 0, sizeof(hints));
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;

  if ((rv = getaddrinfo('127.0.0.1', argv[1], hints, servinfo)) != 0) {
    fprintf(stderr, 'getaddrinfo: %s\n', gai_strerror(rv));
    return 1;
  }

  for (p = servinfo.value; p != null; p = p.ai_next) {
    if ((sockfd = socket(p.ai_family, p.ai_socktype, p.ai_protocol)) == -1) {
      perror('server: socket');
      continue;
    }
    if (setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, yes, sizeof(yes)) == -1) {
      perror('setsockopt');
      exit(1);
    }
    if (bind(sockfd, p.ai_addr!, p.ai_addrlen) == -1) {
      close(sockfd);
      perror('server: bind');
      continue;
    }
    break;
  }

  freeaddrinfo(servinfo);

  if (p == null) {
    fprintf(stderr, 'server: failed to bind\n');
    exit(1);
  }

  if (listen(sockfd, BACKLOG) == -1) {
    perror('listen');
    exit(1);
  }

  // No sigaction: Node has a SIGCHLD handler of its own, installed with SA_RESTART (a blocked accept is
  // restarted, not failed with EINTR), and reaps the children itself. What spawning needs instead: a child
  // process inherits every descriptor that is not close-on-exec, besides the ones spawn's stdio lists, and
  // the children must not inherit the listener (C's child closes its copy). bsdsock's sockets are not
  // close-on-exec unless asked, as C's are not.
  if (fcntl(sockfd, F_SETFD, FD_CLOEXEC) == -1) {
    perror('fcntl');
    exit(1);
  }

  sin_size.value = sizeof(bound);
  if (getsockname(sockfd, cast(sockaddr, bound), sin_size) == -1) {
    perror('getsockname');
    exit(1);
  }
  printf('server: waiting for connections on port %d...\n', ntohs(bound.sin_port));

  for (served = 0; served < count; served++) {
    sin_size.value = sizeof(their_addr);
    new_fd = accept(sockfd, cast(sockaddr, their_addr), sin_size);
    if (new_fd == -1) {
      perror('accept');
      continue;
    }

    inet_ntop(their_addr.ss_family, get_in_addr(cast(sockaddr, their_addr)), s, sizeof(s));
    fcntl(new_fd, F_SETFD, FD_CLOEXEC); // the child gets it only as its descriptor 3, where spawn puts it
    const child = spawn(process.execPath, [__filename, 'child'], { stdio: ['inherit', 'inherit', 'inherit', new_fd] });
    if ((pid = child.pid ?? -1) == -1) {
      child.on('error', (err: NodeJS.ErrnoException) => { setErrno(-err.errno!); perror('fork'); }); // why: after this loop
      close(new_fd);
      continue;
    }
    exited.push(once(child, 'exit')); // SIGCHLD and waitpid's part: registered before the event loop can emit it
    // The child's branch of fork() is child(), at the top of this file, which the child process runs from
    // its start (fork() returns twice, spawn() once). Its lines, C's and the port's:
    //   close(sockfd);                       nothing to close: the listener is close-on-exec (line 103)
    //   if (send(new_fd, msg, ...) == -1)    if (send(3, msg, ...) == -1): spawn put the socket at 3
    //     perror("send");                    the same
    //   close(new_fd);                       close(3);
    //   exit(0);                             exit(0);


    // The parent: only the child talks to this client. Printed here, so lines come in accept order.
    printf('server: got connection from %s, served by process %d\n', s, pid);
    close(new_fd);
  }

  close(sockfd);

  // Children still running are waited for: each one's promise settles with its 'exit' event.
  await Promise.all(exited);

  return 0;
}
void main(process.argv.length - 1, process.argv.slice(1)).then((status) => (process.exitCode = status));
