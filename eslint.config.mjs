// ESLint flat config: JS recommended everywhere, typescript-eslint type-checked rules for the TypeScript
// in lib/, examples/, test/ and bench/, and required JSDoc on lib/'s exports.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import jsdoc from 'eslint-plugin-jsdoc';
import tseslint from 'typescript-eslint';

// Node's globals, by hand (the `globals` package is not a direct dependency).
const nodeCommonGlobals = {
  AbortController: 'readonly',
  AbortSignal: 'readonly',
  Buffer: 'readonly',
  TextDecoder: 'readonly',
  TextEncoder: 'readonly',
  URL: 'readonly',
  URLSearchParams: 'readonly',
  clearImmediate: 'readonly',
  clearInterval: 'readonly',
  clearTimeout: 'readonly',
  console: 'readonly',
  fetch: 'readonly',
  global: 'readonly',
  performance: 'readonly',
  process: 'readonly',
  queueMicrotask: 'readonly',
  setImmediate: 'readonly',
  setInterval: 'readonly',
  setTimeout: 'readonly',
  structuredClone: 'readonly',
};
const nodeCommonJsGlobals = {
  ...nodeCommonGlobals,
  __dirname: 'readonly',
  __filename: 'readonly',
  exports: 'writable',
  module: 'writable',
  require: 'readonly',
};

const tsFiles = ['lib/**/*.ts', 'examples/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'];
const unusedVarsOptions = { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' };

export default defineConfig([
  globalIgnores([
    '**/node_modules/',
    'build/',
    'dist/',
    'coverage/',
    'test/.build/',
    'bench/.build/',
    'docs/reference/',
    'lib/constants.gen.ts',
    '**/*.gen.ts',
  ]),

  // Plain JavaScript: recommended rules only.
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: nodeCommonJsGlobals },
    rules: { 'no-unused-vars': ['error', unusedVarsOptions] },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: nodeCommonGlobals },
    rules: { 'no-unused-vars': ['error', unusedVarsOptions] },
  },

  // TypeScript: recommended + type-checked rules, types from tsconfig.json.
  {
    files: tsFiles,
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: nodeCommonJsGlobals,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', unusedVarsOptions],
    },
  },

  // The library: no `any`, and every export documented.
  {
    files: ['lib/**/*.ts'],
    plugins: { jsdoc },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: true,
          require: {
            FunctionDeclaration: true,
            ClassDeclaration: true,
            MethodDefinition: false,
          },
          contexts: [
            'TSInterfaceDeclaration',
            'TSTypeAliasDeclaration',
            'TSEnumDeclaration',
            'ExportNamedDeclaration > VariableDeclaration',
          ],
          // An autofix would only insert empty comment stubs: the docs must be written.
          enableFixer: false,
        },
      ],
    },
  },

  // Tests, benchmarks and examples talk to jest mocks and loosely typed data: relax the type-checked rules.
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // The classic programs, ported line by line from examples/c/: C declares first and assigns later.
  {
    files: [
      'examples/showip.ts',
      'examples/streamserver.ts',
      'examples/streamclient.ts',
      'examples/forkserver.ts',
      'examples/listener.ts',
      'examples/talker.ts',
      'examples/pollserver.ts',
      'examples/selectserver.ts',
      'examples/chatclient.ts',
      'examples/epollserver.ts',
      'examples/echoclient.ts',
      'examples/fdsender.ts',
      'examples/fdreceiver.ts',
      'examples/ping.ts',
      'examples/tcpdump.ts',
      'examples/ss.ts',
      'examples/mcastsend.ts',
      'examples/mcastrecv.ts',
      'examples/restart.ts',
      'examples/backlog.ts',
      'examples/refused.ts',
      'examples/framerecv.ts',
      'examples/framesend.ts',
      'examples/halfserver.ts',
      'examples/halfclient.ts',
      'examples/datagrams.ts',
      'examples/unixsockets.ts',
      'examples/multiserver.ts',
      'examples/multiclient.ts',
      'examples/connectany.ts',
      'examples/nbconnect.ts',
      'examples/brokenpipe.ts',
      'examples/icmpecho.ts',
    ],
    rules: {
      'prefer-const': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // expect(obj.method).toHaveBeenCalled() and friends pass methods unbound on purpose.
      '@typescript-eslint/unbound-method': 'off',
      // jest callbacks are often async without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
]);
