// The examples people reach for beyond the classic programs (issue 13): ping over a ping socket, a
// tiny tcpdump over a packet socket with a BPF filter, ss over NETLINK_SOCK_DIAG, and a UDP multicast
// sender and receiver (examples/c/NAME.c and their line-by-line ports examples/NAME.ts, run compiled
// from dist/examples/NAME.js). Each runs, C then TypeScript, in a fresh private network namespace
// (helpers/netns.ts: nothing touches the host's network), and the two must print the same bytes after
// renaming only what the kernel picks: ephemeral ports.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureDist, root, tempDir } from './helpers/build';
import { compileC } from './helpers/c';
import { requireNetns, serverThenClient, type Outcome } from './helpers/netns';
import { cc, describeNeeding, netns, setpriv, testNeeding } from './helpers/tools';

type Impl = 'C' | 'TS';
const IMPLS: Impl[] = ['C', 'TS'];

let work: ReturnType<typeof tempDir>;
const binaries = new Map<string, string>();

function argv(impl: Impl, program: string, ...args: string[]): string[] {
  return impl === 'C'
    ? [binaries.get(program)!, ...args]
    : [process.execPath, path.join(root, 'dist', 'examples', `${program}.js`), ...args];
}

beforeAll(() => {
  if (cc().missing !== null) return;
  work = tempDir('net-examples');
  for (const program of ['ping', 'tcpdump', 'ss', 'mcastsend', 'mcastrecv']) {
    const source = path.join(root, 'examples', 'c', `${program}.c`);
    binaries.set(program, compileC(source, { dir: work.path('bin'), flags: ['-Wall', '-Wextra', '-Werror'] }));
  }
  ensureDist(
    'dist/examples/ping.js',
    'dist/examples/tcpdump.js',
    'dist/examples/ss.js',
    'dist/examples/mcastsend.js',
    'dist/examples/mcastrecv.js',
  );
}, 180_000);

afterAll(() => work?.remove());

/** Runs one program (no server) in a fresh namespace after `setup`; its outcome. */
function alone(name: string, setup: string[], command: string[]): Outcome {
  const dir = work.path(name);
  mkdirSync(dir, { recursive: true });
  return serverThenClient({
    dir,
    prefix: requireNetns(name, ...setup),
    server: null,
    client: command,
    listening: '',
    killAfter: 30,
  }).client;
}

describeNeeding(cc(), netns())('ping: ICMP echo over a ping socket (SOCK_DGRAM, IPPROTO_ICMP)', () => {
  // In the namespace our group is 0: a ping_group_range of "0 0" lets it open ping sockets.
  const allowPing = 'echo "0 0" >/proc/sys/net/ipv4/ping_group_range';
  const outcomes = new Map<Impl, Outcome>();

  test.each(IMPLS)('%s: three echo requests to 127.0.0.1, three replies, by sequence number', (impl) => {
    const o = alone(`ping-${impl}`, [allowPing], argv(impl, 'ping', '127.0.0.1', '3'));
    outcomes.set(impl, o);
    expect(o).toEqual({
      stdout: [
        'PING 127.0.0.1: 3 echo requests',
        '64 bytes from 127.0.0.1: icmp_seq=1',
        '64 bytes from 127.0.0.1: icmp_seq=2',
        '64 bytes from 127.0.0.1: icmp_seq=3',
        '--- 127.0.0.1: 3 requests sent, 3 replies received',
        '',
      ].join('\n'),
      stderr: '',
      status: 0,
    });
  });

  test.each(IMPLS)('%s: where ping_group_range leaves our group out, EACCES, said why, exit 1', (impl) => {
    const o = alone(
      `ping-denied-${impl}`,
      ['echo "1 0" >/proc/sys/net/ipv4/ping_group_range'],
      argv(impl, 'ping', '127.0.0.1', '1'),
    );
    expect(o).toEqual({
      stdout: '',
      stderr:
        'ping: socket: Permission denied\n' +
        'ping: this group may not open ping sockets: see sysctl net.ipv4.ping_group_range\n',
      status: 1,
    });
  });

  test('a bad argument: the usage line, exit 1 (C and TS alike)', () => {
    const run = (impl: Impl): Outcome => alone(`ping-usage-${impl}`, [], argv(impl, 'ping', '127.0.0.1'));
    expect(run('C')).toEqual({ stdout: '', stderr: 'usage: ping ADDRESS COUNT\n', status: 1 });
    expect(run('TS')).toEqual(run('C'));
  });
});

// The traffic tcpdump watches: a server on 8080 and a client that connects, sends "hello", and closes
// after a pause (Node's own net module, so that the capture is of neither implementation's sockets).
const TRAFFIC = `
const net = require('node:net');
const srv = net.createServer((c) => { c.on('data', () => {}); c.on('end', () => { c.end(); srv.close(); }); });
srv.listen(8080, '127.0.0.1', () => {
  const c = net.connect(8080, '127.0.0.1', () => { c.write('hello'); setTimeout(() => c.end(), 300); });
  c.on('data', () => {});
});
`;

