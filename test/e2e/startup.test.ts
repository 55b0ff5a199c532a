/**
 * What the BUILT binary loads at start-up (not how fast: speed is measured in `npm run bench`).
 * A loader hook records every file the process reads as a module: `--help` loads the bin alone
 * (its text is rendered at build time); an offline token command and the server's initialize load
 * the bin and a few of its chunks (dist/chunks/, esbuild code splitting) — the token command not
 * the server's chunk — and neither undici nor any AWS SDK package (those load on the first fetch /
 * AWS call).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../helpers/tokens.js';
import { CLI } from './client.js';

const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-startup-'));
const HOOK = join(dir, 'hook.mjs');
const OUT = join(dir, 'loaded.json');
let tokenFile: string;

beforeAll(async () => {
  writeFileSync(
    HOOK,
    `import { register, createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (u) => seen.add(new URL(u).pathname));
port1.unref();
register('data:text/javascript,' + encodeURIComponent("let p;export function initialize(d){p=d.port}export async function load(u,c,n){if(u.startsWith('file:'))p.postMessage(u);return n(u,c)}"), { data: { port: port2 }, transferList: [port2] });
const req = createRequire(import.meta.url);
process.on('exit', () => writeFileSync(process.env.LOADED_OUT, JSON.stringify([...seen, ...Object.keys(req.cache)])));
`,
  );
  tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, await mintToken());
});

function loaded(args: string[], input = ''): string[] {
  const r = spawnSync(process.execPath, ['--import', HOOK, CLI, ...args], { input, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', LOADED_OUT: OUT } });
  expect(r.error).toBeUndefined();
  return JSON.parse(readFileSync(OUT, 'utf8')) as string[];
}

const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } }) + '\n';

const CHUNKS = join(dirname(CLI), 'chunks') + '/';
const isServerChunk = (f: string) => f.startsWith(CHUNKS) && /\/server-[A-Z0-9]+\.js$/.test(f);

describe('start-up loads a few bundled files, no undici, no AWS SDK', () => {
  it('--help loads the bin alone', () => {
    expect(loaded(['--help'])).toEqual([CLI]);
  });

  it.each([
    ['decode --token-file', ['decode', '--token-file', '@TOKEN'], '', false],
    ['serve through initialize', ['serve'], initialize, true],
  ])('%s', (_name, args, input, server) => {
    const files = loaded(args.map((a) => (a === '@TOKEN' ? tokenFile : a)), input);
    expect(files).toContain(CLI);
    expect(files.filter((f) => f.includes('/node_modules/undici/'))).toEqual([]);
    expect(files.filter((f) => f.includes('/node_modules/@aws-sdk/'))).toEqual([]);
    const ours = files.filter((f) => !f.includes('/node_modules/'));
    expect(ours.filter((f) => f !== CLI && !f.startsWith(CHUNKS))).toEqual([]);
    expect(ours.length).toBeLessThanOrEqual(16);
    expect(ours.some(isServerChunk)).toBe(server);
  });
});
