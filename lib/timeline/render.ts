// Drawing a timeline: two programs' calls in two columns (the first program on the left), the
// segments on the wire between them with their direction, and each socket's TCP state in its owner's
// column, one row per thing that happened, in time order; or one column with labels; or a Mermaid
// sequenceDiagram. A call that waits is one line when nothing happened meanwhile, else strace's
// `<unfinished ...>` and `<... call resumed>` around what did.
import { packetText } from './packets';
import type { CallRecord, TimelineRecord, WireRecord } from './states';

/** One thing to draw. */
export interface Item {
  /** A whole call, a call's start or its resumption, a hint or warning, a segment, a state change. */
  readonly kind: 'call' | 'start' | 'resumed' | 'note' | 'wire' | 'state';
  /** The program whose column it goes in (a wire item: null). */
  readonly side: string | null;
  /** Its text (a wire item: the segment, as `SYN-ACK` or `PSH-ACK len 19`). */
  text: string | null;
  /** The call, for start and resumed. */
  readonly call?: string;
  /** A wire item's sender program (null: none of the programs, the kernel answered). */
  readonly from?: string | null;
  /** A wire item's receiver program (null: none of the programs). */
  readonly to?: string | null;
  /** Internal: the start/end pair a placeholder call waits for. */
  readonly id?: string;
}

/**
 * The records (in time order) as items: a start and its end become one `call` when nothing happened
 * in between but the other program's call endings and this program's own segments and states (what
 * the call itself sent out); otherwise a `start` and a `resumed`.
 */
export function itemsOf(records: readonly TimelineRecord[]): Item[] {
  const endIndex = new Map<string, number>();
  records.forEach((r, i) => {
    if (r.type === 'call' && r.ph === 'end') endIndex.set(`${r.side}:${r.id}`, i);
  });
  const splits = new Set<string>();
  records.forEach((r, i) => {
    if (r.type !== 'call' || r.ph !== 'start') return;
    const k = `${r.side}:${r.id}`;
    const j = endIndex.get(k);
    if (j === undefined) return;
    const between = records.slice(i + 1, j).filter((x) => {
      if (x.type === 'call') return !(x.side !== r.side && x.ph === 'end');
      if (x.type === 'state') return x.side !== r.side;
      return !(x.packet.kind === 'tcp' && x.from === r.side);
    });
    if (between.length > 0) splits.add(k);
  });
  const starts = new Map<string, string>();
  const items: Item[] = [];
  for (const r of records) {
    if (r.type === 'packet') {
      const text = packetText(r.packet);
      items.push({ kind: 'wire', side: null, text, from: r.from ?? null, to: r.to ?? null });
      continue;
    }
    if (r.type === 'state') {
      items.push({ kind: 'state', side: r.side, text: stateText(r.state, r.local, r.peer) });
      continue;
    }
    const k = `${r.side}:${r.id}`;
    if (r.ph === 'line') items.push({ kind: 'call', side: r.side, text: r.text });
    else if (r.ph === 'explain') items.push({ kind: 'note', side: r.side, text: r.text.trim() });
    else if (r.ph === 'warning') items.push({ kind: 'note', side: r.side, text: `+++ warning: ${r.text} +++` });
    else if (r.ph === 'start') {
      starts.set(k, r.text);
      if (splits.has(k)) items.push({ kind: 'start', side: r.side, call: r.call, text: `${r.text} <unfinished ...>` });
      else items.push({ kind: 'call', side: r.side, id: k, text: null });
    } else if (r.ph === 'end') {
      if (splits.has(k)) {
        const rest = r.text.slice((starts.get(k) ?? '').length);
        items.push({ kind: 'resumed', side: r.side, call: r.call, text: `<... ${r.call} resumed>${rest}` });
      } else {
        const placeholder = items.find((x) => x.id === k);
        if (placeholder !== undefined) placeholder.text = r.text;
        else items.push({ kind: 'call', side: r.side, text: r.text });
      }
    }
  }
  return items.filter((x) => x.text !== null);
}

/** `[LISTEN] :8080`, `[SYN_RECV] :8080⇄:46406`: the state and the socket's ports. */
function stateText(state: string, local: string, peer: string): string {
  const port = (a: string): string => a.slice(a.lastIndexOf(':'));
  return peer === '*' ? `[${state}] ${port(local)}` : `[${state}] ${port(local)}⇄${port(peer)}`;
}

