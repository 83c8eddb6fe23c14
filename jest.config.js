'use strict';
// Two projects: `unit`, the fast suites (npm run test:unit), and `system`, the slow whole-system
// suites (npm run test:system). `npm test` (plain jest) runs both.

/**
 * The whole-system suites (test/<name>.test.ts): those that run the examples, scripts and benchmarks
 * as a user does, and module-formats (over 10 s alone: it installs the package into a project and
 * type-checks it with tsc).
 */
const SYSTEM = [
  'bench-ffi',
  'bench-quick',
  'docs',
  'demo',
  'echo-server',
  'http-server',
  'interop',
  'classic-programs',
  'lessons',
  'load',
  'module-formats',
  'soak',
];
const system = SYSTEM.map((name) => `<rootDir>/test/${name}.test.ts`);

/** What both projects share. */
const common = {
  testEnvironment: 'node',
  transform: {
    // 151002 warns that node16 modules want isolatedModules; types are checked by npm run lint instead.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  moduleNameMapper: {
    '^bsdsock$': '<rootDir>/lib/index.ts',
    '^bsdsock/promises$': '<rootDir>/lib/promises.ts',
    '^bsdsock/libc$': '<rootDir>/lib/libc.ts',
    '^bsdsock/timeline$': '<rootDir>/lib/timeline.ts',
  },
  // Every suite checks, around all its tests, that it left no socket open.
  setupFilesAfterEnv: ['<rootDir>/test/setup/no-leaks.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  // The default output, then a list of the tests skipped because the machine lacks a tool they need.
  // (A global option: jest ignores reporters inside a project.)
  reporters: ['default', '<rootDir>/test/setup/skip-reporter.js'],
  // Also a global option: inside a project jest ignores it and gives each test 5 s, which a busy
  // machine can exceed.
  testTimeout: 30000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...SYSTEM.map((name) => `/test/${name}\\.test\\.ts$`)],
    },
    { ...common, displayName: 'system', testMatch: system },
  ],
};
