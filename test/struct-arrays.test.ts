// C arrays of structs, struct assignment and pointer casts: `a[i] = a[j]` copies as C does (the
// literal port of a poll server's removal must keep every client), arrays are contiguous and grow
// with realloc, casts view the whole memory a pointer reaches and no further.
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  AF_UNSPEC,
  EPOLLIN,
  EPOLL_CTL_ADD,
  POLLIN,
  SOCK_STREAM,
  addrinfo,
  array,
  assign,
  cast,
  close,
  epoll_create1,
  epoll_ctl,
  epoll_event,
  epoll_wait,
  freeaddrinfo,
  getaddrinfo,
  getsockname,
  htons,
  inet_ntop,
  INET6_ADDRSTRLEN,
  iovec,
  poll,
  pollfd,
  ptr,
  readv,
  send,
  sizeof,
  sockaddr,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_storage,
  sockaddr_un,
  socketpair,
  socklen_t,
  writev,
} from 'bsdsock';
import { calloc, free, malloc, memcpy, realloc } from 'bsdsock/libc';
import { bad, expectThrown } from './helpers/errors';

function pair(): [number, number] {
  const sv = new Int32Array(2);
  expect(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)).toBe(0);
  return [sv[0], sv[1]];
}

describe('array(T, n): a C array of structs', () => {
  test('its elements lie one after another in C layout, zero-filled', () => {
    const pfds = array(pollfd, 3);
    expect(pfds).toHaveLength(3);
    expect(pfds.bytes).toHaveLength(3 * sizeof(pollfd));
    expect(pfds.bytes.every((b) => b === 0)).toBe(true);
    pfds[1].fd = 0x01020304;
    expect(pfds.bytes.readInt32LE(sizeof(pollfd))).toBe(0x01020304);
    expect(pfds[1].bytes.buffer).toBe(pfds.bytes.buffer);
  });

  test('a[i] = a[j] copies the struct, as C does: the two slots stay two structs', () => {
    const pfds = array(pollfd, 3);
    pfds[0].fd = 10;
    pfds[2].fd = 12;
    pfds[2].events = POLLIN;
    pfds[0] = pfds[2];
    expect(pfds[0].fd).toBe(12);
    expect(pfds[0].events).toBe(POLLIN);
    expect(pfds[0]).not.toBe(pfds[2]);
    pfds[2].fd = 99;
    expect(pfds[0].fd).toBe(12);
  });

  test("the poll server's removal, ported literally, keeps every client", () => {
    // C: pfds[i] = pfds[fd_count-1]; fd_count--;  with three clients, the first one leaves.
    const clients = [pair(), pair(), pair()];
    const pfds = array(pollfd, 4);
    let fd_count = 0;
    for (const [mine] of clients) {
      pfds[fd_count].fd = mine;
      pfds[fd_count].events = POLLIN;
      fd_count++;
    }
    const i = 0;
    pfds[i] = pfds[fd_count - 1];
    fd_count--;
    // Every remaining client is still watched: both of them become readable and poll sees both.
    expect(send(clients[1][1], 'b', 1, 0)).toBe(1);
    expect(send(clients[2][1], 'c', 1, 0)).toBe(1);
    expect(poll(pfds, fd_count, 1000)).toBe(2);
    const watched = [pfds[0].fd, pfds[1].fd].sort();
    expect(watched).toEqual([clients[1][0], clients[2][0]].sort());
    for (let k = 0; k < fd_count; k++) expect(pfds[k].revents & POLLIN).toBe(POLLIN);
    for (const [a, b] of clients) {
      close(a);
      close(b);
    }
  });

  test('poll writes revents into the array itself', () => {
    const [a, b] = pair();
    const pfds = array(pollfd, 2);
    pfds[0].fd = a;
    pfds[0].events = POLLIN;
    pfds[1].fd = -1;
    send(b, 'x', 1, 0);
    expect(poll(pfds, 2, 1000)).toBe(1);
    expect(pfds.bytes.readInt16LE(6)).toBe(POLLIN);
    close(a);
    close(b);
  });

  test('epoll_wait fills an array of epoll_event', () => {
    const [a, b] = pair();
    const epfd = epoll_create1!(0);
    const ev = new epoll_event();
    ev.events = EPOLLIN;
    ev.data.fd = a;
    expect(epoll_ctl!(epfd, EPOLL_CTL_ADD, a, ev)).toBe(0);
    send(b, 'x', 1, 0);
    const events = array(epoll_event, 4);
    expect(epoll_wait!(epfd, events, 4, 1000)).toBe(1);
    expect(events[0].data.fd).toBe(a);
    expect(events[0].events & EPOLLIN).toBe(EPOLLIN);
    close(epfd);
    close(a);
    close(b);
  });

  test('readv and writev take an array of iovec; assigning one copies iov_base too', () => {
    const [a, b] = pair();
    const out = array(iovec, 2);
    out[0].iov_base = Buffer.from('hello ');
    out[0].iov_len = 6;
    out[1] = out[0];
    expect(out[1].iov_base).toBe(out[0].iov_base);
    out[1].iov_base = Buffer.from('world');
    out[1].iov_len = 5;
    expect(writev(a, out, 2)).toBe(11);
    const first = Buffer.alloc(4);
    const rest = Buffer.alloc(7);
    const into = array(iovec, 2);
    into[0].iov_base = first;
    into[0].iov_len = 4;
    into[1].iov_base = rest;
    into[1].iov_len = 7;
    expect(readv(b, into, 2)).toBe(11);
    expect(first.toString() + rest.toString()).toBe('hello world');
    close(a);
    close(b);
  });

  test('its length is fixed: growing it, deleting or storing another type is an error', () => {
    const pfds = array(pollfd, 2);
    expectThrown(() => pfds.push(new pollfd()), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'pollfd[]' });
    expectThrown(() => (pfds[2] = new pollfd()), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'pollfd[]' });
    expectThrown(() => delete pfds[0], { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'pollfd[]' });
    expectThrown(() => (pfds[0] = bad(new sockaddr_in())), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'pollfd[]',
    });
    expectThrown(() => array(pollfd, -1), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'array', param: 'count' });
    expectThrown(() => array(bad(Object), 1), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'array',
      param: 'type',
    });
    expect(pfds).toHaveLength(2);
  });
});

