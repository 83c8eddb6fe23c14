// C values as strace(1) prints them (strace 6, `-e trace=network`): symbolic constants and flag
// sets, decoded sockaddrs, data as C strings cut at 32 bytes, in/out lengths as `[16]` or
// `[128 => 16]`, failures as `= -1 ECONNREFUSED (Connection refused)`. Where strace prints the address
// of an out-parameter a failed call left unfilled, the tracer, which has no C address to show, prints
// `...`. Every decoder is total over what it is given or throws; the callers in lib/trace/index.ts
// turn a throw into strace's `...`, so the tracer never turns a call into a throw.
import * as C from '../constants.gen';
import { constantTable } from '../names';
import { native, type Memory } from '../native';
import {
  Struct,
  cmsghdr,
  ifreq,
  in_pktinfo,
  iovec,
  ip_mreq,
  ip_mreqn,
  ipv6_mreq,
  isInstance,
  linger,
  msghdr,
  pollfd,
  present,
  ptr,
  sock_fprog,
  sockaddr_in,
  sockaddr_in6,
  sockaddr_ll,
  sockaddr_nl,
  sockaddr_un,
  sockaddr_vm,
  sockaddr_alg,
  timespec,
  timeval,
  type SockaddrLike,
  type socklen_t,
} from '../structs';

const table = constantTable;

/** @internal */
export const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

/** @internal */
export function named(prefix: string, v: number, exclude?: (name: string) => boolean): string {
  const name = table(prefix).get(v);
  if (name !== undefined && (exclude === undefined || !exclude(name))) return name;
  return `${hex(v)} /* ${prefix}??? */`;
}

