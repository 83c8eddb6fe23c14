// What the tracer writes while a stretch of code runs, caught in memory (tracing is off again after).
import { trace, type TraceOptions } from 'bsdsock';

/** What a traced stretch of code wrote: the whole text, each write() apart, and the non-empty lines. */
export interface Captured {
  text: string;
  chunks: string[];
  lines: string[];
}

function captured(chunks: string[]): Captured {
  const text = chunks.join('');
  return { text, chunks, lines: text.split('\n').filter((l) => l !== '') };
}

/** Runs fn with tracing on (with `options`) into memory. */
export function capture(fn: () => void, options: Omit<TraceOptions, 'stream'> = {}): Captured {
  const chunks: string[] = [];
  trace({ ...options, stream: { write: (s: string) => chunks.push(s) } });
  try {
    fn();
  } finally {
    trace(false);
  }
  return captured(chunks);
}

/** The same for code that waits. */
export async function captureAsync(
  fn: () => Promise<void>,
  options: Omit<TraceOptions, 'stream'> = {},
): Promise<Captured> {
  const chunks: string[] = [];
  trace({ ...options, stream: { write: (s: string) => chunks.push(s) } });
  try {
    await fn();
  } finally {
    trace(false);
  }
  return captured(chunks);
}
