// Byte order and address text: htons, htonl, ntohs, ntohl, inet_pton,
// inet_ntop, inet_addr, inet_ntoa, and strlen for C strings.
import { setErrno } from './errno';
import { invalidArgType, invalidArgValue } from './errors';
import { native, type Memory } from './native';
import { in6_addr, in_addr, type BufferLike } from './structs';

/**
 * Host to network byte order, 16 bits: htons(3). `htons(8080)` for sin_port.
 * @param hostshort - 0..65535.
 * @see https://man7.org/linux/man-pages/man3/byteorder.3.html
 */
export function htons(hostshort: number): number {
  return native.htons(hostshort);
}

/**
 * Network to host byte order, 16 bits: ntohs(3). `ntohs(addr.sin_port)`.
 * @param netshort - 0..65535.
 * @see https://man7.org/linux/man-pages/man3/byteorder.3.html
 */
export function ntohs(netshort: number): number {
  return native.ntohs(netshort);
}

/**
 * Host to network byte order, 32 bits: htonl(3). `htonl(INADDR_LOOPBACK)`.
 * @param hostlong - 0..4294967295.
 * @see https://man7.org/linux/man-pages/man3/byteorder.3.html
 */
export function htonl(hostlong: number): number {
  return native.htonl(hostlong);
}

/**
 * Network to host byte order, 32 bits: ntohl(3).
 * @param netlong - 0..4294967295.
 * @see https://man7.org/linux/man-pages/man3/byteorder.3.html
 */
export function ntohl(netlong: number): number {
  return native.ntohl(netlong);
}

function addressBytes(fn: string, param: string, value: unknown): Memory {
  if (value instanceof in_addr || value instanceof in6_addr) return value.bytes;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  throw invalidArgType(fn, param, 'an in_addr, an in6_addr or a buffer', value);
}

/**
 * Converts an address from text to binary: inet_pton(3).
 * @param af - AF_INET or AF_INET6.
 * @param src - "127.0.0.1" or "::1".
 * @param dst - an in_addr (AF_INET) or in6_addr (AF_INET6), such as
 *   `server_addr.sin_addr`.
 * @returns 1 on success, 0 when src is not a valid address of that family,
 *   -1 with errno EAFNOSUPPORT for an unknown af.
 * @see https://man7.org/linux/man-pages/man3/inet_pton.3.html
 */
export function inet_pton(af: number, src: string, dst: in_addr | in6_addr | BufferLike): number {
  const r = native.inet_pton(af, src, addressBytes('inet_pton', 'dst', dst));
  if (r < 0) {
    setErrno(-r);
    return -1;
  }
  return r;
}

/**
 * Converts an address from binary to text: inet_ntop(3).
 * @param af - AF_INET or AF_INET6.
 * @param src - an in_addr or in6_addr.
 * @param dst - a char buffer that receives the text, NUL-terminated (or
 *   null, to only get the returned string).
 * @param size - the size of dst: INET_ADDRSTRLEN or INET6_ADDRSTRLEN.
 * @returns the text (C returns dst), or null with errno: ENOSPC (size too
 *   small), EAFNOSUPPORT.
 * @see https://man7.org/linux/man-pages/man3/inet_ntop.3.html
 */
export function inet_ntop(
  af: number,
  src: in_addr | in6_addr | BufferLike,
  dst: BufferLike | null,
  size: number,
): string | null {
  const r = native.inet_ntop(af, addressBytes('inet_ntop', 'src', src), dst, size);
  if (typeof r === 'number') {
    setErrno(-r);
    return null;
  }
  return r;
}

/**
 * Converts dotted IPv4 text to an in_addr_t in network byte order:
 * inet_addr(3). Prefer inet_pton: this one cannot tell "255.255.255.255"
 * from an error.
 * @param cp - "127.0.0.1".
 * @returns the address, or INADDR_NONE for invalid text.
 * @see https://man7.org/linux/man-pages/man3/inet_addr.3.html
 */
export function inet_addr(cp: string): number {
  return native.inet_addr(cp);
}

/**
 * Converts dotted IPv4 text into an in_addr: inet_aton(3). Unlike inet_addr,
 * it tells "255.255.255.255" from an error.
 * @param cp - "127.0.0.1" (also the older forms "127.1", "0x7f.1").
 * @param inp - the in_addr to fill (C's `struct in_addr *inp`).
 * @returns 1, or 0 when cp is not an address (inp is left alone).
 * @see https://man7.org/linux/man-pages/man3/inet_aton.3.html
 */
export function inet_aton(cp: string, inp: in_addr): number {
  if (!(inp instanceof in_addr)) throw invalidArgType('inet_aton', 'inp', 'an in_addr', inp);
  return native.inet_aton(cp, inp.bytes);
}

/**
 * Converts an in_addr to dotted text: inet_ntoa(3).
 * @param inp - the address (C's `struct in_addr in`).
 * @see https://man7.org/linux/man-pages/man3/inet_ntoa.3.html
 */
export function inet_ntoa(inp: in_addr): string {
  if (!(inp instanceof in_addr)) throw invalidArgType('inet_ntoa', 'in', 'an in_addr', inp);
  return native.inet_ntoa(inp.bytes);
}

/**
 * C's strlen(3): the length in bytes of a C string. For a JavaScript string,
 * its UTF-8 length (what send() sends); for a char buffer, the bytes before
 * the first NUL (the whole buffer if there is none: C would read past it).
 * @param s - a string or a char buffer.
 * @see https://man7.org/linux/man-pages/man3/strlen.3.html
 */
export function strlen(s: string | Uint8Array): number {
  if (typeof s === 'string') return Buffer.byteLength(s, 'utf8');
  if (s instanceof Uint8Array) {
    let end: number;
    try {
      end = s.indexOf(0);
    } catch {
      // A view on a detached buffer, or out of bounds of a shrunk resizable one.
      throw invalidArgValue('strlen', 's', 'must not be detached or out of bounds', s);
    }
    return end < 0 ? s.length : end;
  }
  throw invalidArgType('strlen', 's', 'of type string or a Uint8Array', s);
}

/**
 * The index of the network interface named `ifname`: if_nametoindex(3) ("lo" is 1 in a fresh network
 * namespace). Made for sin6_scope_id, ipv6mr_interface, sll_ifindex, imr_ifindex.
 * @param ifname - the interface's name, as `ip link` lists it.
 * @returns the index, or 0 with errno: ENODEV (no such interface).
 * @see https://man7.org/linux/man-pages/man3/if_nametoindex.3.html
 */
export function if_nametoindex(ifname: string): number {
  const r = native.if_nametoindex(ifname);
  if (r < 0) {
    setErrno(-r);
    return 0;
  }
  return r;
}

/**
 * The name of the network interface whose index is `ifindex`: if_indextoname(3).
 * @param ifindex - the interface index.
 * @param ifname - a char buffer of at least IF_NAMESIZE bytes that receives the name, NUL-terminated
 *   (C's out-parameter; a smaller one is a RangeError).
 * @returns the name (C returns ifname), or null with errno: ENXIO (no interface has that index).
 * @see https://man7.org/linux/man-pages/man3/if_indextoname.3.html
 */
export function if_indextoname(ifindex: number, ifname: BufferLike): string | null {
  const r = native.if_indextoname(ifindex, ifname);
  if (typeof r === 'number') {
    setErrno(-r);
    return null;
  }
  return r;
}
