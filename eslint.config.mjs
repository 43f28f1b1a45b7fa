// typescript-eslint's type-checked recommended rules; floating promises are errors (an unawaited promise loses its
// error). Between projects, only public entries may be imported (the compiler enforces which projects; this, which files).
import tseslint from 'typescript-eslint';

const entriesOnly = {
  patterns: [
    { group: ['**/common/src/config/*'], message: 'Import the config model through its entry, common/src/config.' },
    { group: ['**/sdk/src/*', '!**/sdk/src/index'], message: 'Import the SDK through its entry, sdk/src.' },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', '.bench-builds/**', 'bin/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: [
          './common/tsconfig.json',
          './sdk/tsconfig.json',
          './runtime/tsconfig.json',
          './server/tsconfig.json',
          './client/tsconfig.json',
          './test/tsconfig.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-namespace': 'off', // the protocol's namespaced message types (vscode-eslint's style)
      // Scalars read from YAML and JSON are stringified on purpose; objects never reach those String() calls.
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['runtime/**/*.ts', 'server/**/*.ts', 'client/**/*.ts'], rules: { 'no-restricted-imports': ['error', entriesOnly] } },
  { files: ['sdk/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [entriesOnly.patterns[0]] }] } },
);