/** @internal */
export function flagSet(prefix: string, v: number, skip: readonly string[] = []): string {
  if (v === 0) return '0';
  const bits = [...table(prefix)]
    .filter(([value, name]) => value > 0 && (value & (value - 1)) === 0 && !skip.includes(name))
    .sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let rest = v >>> 0;
  for (const [value, name] of bits) {
    if ((rest & value) === value) {
      parts.push(name);
      rest &= ~value >>> 0;
    }
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.join('|');
}

/** @internal */
export const family = (v: number): string => named('AF_', v);

/** @internal */
export function sockType(v: number): string {
  const flags = (C.SOCK_NONBLOCK ?? 0) | (C.SOCK_CLOEXEC ?? 0);
  const base = v & ~flags;
  const parts = [named('SOCK_', base, (n) => n === 'SOCK_NONBLOCK' || n === 'SOCK_CLOEXEC')];
  // strace names the flags in value order: SOCK_CLOEXEC|SOCK_NONBLOCK on Linux.
  if (C.SOCK_CLOEXEC !== undefined && v & C.SOCK_CLOEXEC) parts.push('SOCK_CLOEXEC');
  if (C.SOCK_NONBLOCK !== undefined && v & C.SOCK_NONBLOCK) parts.push('SOCK_NONBLOCK');
  if (parts[0].startsWith('0x')) parts[0] = `${hex(base)} /* SOCK_??? */`;
  return parts.join('|');
}

/** @internal */
export function sockFlags(v: number): string {
  if (v === 0) return '0';
  const parts: string[] = [];
  let rest = v;
  if (C.SOCK_CLOEXEC !== undefined && v & C.SOCK_CLOEXEC) {
    parts.push('SOCK_CLOEXEC');
    rest &= ~C.SOCK_CLOEXEC;
  }
  if (C.SOCK_NONBLOCK !== undefined && v & C.SOCK_NONBLOCK) {
    parts.push('SOCK_NONBLOCK');
    rest &= ~C.SOCK_NONBLOCK;
  }
  if (rest !== 0) parts.push(hex(rest));
  return parts.join('|');
}

/** @internal */
export function protocol(domain: number, v: number): string {
  // A netlink socket's protocol by its NETLINK_ name; a packet socket's, an Ethernet protocol in network
  // byte order, as `htons(ETH_P_ALL)`.
  if (domain === C.AF_NETLINK) return table('NETLINK_').get(v) ?? String(v);
  if (domain === C.AF_PACKET && v >= 0 && v <= 0xffff) {
    const proto = ((v & 0xff) << 8) | (v >>> 8);
    const host = native.littleEndian ? proto : v;
    return `htons(${table('ETH_P_').get(host) ?? `${hex(host)} /* ETH_P_??? */`})`;
  }
  // strace names IP protocols only for the IP families; 0 there is IPPROTO_IP.
  if (domain !== C.AF_INET && domain !== C.AF_INET6) return String(v);
  return table('IPPROTO_').get(v) ?? String(v);
}

/** @internal */
export const msgFlags = (v: number): string => flagSet('MSG_', v);
const pollEvents = (v: number): string => flagSet('POLL', v);

/** @internal */
export function level(v: number): string {
  return table('SOL_').get(v) ?? String(v);
}

// The prefix of an option's name at its level (strace names only these levels' options).
const OPTION_PREFIX = new Map<number | undefined, string>([
  [C.SOL_SOCKET, 'SO_'],
  [C.IPPROTO_TCP, 'TCP_'],
  [C.IPPROTO_IP, 'IP_'],
  [C.IPPROTO_IPV6, 'IPV6_'],
]);

/** @internal */
export function optname(lvl: number, v: number): string {
  const prefix = OPTION_PREFIX.get(lvl);
  return prefix === undefined ? String(v) : named(prefix, v);
}

function errorText(errnum: number): string {
  const name = native.errnoNames[errnum] ?? `E???_${errnum}`;
  return `-1 ${name} (${native.strerror(errnum)})`;
}

/**
 * ` = 3` or ` = -1 EBADF (Bad file descriptor)`.
 * @internal
 */
export function result(r: number): string {
  return ` = ${r < 0 ? errorText(-r) : String(r)}`;
}

/**
 * The bytes of a buffer argument (a string's UTF-8 bytes).
 * @internal
 */
export function bytesOf(buf: Memory | string): Uint8Array {
  if (typeof buf === 'string') return Buffer.from(buf, 'utf8');
  if (buf instanceof Uint8Array) return buf;
  if (ArrayBuffer.isView(buf)) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  return new Uint8Array(buf);
}

const MAX_STRLEN = 32;

/**
 * Bytes as strace quotes them: printable ASCII as is, `\t \n \v \f \r \" \\`, other bytes in octal
 * (three digits when an octal digit follows, so the escape cannot swallow it), cut at 32 bytes with
 * `...` after the closing quote.
 * @internal
 */
export function quote(buf: Memory | string, len: number): string {
  const bytes = bytesOf(buf);
  const n = Math.max(0, Math.min(len, bytes.length));
  const shown = Math.min(n, MAX_STRLEN);
  let s = '"';
  for (let i = 0; i < shown; i++) {
    const b = bytes[i];
    switch (b) {
      case 0x22:
        s += '\\"';
        continue;
      case 0x5c:
        s += '\\\\';
        continue;
      case 0x09:
        s += '\\t';
        continue;
      case 0x0a:
        s += '\\n';
        continue;
      case 0x0b:
        s += '\\v';
        continue;
      case 0x0c:
        s += '\\f';
        continue;
      case 0x0d:
        s += '\\r';
        continue;
    }
    if (b >= 0x20 && b < 0x7f) {
      s += String.fromCharCode(b);
      continue;
    }
    const next = i + 1 < shown ? bytes[i + 1] : -1;
    const octal = b.toString(8);
    s += '\\' + (next >= 0x30 && next <= 0x37 ? octal.padStart(3, '0') : octal);
  }
  return s + '"' + (n > MAX_STRLEN ? '...' : '');
}

function u16(bytes: Uint8Array, off: number): number {
  return native.littleEndian ? bytes[off] | (bytes[off + 1] << 8) : (bytes[off] << 8) | bytes[off + 1];
}

const netU16 = (bytes: Uint8Array, off: number): number => (bytes[off] << 8) | bytes[off + 1];
const netU32 = (bytes: Uint8Array, off: number): number =>
  ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;

function hostU32(bytes: Uint8Array, off: number): number {
  const v = netU32(bytes, off);
  if (!native.littleEndian) return v;
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/**
 * A socket address as strace decodes it, from its bytes and the length the call gave or got.
 * @internal
 */
export function sockaddrText(addr: SockaddrLike | Memory | null, addrlen: number): string {
  if (addr === null) return 'NULL';
  const bytes = bytesOf(addr instanceof Struct ? addr.bytes : addr);
  const len = Math.min(addrlen, bytes.length);
  const famOff = sockaddr_in.layout.fields.sin_family[0];
  if (len < famOff + 2) return '{...}';
  const fam = u16(bytes, famOff);
  const head = `{sa_family=${family(fam)}`;
  if (fam === C.AF_INET && len >= sockaddr_in.layout.fields.sin_addr[0] + 4) {
    const f = sockaddr_in.layout.fields;
    const a = f.sin_addr[0];
    const ip = `${bytes[a]}.${bytes[a + 1]}.${bytes[a + 2]}.${bytes[a + 3]}`;
    return `${head}, sin_port=htons(${netU16(bytes, f.sin_port[0])}), sin_addr=inet_addr("${ip}")}`;
  }
  if (fam === C.AF_INET6 && len >= sockaddr_in6.layout.fields.sin6_addr[0] + 16) {
    const f = sockaddr_in6.layout.fields;
    const a = f.sin6_addr[0];
    const ip = native.inet_ntop(C.AF_INET6, bytes.subarray(a, a + 16), null, 46);
    const scope = len >= f.sin6_scope_id[0] + 4 ? `, sin6_scope_id=${hostU32(bytes, f.sin6_scope_id[0]) >>> 0}` : '';
    return (
      `${head}, sin6_port=htons(${netU16(bytes, f.sin6_port[0])}), ` +
      `sin6_flowinfo=htonl(${netU32(bytes, f.sin6_flowinfo[0])}), ` +
      `inet_pton(AF_INET6, "${String(ip)}", &sin6_addr)${scope}}`
    );
  }
  if (fam === C.AF_UNIX) {
    const off = sockaddr_un.layout.fields.sun_path[0];
    if (len <= off) return `${head}}`;
    const path = bytes.subarray(off, len);
    if (path[0] === 0 && path.length > 1) {
      return `${head}, sun_path=@${quote(path.subarray(1), path.length - 1)}}`;
    }
    let end = path.indexOf(0);
    if (end < 0) end = path.length;
    return `${head}, sun_path=${quoteWhole(path.subarray(0, end))}}`;
  }
  // The Linux families strace decodes, when the length covers their whole struct (strace 6 prints a
  // shorter one, such as the 18 bytes getsockname gives back for a packet socket, as sa_data).
  if (fam === C.AF_PACKET && present(sockaddr_ll) && len >= sockaddr_ll.layout.size) {
    const ll = new sockaddr_ll(bytes);
    const proto = netU16(bytes, sockaddr_ll.layout.fields.sll_protocol[0]);
    const protoText = table('ETH_P_').get(proto) ?? `${hex(proto)} /* ETH_P_??? */`;
    const halen = ll.sll_halen;
    const addr =
      halen === 0
        ? ''
        : `, sll_addr=[${[...ll.sll_addr.subarray(0, Math.min(halen, ll.sll_addr.length))].map(byteHex).join(', ')}]`;
    return (
      `${head}, sll_protocol=htons(${protoText}), sll_ifindex=${ifindexText(ll.sll_ifindex)}, ` +
      `sll_hatype=${named('ARPHRD_', ll.sll_hatype)}, sll_pkttype=${named('PACKET_', ll.sll_pkttype, notPacketType)}, ` +
      `sll_halen=${halen}${addr}}`
    );
  }
  if (fam === C.AF_NETLINK && present(sockaddr_nl) && len >= sockaddr_nl.layout.size) {
    const nl = new sockaddr_nl(bytes);
    return `${head}, nl_pid=${nl.nl_pid}, nl_groups=${hex08(nl.nl_groups)}}`;
  }
  if (fam === C.AF_VSOCK && present(sockaddr_vm) && len >= sockaddr_vm.layout.size) {
    const vm = new sockaddr_vm(bytes);
    const cid = table('VMADDR_CID_').get(vm.svm_cid) ?? hex(vm.svm_cid);
    const port = vm.svm_port === C.VMADDR_PORT_ANY ? 'VMADDR_PORT_ANY' : hex(vm.svm_port);
    const flags =
      'svm_flags' in sockaddr_vm.layout.fields ? `, svm_flags=${flagSet('VMADDR_FLAG_', vm.svm_flags)}` : '';
    return `${head}, svm_cid=${cid}, svm_port=${port}${flags}}`;
  }
  if (fam === C.AF_ALG && present(sockaddr_alg) && len >= sockaddr_alg.layout.size) {
    const alg = new sockaddr_alg(bytes);
    // strace names the CRYPTO_ALG_* bits from a table of its own (they are not in the system's headers).
    const algFlags = (v: number): string => (v === 0 ? '0' : `${hex(v)} /* CRYPTO_ALG_??? */`);
    return (
      `${head}, salg_type=${quote(alg.salg_type, Buffer.byteLength(alg.salg_type))}, salg_feat=${algFlags(alg.salg_feat)}, ` +
      `salg_mask=${algFlags(alg.salg_mask)}, salg_name=${quote(alg.salg_name, Buffer.byteLength(alg.salg_name))}}`
    );
  }
  const data = bytes.subarray(famOff + 2, len);
  return `${head}, sa_data=${quote(data, data.length)}}`;
}

// The packet types of sockaddr_ll (PACKET_HOST ...), not the PACKET_ socket options that share values.
const PACKET_TYPES = new Set([
  'PACKET_HOST',
  'PACKET_BROADCAST',
  'PACKET_MULTICAST',
  'PACKET_OTHERHOST',
  'PACKET_OUTGOING',
  'PACKET_LOOPBACK',
  'PACKET_USER',
  'PACKET_KERNEL',
]);
const notPacketType = (name: string): boolean => !PACKET_TYPES.has(name);

// A byte as strace's `%#02x` prints it: `00`, `0x1`, `0xaa`.
const byteHex = (b: number): string => (b === 0 ? '00' : `0x${b.toString(16)}`);

// `%#08x`: `00000000`, `0x000011`.
const hex08 = (v: number): string => (v === 0 ? '00000000' : `0x${(v >>> 0).toString(16).padStart(6, '0')}`);

/**
 * An interface index as strace prints it: `if_nametoindex("lo")` for one this process's network
 * namespace has, else the number.
 * @internal
 */
export function ifindexText(index: number): string {
  if (index <= 0) return String(index);
  const name = native.if_indextoname(index, Buffer.alloc(16));
  return typeof name === 'string' ? `if_nametoindex(${quote(name, name.length)})` : String(index);
}

const ipv4Text = (a: Uint8Array): string => `inet_addr("${a[0]}.${a[1]}.${a[2]}.${a[3]}")`;

/**
 * An ifreq as strace prints it for request `name`: the name it read, then (on success) the member the
 * request wrote or read.
 * @internal
 */
export function ifreqText(name: string, ifr: ifreq, r: number): string {
  const nameText = `ifr_name=${quote(ifr.ifr_name, IFNAMSIZ_TEXT)}`;
  if (name === 'SIOCGIFNAME')
    return r < 0 ? `{ifr_ifindex=${ifr.ifr_ifindex}}` : `{ifr_ifindex=${ifr.ifr_ifindex}, ${nameText}}`;
  const given = name === 'SIOCSIFFLAGS' || name === 'SIOCSIFMTU';
  if (r < 0 && !given) return `{${nameText}}`;
  switch (name) {
    case 'SIOCGIFINDEX':
      return `{${nameText}, ifr_ifindex=${ifr.ifr_ifindex}}`;
    case 'SIOCGIFFLAGS':
    case 'SIOCSIFFLAGS':
      return `{${nameText}, ifr_flags=${flagSet('IFF_', ifr.ifr_flags & 0xffff)}}`;
    case 'SIOCGIFMTU':
    case 'SIOCSIFMTU':
      return `{${nameText}, ifr_mtu=${ifr.ifr_mtu}}`;
    case 'SIOCGIFADDR':
      return `{${nameText}, ifr_addr=${sockaddrText(ifr.ifr_addr.bytes, ifr.ifr_addr.bytes.length)}}`;
    case 'SIOCGIFNETMASK':
      return `{${nameText}, ifr_netmask=${sockaddrText(ifr.ifr_addr.bytes, ifr.ifr_addr.bytes.length)}}`;
    case 'SIOCGIFBRDADDR':
      return `{${nameText}, ifr_broadaddr=${sockaddrText(ifr.ifr_addr.bytes, ifr.ifr_addr.bytes.length)}}`;
    default:
      return `{${nameText}}`;
  }
}
const IFNAMSIZ_TEXT = 16;

// A path: strace prints it whole (up to sizeof(sun_path)), not cut at 32 bytes.
function quoteWhole(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += MAX_STRLEN) {
    const piece = quote(bytes.subarray(i, i + MAX_STRLEN), MAX_STRLEN);
    s += piece.slice(1, piece.endsWith('...') ? -4 : -1);
  }
  return `"${s}"`;
}

/**
 * `[16]`, or `[128 => 16]` when the call changed it.
 * @internal
 */
export function inOut(before: number | undefined, after: socklen_t | null): string {
  if (after === null || before === undefined) return 'NULL';
  return before === after.value ? `[${before}]` : `[${before} => ${after.value}]`;
}

/** @internal */
export const UNFILLED = '...';

/**
 * The address an accept-like call filled, or `...` when it failed.
 * @internal
 */
export function outAddr(addr: SockaddrLike | null, len: socklen_t | null, r: number): string {
  if (addr === null) return 'NULL';
  if (r < 0) return UNFILLED;
  // What the kernel wrote into memory the tracer cannot read as a sockaddr is shown as `...`.
  return shown(
    () => sockaddrText(addr, len === null ? addr.bytes.length : Math.min(len.value, addr.bytes.length)),
    UNFILLED,
  );
}

/** @internal */
export function lenIn(len: socklen_t | null): string {
  return len === null ? 'NULL' : `[${len.value}]`;
}

// The tracer must never turn a call into a throw, nor throw after the kernel has acted: a value
// the formatters cannot show (a typed array of another element size where a sockaddr goes, a getter
// that throws) is written as strace writes what it cannot decode, `...`.
/** @internal */
export function shown(format: () => string, fallback: string): string {
  try {
    return format();
  } catch {
    return fallback;
  }
}

// An input read before the call, for showing with what the call wrote (`[16 => 28]`).
/** @internal */
export function peek<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

// The access mode in a descriptor's flags (its two low bits).
const ACCESS_MODES = new Map<number | undefined, string>([
  [C.O_RDONLY, 'O_RDONLY'],
  [C.O_WRONLY, 'O_WRONLY'],
  [C.O_RDWR, 'O_RDWR'],
]);

/** @internal */
export function openFlags(v: number): string {
  const access = v & 3;
  const mode = ACCESS_MODES.get(access) ?? hex(access);
  const rest = v & ~3;
  if (rest === 0) return mode;
  const parts = [mode];
  let left = rest;
  for (const name of ['O_APPEND', 'O_NONBLOCK', 'O_ASYNC', 'O_CLOEXEC'] as const) {
    const bit = C[name];
    if (bit !== undefined && bit !== 0 && (left & bit) === bit) {
      parts.push(name);
      left &= ~bit;
    }
  }
  if (left !== 0) parts.push(hex(left));
  return parts.join('|');
}

/** @internal */
export function optvalText(optval: number | ptr<number> | Struct | Memory | null, optlen: number): string {
  if (optval === null) return 'NULL';
  if (typeof optval === 'number') return `[${optval}]`;
  if (optval instanceof ptr) return `[${optval.value}]`;
  if (optval instanceof linger) return `{l_onoff=${optval.l_onoff}, l_linger=${optval.l_linger}}`;
  if (optval instanceof timeval) return `{tv_sec=${optval.tv_sec}, tv_usec=${optval.tv_usec}}`;
  if (optval instanceof timespec) return `{tv_sec=${optval.tv_sec}, tv_nsec=${optval.tv_nsec}}`;
  // strace reads an ip_mreqn given to IP_ADD_MEMBERSHIP as the ip_mreq it begins like.
  if (optval instanceof ip_mreq || isInstance(optval, ip_mreqn)) {
    const b = optval.bytes;
    return `{imr_multiaddr=${ipv4Text(b.subarray(0, 4))}, imr_interface=${ipv4Text(b.subarray(4, 8))}}`;
  }
  if (optval instanceof ipv6_mreq) {
    const group = native.inet_ntop(C.AF_INET6, optval.ipv6mr_multiaddr.bytes, null, 46);
    return (
      `{inet_pton(AF_INET6, "${String(group)}", &ipv6mr_multiaddr), ` +
      `ipv6mr_interface=${ifindexText(optval.ipv6mr_interface)}}`
    );
  }
  // strace prints the filter's address, which JavaScript has not: `...`.
  if (isInstance(optval, sock_fprog))
    return `{len=${optval.len}, filter=${optval.filter === null ? 'NULL' : UNFILLED}}`;
  const bytes = bytesOf(optval instanceof Struct ? optval.bytes : optval);
  if (optlen === 4 && bytes.length >= 4)
    return `[${new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0, native.littleEndian)}]`;
  return quote(bytes, optlen);
}

/** @internal */
export function pollIn(fds: readonly pollfd[], nfds: number): string {
  const n = Math.min(fds.length, nfds);
  const items: string[] = [];
  for (let k = 0; k < n; k++) items.push(`{fd=${fds[k].fd}, events=${pollEvents(fds[k].events)}}`);
  return `[${items.join(', ')}]`;
}

/** @internal */
export function pollResult(fds: readonly pollfd[], nfds: number, r: number): string {
  if (r < 0) return result(r);
  if (r === 0) return ' = 0 (Timeout)';
  const items: string[] = [];
  for (let k = 0; k < Math.min(fds.length, nfds); k++) {
    if (fds[k].revents !== 0) items.push(`{fd=${fds[k].fd}, revents=${pollEvents(fds[k].revents)}}`);
  }
  return ` = ${r} ([${items.join(', ')}])`;
}

/**
 * An iovec array as strace prints it; `filled` < 0 for what goes out, else the bytes that came in.
 * @internal
 */
export function iovText(iovs: readonly iovec[] | null, count: number, filled: number): string {
  if (iovs === null) return 'NULL';
  const items: string[] = [];
  let left = filled;
  for (let k = 0; k < Math.min(iovs.length, count); k++) {
    const iov = iovs[k];
    const n = filled < 0 ? iov.iov_len : Math.max(0, Math.min(left, iov.iov_len));
    left -= n;
    const base = iov.iov_base === null ? 'NULL' : quote(iov.iov_base, n);
    items.push(`{iov_base=${base}, iov_len=${iov.iov_len}}`);
  }
  return `[${items.join(', ')}]`;
}

function cmsgText(control: Buffer, controllen: number): string {
  const items: string[] = [];
  for (let off = native.cmsgNext(control, controllen, -1); off >= 0; off = native.cmsgNext(control, controllen, off)) {
    const header = new cmsghdr(control.subarray(off));
    const data = control.subarray(off + native.CMSG_DATA_OFFSET, Math.min(control.length, off + header.cmsg_len));
    let typeText = String(header.cmsg_type);
    let dataText = quote(data, data.length);
    if (header.cmsg_level === C.SOL_SOCKET && header.cmsg_type === C.SCM_RIGHTS) {
      typeText = 'SCM_RIGHTS';
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const fds: number[] = [];
      for (let k = 0; k + 4 <= data.length; k += 4) fds.push(view.getInt32(k, native.littleEndian));
      dataText = `[${fds.join(', ')}]`;
    } else if (header.cmsg_level === C.SOL_SOCKET && header.cmsg_type === C.SCM_CREDENTIALS) {
      typeText = 'SCM_CREDENTIALS';
    } else if (header.cmsg_level === C.SOL_SOCKET && header.cmsg_type === C.SCM_TIMESTAMPNS) {
      typeText = named('SO_', header.cmsg_type);
      if (data.length >= timespec.layout.size) {
        const ts = new timespec(data);
        dataText = `{tv_sec=${ts.tv_sec}, tv_nsec=${ts.tv_nsec}}`;
      }
    } else if (header.cmsg_level === C.SOL_IP) {
      typeText = named('IP_', header.cmsg_type);
      if (header.cmsg_type === C.IP_PKTINFO && present(in_pktinfo) && data.length >= in_pktinfo.layout.size) {
        const pi = new in_pktinfo(data);
        dataText =
          `{ipi_ifindex=${ifindexText(pi.ipi_ifindex)}, ipi_spec_dst=${ipv4Text(pi.ipi_spec_dst.bytes)}, ` +
          `ipi_addr=${ipv4Text(pi.ipi_addr.bytes)}}`;
      } else if (header.cmsg_type === C.IP_TTL && data.length >= 4) {
        dataText = `[${new DataView(data.buffer, data.byteOffset, 4).getInt32(0, native.littleEndian)}]`;
      }
    } else if (header.cmsg_level === C.SOL_IPV6) {
      // strace 6 names no IPv6 control message and shows none of their data: `cmsg_type=0x32}`.
      items.push(`{cmsg_len=${header.cmsg_len}, cmsg_level=SOL_IPV6, cmsg_type=${hex(header.cmsg_type)}}`);
      continue;
    }
    items.push(
      `{cmsg_len=${header.cmsg_len}, cmsg_level=${level(header.cmsg_level)}, cmsg_type=${typeText}, cmsg_data=${dataText}}`,
    );
  }
  return `[${items.join(', ')}]`;
}

// sendmsg's msghdr (filled < 0) or recvmsg's after the call (filled = bytes received).
/** @internal */
export function msghdrText(msg: msghdr, filled: number, namelenBefore: number | undefined): string {
  const after = (before: number | undefined, now: number): string =>
    before === undefined || before === now ? String(now) : `${before} => ${now}`;
  const name =
    msg.msg_name === null
      ? 'NULL'
      : filled >= 0 && msg.msg_namelen === 0
        ? UNFILLED
        : sockaddrText(msg.msg_name, msg.msg_namelen);
  const parts = [
    `msg_name=${name}`,
    `msg_namelen=${after(namelenBefore, msg.msg_namelen)}`,
    `msg_iov=${iovText(msg.msg_iov, msg.msg_iovlen, filled)}`,
    `msg_iovlen=${msg.msg_iovlen}`,
  ];
  if (msg.msg_control !== null && msg.msg_controllen > 0) {
    parts.push(`msg_control=${cmsgText(msg.msg_control, msg.msg_controllen)}`);
  }
  // strace 6 shows only the length recvmsg gave back (msg_controllen=88), not the one it was given.
  parts.push(`msg_controllen=${msg.msg_controllen}`);
  parts.push(`msg_flags=${msgFlags(msg.msg_flags)}`);
  return `{${parts.join(', ')}}`;
}

/**
 * An address of a hostent (or gethostbyaddr's `addr`) from its family and bytes:
 * `inet_addr("127.0.0.1")`, `inet_pton(AF_INET6, "::1")`, else the bytes quoted.
 * @internal
 */
export function hostAddrText(addr: Memory, len: number, type: number): string {
  const bytes = bytesOf(addr);
  if (type === C.AF_INET && len === 4 && bytes.length >= 4) return `inet_addr("${bytes.subarray(0, 4).join('.')}")`;
  if (type === C.AF_INET6 && len === 16 && bytes.length >= 16) {
    return `inet_pton(AF_INET6, "${String(native.inet_ntop(C.AF_INET6, bytes.subarray(0, 16), null, 46))}")`;
  }
  return quote(bytes, len);
}
