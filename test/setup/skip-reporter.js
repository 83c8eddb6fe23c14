'use strict';
// A jest reporter that ends the run with the tests skipped because the machine lacks something they
// need (test/helpers/tools.ts names them `... (skipped: <what>: <how to get it>)`), grouped by suite
// and reason, so that a skip is never silent even when jest lists only suites.
const path = require('node:path');

const SKIPPED = /\(skipped: (.*)\)$/;

class SkipReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  onRunComplete(_contexts, results) {
    const groups = new Map();
    for (const suite of results.testResults) {
      for (const t of suite.testResults) {
        if (t.status !== 'pending' && t.status !== 'skipped') continue;
        const titled = [t.title, ...t.ancestorTitles].map((s) => SKIPPED.exec(s)).find((m) => m !== null);
        if (titled === undefined) continue;
        const key = `${path.relative(this.rootDir, suite.testFilePath)}: ${titled[1]}`;
        groups.set(key, (groups.get(key) ?? 0) + 1);
      }
    }
    if (groups.size === 0) return;
    const total = [...groups.values()].reduce((a, b) => a + b, 0);
    const lines = [
      '',
      `Skipped: ${total} test${total === 1 ? '' : 's'} whose needs this machine lacks ` +
        '(BSDSOCK_REQUIRE_ALL_TOOLS=1 makes them fail instead):',
      ...[...groups].map(([key, n]) => {
        const [file, ...reason] = key.split(': ');
        return `  ${file}: ${n} test${n === 1 ? '' : 's'}, skipped: ${reason.join(': ')}`;
      }),
      '',
    ];
    process.stderr.write(lines.join('\n'));
  }
}

module.exports = SkipReporter;
