'use strict';
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: {
    // 151002 warns that node16 modules want isolatedModules; types are checked by npm run lint instead.
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
  },
  moduleNameMapper: {
    '^bsdsock$': '<rootDir>/lib/index.ts',
    '^bsdsock/promises$': '<rootDir>/lib/promises.ts',
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Every suite checks, around all its tests, that it left no socket open.
  setupFilesAfterEnv: ['<rootDir>/test/setup/no-leaks.ts'],
  // The default output, then a list of the tests skipped because the machine lacks a tool they need.
  reporters: ['default', '<rootDir>/test/setup/skip-reporter.js'],
  testTimeout: 30000,
};
