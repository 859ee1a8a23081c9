// Lint rules, each with its reason. Type-aware rules are not used: they double the lint time and
// `tsc --noEmit` already runs in `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/syntax/gpac-grammar.ts', 'test/media/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      // Unused code hides mistakes; a leading underscore marks an argument kept for its position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `any` defeats the typed args schema and PID properties; use unknown and narrow.
      '@typescript-eslint/no-explicit-any': 'error',
      // Filters must only talk to the engine through the public API (src/index.ts), never internals.
      'no-restricted-imports': 'off',
      // Equality surprises with null/undefined/strings are real bugs in timestamp code.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Logs go through pino; stray console output corrupts `-graph`/inspect output that tests parse.
      'no-console': 'error',
    },
  },
  {
    files: ['filters/**/*.ts'],
    rules: {
      // Built-in filters use only the public plugin API, exactly as a third-party plugin would.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/src/engine/*',
                '**/src/cli/*',
                '**/src/syntax/*',
                '**/src/testing/*',
                '**/src/api.js',
              ],
              message: 'filters import the public API from src/index.ts',
            },
          ],
        },
      ],
    },
  },
  {
    // CommonJS on purpose (bin/bundle.cjs compiles the bundle through node:vm, which runs CommonJS; the
    // entry point skips Node's ES module loader).
    files: ['**/*.cjs', 'bin/graphpac.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**', 'src/cli/**/*.ts', 'examples/**'],
    // Tests, benchmarks, scripts and the CLI print on purpose.
    rules: { 'no-console': 'off' },
  },
);
