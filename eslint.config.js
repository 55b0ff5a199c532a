// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** no-restricted-imports patterns: the named folders under src/ (and the entry files) are off limits. */
function restricted(folders, why, typeOnly = []) {
  const above = [{ group: ['**/server.js', '**/cli.js'], message: `Layering: ${why}.` }];
  return [
    ...above,
    ...folders.map((f) => ({ group: [`**/${f}/**`], message: `Layering: ${why}.` })),
    ...typeOnly.map((f) => ({ group: [`**/${f}/**`], allowTypeImports: true, message: `Layering: ${why} (type imports only).` })),
  ];
}
function layer(files, folders, why, typeOnly = []) {
  return [{ files: [files], rules: { 'no-restricted-imports': ['error', { patterns: restricted(folders, why, typeOnly) }] } }];
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/**/__toolsnaps__/', 'bench/.build/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // The layers: cli/server → tools/diagnose → gather → checks + sources → redact. Each folder may not
  // import from the layers above it (checks: pure judgement, no I/O; sources: I/O, no judgement).
  ...layer('src/checks/**/*.ts', ['sources', 'gather', 'tools', 'diagnose', 'cli'], 'checks are pure judgement: facts in, findings out, no I/O'),
  ...layer('src/sources/**/*.ts', ['gather', 'tools', 'diagnose', 'cli'], 'sources gather facts and decide nothing', ['checks']),
  ...layer('src/gather/**/*.ts', ['tools', 'diagnose', 'cli'], 'gatherers serve tools and the diagnosis alike'),
  ...layer('src/diagnose/**/*.ts', ['tools', 'cli'], 'the diagnosis is called by its tool record, not the other way round'),
  ...layer('src/tools/**/*.ts', ['cli'], 'tools are called by the CLI and the server'),
  {
    files: ['src/tools/**/*.ts'],
    ignores: ['src/tools/diagnose.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...restricted(['cli'], 'tools are called by the CLI and the server'), { group: ['**/diagnose/**'], message: 'Single-purpose tools gather through src/gather/, not the diagnosis (only tools/diagnose.ts, its record, calls it).' }] }] },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs'],
    languageOptions: { globals: { URL: 'readonly', console: 'readonly', process: 'readonly', performance: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'bench/**/*.js', '.ci/**/*.js'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