describe('malloc, calloc and realloc of struct arrays', () => {
  test('realloc keeps the contents, zeroes the new elements, and keeps the type', () => {
    let fd_size = 2;
    let pfds = malloc(sizeof(pollfd) * fd_size, pollfd);
    pfds[0].fd = 3;
    pfds[1].fd = 4;
    pfds[1].events = POLLIN;
    fd_size *= 2;
    pfds = realloc(pfds, sizeof(pollfd) * fd_size);
    expect(pfds).toHaveLength(4);
    expect([pfds[0].fd, pfds[1].fd, pfds[1].events, pfds[3].fd]).toEqual([3, 4, POLLIN, 0]);
    pfds[3] = pfds[0];
    expect(pfds[3].fd).toBe(3);
    pfds = realloc(pfds, sizeof(pollfd));
    expect(pfds).toHaveLength(1);
    expect(pfds[0].fd).toBe(3);
    free(pfds);
  });

  test('realloc of iovecs keeps iov_base', () => {
    const base = Buffer.from('x');
    let iov = calloc(1, sizeof(iovec), iovec);
    iov[0].iov_base = base;
    iov = realloc(iov, 2 * sizeof(iovec));
    expect(iov[0].iov_base).toBe(base);
    expect(iov[1].iov_base).toBeNull();
  });

  test('a size that is not a whole number of elements is refused', () => {
    expectThrown(() => malloc(sizeof(pollfd) + 1, pollfd), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_VALUE',
      fn: 'malloc',
      param: 'size',
    });
    expect(malloc(5)).toHaveLength(5);
    expect(realloc(null, 3)).toHaveLength(3);
  });
});

describe('assign: struct assignment', () => {
  test('copies the bytes, keeps both objects', () => {
    const a = new sockaddr_in();
    a.sin_family = AF_INET;
    a.sin_port = htons(80);
    const b = new sockaddr_in();
    expect(assign(b, a)).toBe(b);
    expect(b.sin_port).toBe(htons(80));
    a.sin_port = htons(81);
    expect(b.sin_port).toBe(htons(80));
  });

  test('of another type is an error, as it does not compile in C', () => {
    expectThrown(() => assign(new sockaddr_in(), bad(new sockaddr_in6())), {
      type: TypeError,
      code: 'ERR_INVALID_ARG_TYPE',
      fn: 'assign',
      param: 'src',
    });
  });
});