/** A row: at most one item per column, and which programs wait in a call across it. */
export interface Row {
  /** The item of each column (the wire's under an internal key). */
  readonly cells: Map<string, Item>;
  /** The row's items in time order (the narrow layout prints them so). */
  readonly order: Item[];
  /** The programs that wait in a call across this row (drawn as `┊`). */
  readonly waiting: Set<string>;
}

const WIRE = '\u0000wire';

/**
 * Rows: one item a row, except that a resumed call or a state change shares the row just before it
 * when its cell is free there (the segment or call that caused it).
 */
export function rowsOf(items: readonly Item[]): Row[] {
  const rows: Row[] = [];
  const waiting = new Set<string>();
  for (const item of items) {
    const column = item.side ?? WIRE;
    const last = rows[rows.length - 1];
    if ((item.kind === 'resumed' || item.kind === 'state') && last !== undefined && !last.cells.has(column)) {
      last.cells.set(column, item);
      last.order.push(item);
      if (item.kind === 'resumed') {
        waiting.delete(column);
        last.waiting.delete(column);
      }
      continue;
    }
    const row: Row = { cells: new Map([[column, item]]), order: [item], waiting: new Set(waiting) };
    row.waiting.delete(column);
    if (item.kind === 'start') waiting.add(column);
    if (item.kind === 'resumed') waiting.delete(column);
    rows.push(row);
  }
  return rows;
}

/** Splits text into lines of at most width, preferring breaks after ', ' and '|'; continuations indented. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  let indent = '';
  while ((indent + rest).length > width) {
    const room = width - indent.length;
    let cut = -1;
    for (const sep of [', ', '|', ' ', '>', '(']) {
      // The separator's trailing space may fall just past the edge: it is dropped at the break.
      const at = rest.lastIndexOf(sep, room - sep.trimEnd().length);
      if (at > room / 3) {
        cut = at + sep.length;
        break;
      }
    }
    if (cut <= 0) cut = room;
    lines.push(indent + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut);
    indent = '    ';
  }
  lines.push(indent + rest);
  return lines;
}

const WAIT = '  ┊';

/** A segment as an arrow `width` wide, pointing at the column it went to. */
export function arrow(item: Item, left: string, right: string, width: number): string {
  const text = ` ${item.text ?? ''} `;
  const toRight = item.to === right || (item.to !== left && item.from === left);
  const toLeft = item.to === left || (item.from === right && item.to !== right);
  if (text.trim().startsWith('?') || (!toRight && !toLeft)) return text.trim().slice(0, width);
  const room = Math.max(0, width - text.length - 1);
  const before = Math.floor(room / 2);
  const after = room - before;
  return toRight
    ? '─'.repeat(before) + text + '─'.repeat(after) + '▶'
    : '◀' + '─'.repeat(before) + text + '─'.repeat(after);
}

/** The labels of the two columns, as `server (pid 12)`. */
export interface Columns {
  /** The left program's name, and its header. */
  readonly left: readonly [name: string, header: string];
  /** The right program's name, and its header. */
  readonly right: readonly [name: string, header: string];
}

const len = (s: string): number => [...s].length;
const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - len(s)));

/**
 * Two columns of calls, and the wire between them when `wire` is true, within `width` characters.
 */
export function renderWide(rows: readonly Row[], width: number, columns: Columns, wire: boolean): string {
  const sep = ' │ ';
  const wireW = wire ? 19 : 0;
  const sides = width - sep.length - (wire ? wireW + sep.length : 0);
  const leftW = Math.floor(sides / 2);
  const rightW = sides - leftW;
  const [left, leftHeader] = columns.left;
  const [right, rightHeader] = columns.right;
  const line = (l: string, m: string, r: string): string =>
    (wire ? pad(l, leftW) + sep + pad(m, wireW) + sep + r : pad(l, leftW) + sep + r).trimEnd();
  const out = [
    line(leftHeader, wire ? 'wire' : '', rightHeader),
    wire
      ? '─'.repeat(leftW) + '─┼─' + '─'.repeat(wireW) + '─┼─' + '─'.repeat(rightW)
      : '─'.repeat(leftW) + '─┼─' + '─'.repeat(rightW),
  ];
  for (const row of rows) {
    const cell = (side: string, w: number): string[] => {
      const item = row.cells.get(side);
      if (item !== undefined) return wrap(item.text ?? '', w);
      return row.waiting.has(side) ? [WAIT] : [];
    };
    const l = cell(left, leftW);
    const r = cell(right, rightW);
    const w = row.cells.get(WIRE);
    const m = w === undefined ? [] : [arrow(w, left, right, wireW)];
    const n = Math.max(l.length, r.length, m.length);
    const stillWaits = (side: string): boolean => row.waiting.has(side) || row.cells.get(side)?.kind === 'start';
    for (let k = 0; k < n; k++) {
      const lk = l[k] ?? (stillWaits(left) ? WAIT : '');
      const rk = r[k] ?? (stillWaits(right) ? WAIT : '');
      out.push(line(lk, m[k] ?? '', rk));
    }
  }
  return out.join('\n') + '\n';
}

