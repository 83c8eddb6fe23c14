// bench/floor/floor.cc's addon (built by bench/floor/run.sh and npm run bench into bench/floor/build),
// loaded from dist/bench/floor by the programs that use it.
import * as path from 'node:path';

export function loadFloor<T>(): T {
  const file = path.resolve(__dirname, '..', '..', '..', 'bench', 'floor', 'build', 'Release', 'floor.node');
  const m = { exports: {} as T };
  process.dlopen(m, file);
  return m.exports;
}
