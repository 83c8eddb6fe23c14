// The tracer agrees with the kernel's view: the seed's server and client (compiled from examples/),
// run under the real `strace -f` with BSDSOCK_TRACE=1, write for each call on the descriptors they
// made exactly the line strace writes for that call — once strace's column padding is removed and
// glibc's renaming is mapped (send is sendto(..., NULL, 0), recv is recvfrom(..., NULL, NULL), accept
// may be accept4(..., 0)). Each run has its own network namespace, so the seed's port 8080 is free.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureDist, root, tempDir } from './helpers/build';
import { requireNetns, serverThenClient } from './helpers/netns';
import { describeNeeding, netns as netnsNeed, strace } from './helpers/tools';

const KILL_AFTER = 20;

let work: ReturnType<typeof tempDir>;
let netns: string[] = [];

interface Run {
  /** The program's own trace (its stderr). */
  bsdsock: string[];
  /** strace's lines for the program's main thread, unfinished/resumed pairs joined, padding removed. */
  strace: string[];
  status: number;
}

/** Runs the server (optional) and the client, each under strace -f with BSDSOCK_TRACE=1. */
function runTraced(withServer: boolean): { server: Run | null; client: Run } {
  const dir = fs.mkdtempSync(path.join(work.dir, 'run-'));
  const traced = (name: string): string[] => [
    'strace',
    '-f',
    '-qq',
    '-e',
    'trace=network,close',
    '-o',
    `${name}.st`,
    process.execPath,
    path.join(root, 'dist/examples', `${name}.js`),
  ];
  const out = serverThenClient({
    dir,
    prefix: netns,
    server: withServer ? traced('server') : null,
    client: traced('client'),
    listening: 'Serveur en écoute',
    killAfter: KILL_AFTER,
    env: { ...process.env, BSDSOCK_TRACE: '1' },
  });
  const read = (name: 'server' | 'client'): Run => ({
    bsdsock: out[name]!.stderr.split('\n').filter((l) => /^[a-z_0-9]+\(/.test(l)),
    strace: parseStrace(fs.readFileSync(path.join(dir, `${name}.st`), 'utf8')),
    status: out[name]!.status,
  });
  return { server: withServer ? read('server') : null, client: read('client') };
}

/**
 * strace -f -o output: `PID  call(args) = result`, a call interrupted by another thread's line split
 * into `call(args <unfinished ...>` and `<... call resumed>rest`. Returns the first process's lines
 * (the program's main thread), each pair joined, strace's padding before ` = ` removed.
 */
function parseStrace(text: string): string[] {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines.length === 0) return [];
  const main = lines[0].split(/\s+/, 1)[0];
  const open = new Map<string, string>();
  const out: string[] = [];
  for (const raw of lines) {
    const m = /^(\d+)\s+(.*)$/.exec(raw);
    if (m === null || m[1] !== main) continue;
    let body = m[2];
    const unfinished = / <unfinished \.\.\.>$/.exec(body);
    if (unfinished !== null) {
      open.set(m[1], body.slice(0, unfinished.index));
      continue;
    }
    const resumed = /^<\.\.\. [a-z0-9_]+ resumed>(.*)$/.exec(body);
    if (resumed !== null) {
      body = (open.get(m[1]) ?? '') + resumed[1];
      open.delete(m[1]);
    }
    if (body.startsWith('+++') || body.startsWith('---')) continue;
    out.push(body.replace(/\) +(= [^=]*)$/, ') $1'));
  }
  return out;
}

/** A bsdsock line as glibc's syscall shows it to strace. */
function asSyscall(line: string): string {
  return line
    .replace(/^send\((.*)\) = /, 'sendto($1, NULL, 0) = ')
    .replace(/^recv\((.*)\) = /, 'recvfrom($1, NULL, NULL) = ');
}

/** An strace line with accept4(..., 0) written as the accept it stands for. */
function normalised(line: string): string {
  return line.replace(/^accept4\((.*), 0\) = /, 'accept($1) = ');
}

const firstFd = (line: string): number | null => {
  const m = /^[a-z0-9_]+\((-?\d+)[,)]/.exec(line);
  return m === null ? null : Number(m[1]);
};
const resultFd = (line: string): number => Number(/ = (-?\d+)(?: |$)/.exec(line)?.[1] ?? -1);