/** One column, each line labelled with its program's name (`server │ `) or `   tcp │ ` for the wire. */
export function renderNarrow(rows: readonly Row[], width: number, columns: Columns): string {
  const names = [columns.left[0], columns.right[0], 'tcp'];
  const labelW = Math.max(...names.map((n) => n.length));
  const label = (name: string): string => `${name.padStart(labelW)} │ `;
  const out: string[] = [];
  for (const row of rows) {
    for (const item of row.order) {
      if (item.kind === 'wire') {
        const from = item.from ?? 'kernel';
        const to = item.to ?? 'kernel';
        out.push(label('tcp') + (item.text?.startsWith('?') ? item.text : `${from} ─${item.text}─▶ ${to}`));
        continue;
      }
      const side = item.side ?? '';
      for (const l of wrap(item.text ?? '', Math.max(20, width - label(side).length))) out.push(label(side) + l);
    }
  }
  return out.join('\n') + '\n';
}

// Mermaid reads ';' as a statement end, '#' as an entity start and '<...>' as HTML: write them as
// entity codes, and keep each message short.
function mermaidText(s: string): string {
  const cut = s.length > 140 ? s.slice(0, 137) + '...' : s;
  return cut
    .replace(/#/g, '#35;')
    .replace(/;/g, '#59;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/"/g, '#quot;');
}

function splitResult(text: string): [string, string] {
  const m = / = (.*)$/.exec(text);
  return m !== null ? [text.slice(0, m.index), m[1]] : [text, '?'];
}

/**
 * A Mermaid sequenceDiagram: each call a message from its program to the Kernel and back (a call that
 * waits is activated until it returns); each segment an arrow between the programs (from or to the
 * Kernel when no program holds that end); each state a note over its program.
 */
export function mermaidOf(items: readonly Item[], columns: Columns): string {
  const who = new Map<string, string>([
    [columns.left[0], capital(columns.left[0])],
    [columns.right[0], capital(columns.right[0])],
  ]);
  const name = (side: string | null | undefined): string => (side ? (who.get(side) ?? 'Kernel') : 'Kernel');
  const lines = [
    'sequenceDiagram',
    `  participant ${name(columns.left[0])}`,
    '  participant Kernel',
    `  participant ${name(columns.right[0])}`,
  ];
  for (const item of items) {
    const p = name(item.side);
    const text = item.text ?? '';
    if (item.kind === 'call') {
      const [call, result] = splitResult(text);
      lines.push(`  ${p}->>Kernel: ${mermaidText(call)}`);
      lines.push(`  Kernel-->>${p}: ${mermaidText(`= ${result}`)}`);
    } else if (item.kind === 'start') {
      lines.push(`  ${p}->>+Kernel: ${mermaidText(text.replace(/ +<unfinished \.\.\.>$/, ' ...'))}`);
      lines.push(`  Note over ${p}: waits in ${item.call ?? ''}`);
    } else if (item.kind === 'resumed') {
      const [call, result] = splitResult(text);
      const args = call.replace(/^<\.\.\. \w+ resumed>/, '').replace(/\)$/, '');
      lines.push(
        `  Kernel-->>-${p}: ${mermaidText(`= ${result} (${item.call ?? ''} returns${args ? `: ${args}` : ''})`)}`,
      );
    } else if (item.kind === 'note' || item.kind === 'state') {
      lines.push(`  Note over ${p}: ${mermaidText(text)}`);
    } else if (item.kind === 'wire') {
      const from = name(item.from);
      const to = name(item.to);
      if (text.startsWith('?') || from === to) lines.push(`  Note over Kernel: ${mermaidText(text)}`);
      else lines.push(`  ${from}-)${to}: ${mermaidText(text)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** How renderCausal labels and cuts its lines. */
export interface CausalRenderOptions {
  /** Each program's label (`serveur`, `server`), by name; a program not named keeps its name. */
  readonly labels?: ReadonlyMap<string, string>;
  /** The width to wrap calls at (default 100). */
  readonly width?: number;
  /** Draw the packets and the TCP states (default true); without, the calls alone. */
  readonly wire?: boolean;
  /** A line to write after a record where a program was held, by program name (`(held here ...)`). */
  readonly holdNotes?: ReadonlyMap<string, string>;
}

/**
 * A timeline in causal order (causalOrder's) as one labelled column: each call on its program's line
 * (`serveur │ listen(3, 3) = 0`), each packet on its protocol's (`    tcp │ 127.0.0.1:40874 ─SYN─▶
 * 127.0.0.1:8080`), each TCP state on its owner's. A call that waited is one line unless what it
 * waited for, or another program's call, comes between its start and its end: then strace's
 * `<unfinished ...>` and `<... call resumed>`. Nothing in it depends on the records' times, only on
 * their order, so two runs whose causal orders agree draw the same text.
 */
export function renderCausal(
  timeline: {
    readonly records: readonly TimelineRecord[];
    readonly anchors: ReadonlyMap<CallRecord, readonly WireRecord[]>;
    readonly holds: ReadonlyMap<CallRecord, unknown>;
    readonly retransmissions?: ReadonlySet<WireRecord>;
  },
  options: CausalRenderOptions = {},
): string {
  const width = options.width ?? 100;
  const wire = options.wire ?? true;
  const labelOf = (side: string | null): string => (side === null ? '?' : (options.labels?.get(side) ?? side));
  const records = timeline.records;
  const lines: [label: string, text: string][] = [];
  const ends = new Map<string, number>();
  records.forEach((r, i) => {
    if (r.type === 'call' && r.ph === 'end') ends.set(`${r.side}:${r.id}`, i);
  });
  const split = new Set<string>();
  const starts = new Map<string, string>();
  records.forEach((r, i) => {
    if (r.type !== 'call' || r.ph !== 'start') return;
    const k = `${r.side}:${r.id}`;
    const j = ends.get(k);
    if (j === undefined) return;
    const end = records[j] as CallRecord;
    const waitedFor = new Set(timeline.anchors.get(end) ?? []);
    const between = records.slice(i + 1, j);
    if (
      between.some(
        (x) =>
          (wire && x.type === 'packet' && waitedFor.has(x)) ||
          (x.type === 'call' && !(x.side !== r.side && x.ph === 'end')) ||
          timeline.holds.has(x as CallRecord),
      )
    ) {
      split.add(k);
    }
  });
  for (const r of records) {
    if (r.type === 'packet') {
      if (!wire) continue;
      const p = r.packet;
      const proto = p.kind === 'other' ? '?' : p.kind;
      const text = packetText(p) + (timeline.retransmissions?.has(r) === true ? ' (retransmission)' : '');
      lines.push([proto, p.kind === 'other' ? text : `${p.from} ─${text}─▶ ${p.to}`]);
      continue;
    }
    if (r.type === 'state') {
      if (wire) lines.push([labelOf(r.side), stateText(r.state, r.local, r.peer)]);
      continue;
    }
    const k = `${r.side}:${r.id}`;
    if (r.ph === 'line') lines.push([labelOf(r.side), r.text]);
    else if (r.ph === 'explain') lines.push([labelOf(r.side), r.text.trim()]);
    else if (r.ph === 'warning') lines.push([labelOf(r.side), `+++ warning: ${r.text} +++`]);
    else if (r.ph === 'start') {
      starts.set(k, r.text);
      if (split.has(k)) lines.push([labelOf(r.side), `${r.text} <unfinished ...>`]);
      else {
        const j = ends.get(k);
        const end = j === undefined ? undefined : (records[j] as CallRecord);
        // Drawn where it started, with its result: what it sent comes after it.
        lines.push([labelOf(r.side), end?.text ?? `${r.text} <unfinished ...>`]);
      }
    } else if (r.ph === 'end') {
      if (split.has(k)) {
        const rest = r.text.slice((starts.get(k) ?? '').length);
        lines.push([labelOf(r.side), `<... ${r.call} resumed>${rest}`]);
      } else if (!starts.has(k)) lines.push([labelOf(r.side), r.text]);
    }
    if (timeline.holds.has(r) && r.type === 'call') {
      const note = options.holdNotes?.get(r.side);
      if (note !== undefined) lines.push([labelOf(r.side), note]);
    }
  }
  const labelW = Math.max(0, ...lines.map(([l]) => len(l)));
  const out: string[] = [];
  for (const [label, text] of lines) {
    const prefix = `${' '.repeat(labelW - len(label))}${label} │ `;
    for (const l of wrap(text, Math.max(20, width - len(prefix)))) out.push((prefix + l).trimEnd());
  }
  return out.join('\n') + '\n';
}
