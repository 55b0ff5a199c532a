/**
 * Bench helpers: the test worlds (test/helpers/*.ts) compiled once with esbuild into
 * bench/.build (no vitest, no TypeScript loader), timing and formatting.
 */
import { build } from 'esbuild';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD = join(ROOT, 'bench', '.build');

/** Compiles a test helper (and what it imports from the project) to an importable .mjs. */
export async function importHelper(rel) {
  mkdirSync(BUILD, { recursive: true });
  const out = join(BUILD, rel.replace(/[/\\]/g, '_').replace(/\.ts$/, '.mjs'));
  await build({ entryPoints: [join(ROOT, rel)], outfile: out, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  return import(pathToFileURL(out).href);
}

export const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[s.length >> 1] : NaN;
};

export function fmtMs(ms) {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms).toLocaleString('en-US')} ms`;
}

export const fmtN = (n) => Math.round(n).toLocaleString('en-US');

export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '—';
  const r = a / b;
  return r >= 1 ? `${r.toFixed(r >= 10 ? 0 : 1)}×` : `1/${(1 / r).toFixed(1)}×`;
}

export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  const line = (r) => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  return [line(rows[0]), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.slice(1).map(line)].join('\n');
}

export const exists = existsSync;