/**
 * Walks strace's lines from the program's first call: every strace line on a descriptor the program
 * made (from its socket/accept until its close) must be the program's next traced line. Returns the
 * disagreements (empty when all agree) and how many lines matched.
 */
function compare(run: Run): { problems: string[]; matched: number } {
  const expected = run.bsdsock.map(asSyscall);
  const problems: string[] = [];
  const st = run.strace.map(normalised);
  const start = st.indexOf(expected[0]);
  if (start < 0) return { problems: [`strace has no line ${JSON.stringify(expected[0])}`], matched: 0 };
  const live = new Set<number>();
  let next = 0;
  for (const line of st.slice(start)) {
    const fd = firstFd(line);
    // A later socket() of the program is its next line (its first argument is no descriptor).
    const opens = next < expected.length && line === expected[next] && /^socket\(/.test(line);
    const ours = next === 0 || opens || (fd !== null && live.has(fd));
    if (!ours) continue;
    if (next >= expected.length) {
      problems.push(`strace shows a call the tracer did not: ${line}`);
      continue;
    }
    if (line !== expected[next]) problems.push(`strace:  ${line}\nbsdsock: ${expected[next]}`);
    const name = /^([a-z0-9_]+)\(/.exec(expected[next])?.[1];
    if ((name === 'socket' || name === 'accept' || name === 'accept4') && resultFd(expected[next]) >= 0) {
      live.add(resultFd(expected[next]));
    }
    if (name === 'close') live.delete(firstFd(expected[next])!);
    next++;
  }
  for (; next < expected.length; next++) problems.push(`the tracer wrote a call strace did not see: ${expected[next]}`);
  return { problems, matched: expected.length };
}

describeNeeding(strace(), netnsNeed())(
  'BSDSOCK_TRACE=1 writes the lines strace writes, for the calls the seed programs make',
  () => {
    beforeAll(() => {
      ensureDist('dist/examples/server.js', 'dist/examples/client.js');
      work = tempDir('strace');
      netns = requireNetns('this test');
    });

    afterAll(() => work?.remove());

    test('server and client: every call on their descriptors, argument for argument', () => {
      const { server, client } = runTraced(true);
      expect(server!.status).toBe(0);
      expect(client.status).toBe(0);
      // What the programs call, in order: a check that the comparison had something to compare.
      expect(server!.bsdsock.map((l) => /^[a-z0-9]+/.exec(l)![0])).toEqual([
        'socket',
        'bind',
        'listen',
        'accept',
        'send',
        'close',
        'close',
      ]);
      expect(client.bsdsock.map((l) => /^[a-z0-9]+/.exec(l)![0])).toEqual(['socket', 'connect', 'recv', 'close']);
      for (const run of [server!, client]) {
        const { problems, matched } = compare(run);
        expect(problems).toEqual([]);
        expect(matched).toBe(run.bsdsock.length);
      }
    });

    test('a failed call: the client with no server, connect = -1 ECONNREFUSED', () => {
      const { client } = runTraced(false);
      expect(client.status).toBe(1);
      expect(client.bsdsock).toHaveLength(2);
      expect(client.bsdsock[1]).toMatch(/^connect\(\d+, .*\) = -1 ECONNREFUSED \(Connection refused\)$/);
      expect(compare(client).problems).toEqual([]);
    });
  },
);

// The program of the next test: the new address families and option structs (issue 13), each call
// traced, all in one network namespace. `dist` is the compiled lib/index.js.
const FAMILIES_PROGRAM = (dist: string): string => `
const S = require(${JSON.stringify(dist)});
const nl = S.socket(S.AF_NETLINK, S.SOCK_RAW, S.NETLINK_ROUTE);
const snl = new S.sockaddr_nl(); snl.nl_family = S.AF_NETLINK; snl.nl_groups = 0x11;
S.bind(nl, snl, S.sizeof(snl));
S.getsockname(nl, snl, new S.socklen_t(S.sizeof(snl)));
S.close(nl);
const p = S.socket(S.AF_PACKET, S.SOCK_RAW, S.htons(S.ETH_P_ALL));
const ll = new S.sockaddr_ll(); ll.sll_family = S.AF_PACKET; ll.sll_protocol = S.htons(S.ETH_P_ALL);
ll.sll_ifindex = S.if_nametoindex('lo');
S.bind(p, ll, S.sizeof(ll));
S.getsockname(p, ll, new S.socklen_t(S.sizeof(ll)));
ll.sll_ifindex = 99; ll.sll_hatype = 1; ll.sll_pkttype = S.PACKET_OUTGOING; ll.sll_halen = 6;
ll.sll_addr = Uint8Array.of(0xaa, 0, 0, 0, 0, 1);
S.bind(p, ll, S.sizeof(ll));
ll.sll_protocol = S.htons(0x1234); ll.sll_hatype = 0xfff0; ll.sll_pkttype = 77;
S.bind(p, ll, S.sizeof(ll));
const prog = new S.sock_fprog(); prog.filter = S.array(S.sock_filter, 1);
prog.filter[0] = S.BPF_STMT(S.BPF_RET | S.BPF_K, 0xffff); prog.len = 1;
S.setsockopt(p, S.SOL_SOCKET, S.SO_ATTACH_FILTER, prog, S.sizeof(prog));
S.close(p);
const u = S.socket(S.AF_INET, S.SOCK_DGRAM, 0);
const vm = new S.sockaddr_vm(); vm.svm_family = S.AF_VSOCK; vm.svm_port = 1234; vm.svm_cid = S.VMADDR_CID_ANY;
S.connect(u, vm, S.sizeof(vm));
vm.svm_cid = 3; vm.svm_port = S.VMADDR_PORT_ANY;
S.connect(u, vm, S.sizeof(vm));
const can = new S.sockaddr_can(); can.can_family = S.AF_CAN; can.can_ifindex = 1;
S.connect(u, can, S.sizeof(can));
const alg = new S.sockaddr_alg(); alg.salg_family = S.AF_ALG; alg.salg_type = 'hash'; alg.salg_name = 'sha256';
S.connect(u, alg, S.sizeof(alg));
const ifr = new S.ifreq(); ifr.ifr_name = 'lo';
for (const r of [S.SIOCGIFINDEX, S.SIOCGIFFLAGS, S.SIOCGIFADDR, S.SIOCGIFMTU, S.SIOCGIFNAME]) S.ioctl(u, r, ifr);
ifr.ifr_name = 'nope0';
S.ioctl(u, S.SIOCGIFINDEX, ifr);
const mreq = new S.ip_mreq();
S.inet_pton(S.AF_INET, '239.1.2.3', mreq.imr_multiaddr); mreq.imr_interface.s_addr = S.htonl(S.INADDR_LOOPBACK);
S.setsockopt(u, S.IPPROTO_IP, S.IP_ADD_MEMBERSHIP, mreq, S.sizeof(mreq));
const mreqn = new S.ip_mreqn();
S.inet_pton(S.AF_INET, '239.1.2.3', mreqn.imr_multiaddr); mreqn.imr_ifindex = 1;
S.setsockopt(u, S.IPPROTO_IP, S.IP_DROP_MEMBERSHIP, mreqn, S.sizeof(mreqn));
const a = new S.sockaddr_in(); a.sin_family = S.AF_INET; a.sin_addr.s_addr = S.htonl(S.INADDR_LOOPBACK);
S.bind(u, a, S.sizeof(a));
S.getsockname(u, a, new S.socklen_t(S.sizeof(a)));
S.setsockopt(u, S.IPPROTO_IP, S.IP_PKTINFO, 1, 4);
S.setsockopt(u, S.IPPROTO_IP, S.IP_RECVTTL, 1, 4);
S.setsockopt(u, S.SOL_SOCKET, S.SO_TIMESTAMPNS, 1, 4);
const c = S.socket(S.AF_INET, S.SOCK_DGRAM, 0);
S.sendto(c, 'hi', 2, 0, a, S.sizeof(a));
const message = (name) => {
  const msg = new S.msghdr(); const iov = new S.iovec();
  iov.iov_base = Buffer.alloc(16); iov.iov_len = 16; msg.msg_iov = [iov]; msg.msg_iovlen = 1;
  msg.msg_name = name; msg.msg_namelen = S.sizeof(name);
  msg.msg_control = Buffer.alloc(256); msg.msg_controllen = 256;
  return msg;
};
S.recvmsg(u, message(new S.sockaddr_in()), 0);
const s6 = S.socket(S.AF_INET6, S.SOCK_DGRAM, 0);
const b = new S.sockaddr_in6(); b.sin6_family = S.AF_INET6; b.sin6_addr = S.in6addr_loopback;
S.bind(s6, b, S.sizeof(b));
S.getsockname(s6, b, new S.socklen_t(S.sizeof(b)));
S.setsockopt(s6, S.IPPROTO_IPV6, S.IPV6_RECVPKTINFO, 1, 4);
const m6 = new S.ipv6_mreq(); S.inet_pton(S.AF_INET6, 'ff02::1:3', m6.ipv6mr_multiaddr); m6.ipv6mr_interface = 1;
S.setsockopt(s6, S.IPPROTO_IPV6, S.IPV6_JOIN_GROUP, m6, S.sizeof(m6));
S.sendto(s6, 'hi', 2, 0, b, S.sizeof(b));
S.recvmsg(s6, message(new S.sockaddr_in6()), 0);
for (const fd of [u, c, s6]) S.close(fd);
`;

describeNeeding(strace(), netnsNeed())(
  'BSDSOCK_TRACE=1 and strace agree on the Linux families and option structs',
  () => {
    beforeAll(() => {
      ensureDist();
      work = tempDir('strace-families');
      netns = requireNetns('this test');
    });

    afterAll(() => work?.remove());

    test('sockaddr_ll, sockaddr_nl, sockaddr_vm, ifreq ioctls, ip_mreq/ipv6_mreq, IP_PKTINFO/IP_TTL/SO_TIMESTAMPNS cmsgs', () => {
      const dir = fs.mkdtempSync(path.join(work.dir, 'run-'));
      fs.writeFileSync(path.join(dir, 'families.js'), FAMILIES_PROGRAM(path.join(root, 'dist/lib/index.js')));
      const out = serverThenClient({
        dir,
        prefix: netns,
        server: null,
        client: [
          'strace',
          '-f',
          '-qq',
          '-e',
          'trace=network,close,ioctl',
          '-o',
          'client.st',
          process.execPath,
          path.join(dir, 'families.js'),
        ],
        listening: '',
        killAfter: KILL_AFTER,
        env: { ...process.env, BSDSOCK_TRACE: '1' },
      });
      expect(out.client.status).toBe(0);
      const run: Run = {
        bsdsock: out.client.stderr.split('\n').filter((l) => /^[a-z_0-9]+\(/.test(l)),
        // strace prints the address of sock_fprog's filter, which JavaScript has not: the tracer writes `...`.
        strace: parseStrace(fs.readFileSync(path.join(dir, 'client.st'), 'utf8')).map((l) =>
          l.replace(/filter=0x[0-9a-f]+/, 'filter=...'),
        ),
        status: out.client.status,
      };
      // Each family's line is there, decoded (not as sa_data) where strace decodes it.
      const text = run.bsdsock.join('\n');
      for (const piece of [
        'nl_groups=0x000011',
        'sll_protocol=htons(ETH_P_ALL), sll_ifindex=if_nametoindex("lo")',
        'sll_addr=[0xaa, 00, 00, 00, 00, 0x1]',
        'svm_cid=VMADDR_CID_ANY',
        'SIOCGIFINDEX, {ifr_name="lo", ifr_ifindex=1}) = 0',
        'imr_multiaddr=inet_addr("239.1.2.3")',
        'cmsg_type=IP_PKTINFO, cmsg_data={ipi_ifindex=if_nametoindex("lo")',
        'cmsg_type=IP_TTL, cmsg_data=[64]',
        'cmsg_type=SO_TIMESTAMPNS_OLD',
        'ipv6mr_interface=if_nametoindex("lo")',
      ]) {
        expect(text).toContain(piece);
      }
      const { problems, matched } = compare(run);
      expect(problems).toEqual([]);
      expect(matched).toBe(run.bsdsock.length);
    });
  },
);
