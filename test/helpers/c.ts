// C programs the tests compare bsdsock with: compiled here with the system's cc, from a file
// (test/c/, examples/c/) or from source text a suite writes, into test/.build/. Whether there is a cc
// is tools.ts's cc(): a test that compiles C runs under testNeeding(cc()) or describeNeeding(cc()).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildDir } from './build';

/**
 * Compiles the C file `source` (flags default: -Wall -Wextra) into test/.build/<name> (name
 * default: the file's base name; `dir` instead of test/.build/, e.g. a suite's temporary directory)
 * and returns the program's path. Built under a private name, then renamed: a concurrent run never
 * executes a half-written file.
 */
export function compileC(source: string, options: { name?: string; flags?: string[]; dir?: string } = {}): string {
  const name = options.name ?? path.basename(source, '.c');
  const flags = options.flags ?? ['-Wall', '-Wextra'];
  const dir = options.dir ?? buildDir;
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, name);
  const tmp = `${out}.${process.pid}.tmp`;
  const cc = spawnSync('cc', [...flags, '-o', tmp, source], { encoding: 'utf8', timeout: 120000 });
  if (cc.status !== 0) throw new Error(`cc failed on ${source}:\n${cc.stderr}${cc.error?.message ?? ''}`);
  renameSync(tmp, out);
  return out;
}

/** Writes `text` as test/.build/<name>.c, then compiles it as compileC does. */
export function compileCText(name: string, text: string, flags?: string[]): string {
  mkdirSync(buildDir, { recursive: true });
  const source = path.join(buildDir, `${name}.c`);
  const tmp = `${source}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, source);
  return compileC(source, { name, flags });
}

/** Runs a compiled program; its output, or a failure with its stderr unless it exits 0. */
export function runC(
  program: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): { stdout: string; stderr: string } {
  const run = spawnSync(program, args, { encoding: 'utf8', env, timeout: 60000 });
  if (run.status !== 0) {
    throw new Error(`${path.basename(program)} ${args.join(' ')} failed (${run.status ?? run.signal}): ${run.stderr}`);
  }
  return { stdout: run.stdout, stderr: run.stderr };
}