describe('cast: a pointer cast', () => {
  test('sockaddr_storage -> sockaddr -> sockaddr_in6 views the whole storage, as in C', () => {
    const storage = new sockaddr_storage();
    const sa = cast(sockaddr, storage);
    expect(sizeof(sa)).toBe(sizeof(sockaddr));
    const sin6 = cast(sockaddr_in6, sa);
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(8080);
    sin6.sin6_scope_id = 7;
    expect(storage.ss_family).toBe(AF_INET6);
    expect(cast(sockaddr_in6, storage).sin6_scope_id).toBe(7);
  });

  test('the classic get_in_addr((struct sockaddr *)p->ai_addr) works for IPv6 and IPv4', () => {
    const hints = new addrinfo();
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    const res = new ptr<addrinfo | null>(null);
    expect(getaddrinfo('::1', null, hints, res)).toBe(0);
    expect(getaddrinfo('127.0.0.1', null, hints, new ptr<addrinfo | null>(null))).toBe(0);
    const get_in_addr = (sa: sockaddr): Uint8Array =>
      sa.sa_family == AF_INET ? cast(sockaddr_in, sa).sin_addr.bytes : cast(sockaddr_in6, sa).sin6_addr.bytes;
    const text = Buffer.alloc(INET6_ADDRSTRLEN);
    const p = res.value!;
    const sa = cast(sockaddr, p.ai_addr!);
    expect(inet_ntop(p.ai_family, get_in_addr(sa), text, INET6_ADDRSTRLEN)).toBe('::1');
    freeaddrinfo(p);
  });

  test('a cast past the memory the pointer reaches is a RangeError', () => {
    const sin = new sockaddr_in();
    expectThrown(() => cast(sockaddr_in6, sin), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'cast',
      param: 'source',
    });
    // A view on part of a buffer reaches only that part, not the rest of the buffer's memory.
    const big = Buffer.alloc(64);
    expectThrown(() => cast(sockaddr_in6, big.subarray(0, 16)), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'cast',
      param: 'source',
    });
    expect(sizeof(cast(sockaddr_in6, big.subarray(8)))).toBe(sizeof(sockaddr_in6));
  });

  test('an element of a struct array reaches the rest of the array, as a C pointer into it does', () => {
    const entries = array(sockaddr_in, 2);
    const tail = cast(sockaddr_in6, entries[0]);
    expect(tail.bytes.byteOffset).toBe(entries.bytes.byteOffset);
    expectThrown(() => cast(sockaddr_in6, entries[1]), { type: RangeError, code: 'ERR_OUT_OF_RANGE', fn: 'cast' });
  });

  test('every socket address has sa_family, at the place struct sockaddr has it', () => {
    const all = [new sockaddr(), new sockaddr_in(), new sockaddr_in6(), new sockaddr_un(), new sockaddr_storage()];
    for (const sa of all) {
      sa.sa_family = AF_INET6;
      expect(cast(sockaddr, sa).sa_family).toBe(AF_INET6);
    }
    const un = new sockaddr_un();
    un.sun_family = AF_UNIX;
    expect(un.sa_family).toBe(AF_UNIX);
  });

  test('a call given (struct sockaddr *)&storage and sizeof storage fills the storage, as in C', () => {
    const [a, b] = pair();
    const storage = new sockaddr_storage();
    const len = new socklen_t(sizeof(storage));
    expect(getsockname(a, cast(sockaddr, storage), len)).toBe(0);
    expect(storage.ss_family).toBe(AF_UNIX);
    expectThrown(() => getsockname(a, new sockaddr(), new socklen_t(sizeof(storage))), {
      type: RangeError,
      code: 'ERR_OUT_OF_RANGE',
      fn: 'getsockname',
    });
    close(a);
    close(b);
  });

  test('memcpy through a cast writes the memory the cast views', () => {
    const storage = new sockaddr_storage();
    const sin = cast(sockaddr_in, storage);
    memcpy(sin.sin_addr, Uint8Array.of(10, 0, 0, 1), 4);
    expect([...storage.bytes.subarray(4, 8)]).toEqual([10, 0, 0, 1]);
  });
});