describeNeeding(cc(), netns())('tcpdump: a packet socket on lo with a BPF filter for one TCP port', () => {
  const outputs = new Map<Impl, string>();

  test.each(IMPLS)(
    '%s: the handshake and the first data segment of a connection to 8080, decoded; nothing of port 9090',
    (impl) => {
      const dir = work.path(`tcpdump-${impl}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'traffic.js'), TRAFFIC);
      // Traffic to another port first: the filter must keep it out.
      const other = `require('node:net').createServer().listen(9090, '127.0.0.1', function () { const s = this; require('node:net').connect(9090, '127.0.0.1', function () { this.destroy(); s.close(); }); });`;
      writeFileSync(path.join(dir, 'other.js'), other);
      const { server, client } = serverThenClient({
        dir,
        prefix: requireNetns('tcpdump'),
        server: argv(impl, 'tcpdump', '8080', '5'),
        client: ['sh', '-c', `"${process.execPath}" other.js && "${process.execPath}" traffic.js`],
        listening: 'tcpdump: listening on lo, port 8080',
        killAfter: 30,
      });
      expect(client.status).toBe(0);
      expect(server!.stderr).toBe('');
      expect(server!.status).toBe(0);
      const ports = [...server!.stdout.matchAll(/127\.0\.0\.1\.(\d+)/g)].map((m) => m[1]).filter((p) => p !== '8080');
      expect(new Set(ports).size).toBe(1); // one client port, the kernel's choice
      const normalized = server!.stdout.replaceAll(`127.0.0.1.${ports[0]}`, '127.0.0.1.<port>');
      outputs.set(impl, normalized);
      expect(normalized).toBe(
        [
          'tcpdump: listening on lo, port 8080',
          'IP 127.0.0.1.<port> > 127.0.0.1.8080: Flags [S], length 0',
          'IP 127.0.0.1.8080 > 127.0.0.1.<port>: Flags [S.], length 0',
          'IP 127.0.0.1.<port> > 127.0.0.1.8080: Flags [.], length 0',
          'IP 127.0.0.1.<port> > 127.0.0.1.8080: Flags [P.], length 5',
          'IP 127.0.0.1.8080 > 127.0.0.1.<port>: Flags [.], length 0',
          '',
        ].join('\n'),
      );
    },
    60_000,
  );

  test('C and TS printed the same lines', () => {
    expect(outputs.get('TS')).toBe(outputs.get('C'));
  });

  // Without CAP_NET_RAW: every capability dropped by setpriv, which also holds when the tests run as root.
  testNeeding(setpriv())('without CAP_NET_RAW, the packet socket is refused: C and TS alike', () => {
    const run = (impl: Impl): Outcome => {
      const [cmd, ...args] = [
        'setpriv',
        '--inh-caps=-all',
        '--bounding-set=-all',
        ...argv(impl, 'tcpdump', '8080', '1'),
      ];
      const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20_000 });
      return { stdout: r.stdout, stderr: r.stderr, status: r.status ?? -1 };
    };
    const c = run('C');
    expect(c).toEqual({
      stdout: '',
      stderr: 'tcpdump: socket (a packet socket needs CAP_NET_RAW): Operation not permitted\n',
      status: 1,
    });
    expect(run('TS')).toEqual(c);
  });
});

// What ss lists: a listener on 8080 and one connection to it, held open while C and TS each run.
const HOLD = `
const net = require('node:net');
const srv = net.createServer(() => {}).listen(8080, '127.0.0.1', () => {
  const c = net.connect(8080, '127.0.0.1', () => console.log('ready'));
  process.stdin.on('end', () => { c.destroy(); srv.close(); process.exit(0); }).resume();
});
`;

describeNeeding(cc(), netns())('ss: the TCP sockets of the namespace over NETLINK_SOCK_DIAG', () => {
  test('C and TS list the listener and both ends of the connection, as ss -tan does, line for line', () => {
    const dir = work.path('ss');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'hold.js'), HOLD);
    const q = (a: string[]): string => a.map((w) => `'${w}'`).join(' ');
    const script = [
      `mkfifo in; "${process.execPath}" hold.js <in >hold.out & exec 3>in`,
      'until grep -q ready hold.out; do sleep 0.01; done',
      `${q(argv('C', 'ss'))} >c.out 2>&1; ${q(argv('TS', 'ss'))} >ts.out 2>&1; ss -tanH >ss.out`,
      'exec 3>&-; wait',
    ].join('\n');
    const prefix = requireNetns('ss');
    const r = spawnSync(prefix[0], [...prefix.slice(1), 'sh', '-c', script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(0);
    const read = (f: string): string => readFileSync(path.join(dir, f), 'utf8');
    const c = read('c.out');
    expect(read('ts.out')).toBe(c);
    const lines = c.trim().split('\n');
    expect(lines[0]).toBe('State      Local Address:Port    Peer Address:Port');
    const rows = lines.slice(1).map((l) => l.split(/\s+/).join(' '));
    const client = /^ESTAB 127\.0\.0\.1:(\d+) 127\.0\.0\.1:8080$/.exec(
      rows.find((l) => l.endsWith(':8080') && l.startsWith('ESTAB'))!,
    )![1];
    expect(rows.sort()).toEqual(
      [
        'LISTEN 127.0.0.1:8080 0.0.0.0:*',
        `ESTAB 127.0.0.1:${client} 127.0.0.1:8080`,
        `ESTAB 127.0.0.1:8080 127.0.0.1:${client}`,
      ].sort(),
    );
    // ss itself, asked the same: state, local, peer in columns 1, 4 and 5.
    const fromSs = read('ss.out')
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map((w) => `${w[0]} ${w[3]} ${w[4]}`);
    expect(fromSs.sort()).toEqual(rows.sort());
  }, 60_000);
});

// Multicast on lo: the namespace's lo gets IFF_MULTICAST (as families.test.ts sets it with SIOCSIFFLAGS),
// the receiver joins 239.1.2.3 on 127.0.0.1 at a port the kernel picks (0), the sender sends to that port
// out of 127.0.0.1 with IP_MULTICAST_LOOP on. The namespace has no route to the group: the interface
// address given to both is what makes the join and the send work.
describeNeeding(cc(), netns())('mcastsend and mcastrecv: UDP multicast on lo (ip_mreq, IP_MULTICAST_*)', () => {
  const GROUP = '239.1.2.3';
  const receivers = new Map<string, string>();
  const senders = new Map<string, string>();
  const pairs = IMPLS.flatMap((r) => IMPLS.map((s) => [r, s] as [Impl, Impl]));

  test.each(pairs)(
    '%s receiver, %s sender: joined on the port it printed, three datagrams from one sender, left',
    (recvImpl, sendImpl) => {
      const dir = work.path(`mcast-${recvImpl}-${sendImpl}`);
      mkdirSync(dir, { recursive: true });
      // The sender's PORT is the one the receiver printed.
      const port = `"$(sed -n 's/.* on port \\([0-9]*\\)$/\\1/p' server.out)"`;
      const { server, client } = serverThenClient({
        dir,
        prefix: requireNetns('mcast', 'ip link set lo multicast on'),
        server: argv(recvImpl, 'mcastrecv', GROUP, '0', '3', '127.0.0.1'),
        client: ['sh', '-c', `exec "$@" ${port} 3 127.0.0.1`, 'sh', ...argv(sendImpl, 'mcastsend', GROUP)],
        listening: `mcastrecv: joined ${GROUP} on port `,
        killAfter: 30,
      });
      expect(client.stderr).toBe('');
      expect(client.status).toBe(0);
      expect(server!.stderr).toBe('');
      expect(server!.status).toBe(0);
      const bound = /on port (\d+)\n/.exec(server!.stdout)![1];
      expect(Number(bound)).toBeGreaterThan(0);
      const from = [...server!.stdout.matchAll(/from 127\.0\.0\.1:(\d+):/g)].map((m) => m[1]);
      expect(new Set(from).size).toBe(1); // one socket sent all three
      const received = server!.stdout
        .replaceAll(`port ${bound}\n`, 'port <port>\n')
        .replaceAll(`127.0.0.1:${from[0]}:`, '127.0.0.1:<port>:');
      const sent = client.stdout.replaceAll(`${GROUP}:${bound}\n`, `${GROUP}:<port>\n`);
      receivers.set(`${recvImpl}-${sendImpl}`, received);
      senders.set(`${recvImpl}-${sendImpl}`, sent);
      expect(received).toBe(
        [
          `mcastrecv: joined ${GROUP} on port <port>`,
          'from 127.0.0.1:<port>: message 1 of 3',
          'from 127.0.0.1:<port>: message 2 of 3',
          'from 127.0.0.1:<port>: message 3 of 3',
          `mcastrecv: left ${GROUP}`,
          '',
        ].join('\n'),
      );
      expect(sent).toBe(`sent 14 bytes to ${GROUP}:<port>\n`.repeat(3));
    },
    60_000,
  );

  test('all four pairings printed the same, receiver and sender', () => {
    expect(receivers.size).toBe(4);
    expect(new Set(receivers.values()).size).toBe(1);
    expect(new Set(senders.values()).size).toBe(1);
  });

  test('a bad argument: the usage line, exit 1 (C and TS alike)', () => {
    for (const program of ['mcastsend', 'mcastrecv']) {
      const run = (impl: Impl): Outcome => alone(`${program}-usage-${impl}`, [], argv(impl, program, GROUP, '0'));
      expect(run('C')).toEqual({
        stdout: '',
        stderr: `usage: ${program} GROUP PORT COUNT [IFADDR]\n`,
        status: 1,
      });
      expect(run('TS')).toEqual(run('C'));
    }
  });
});
