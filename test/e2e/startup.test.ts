/**
 * What the BUILT binary loads at start-up (not how fast: speed is measured in `npm run bench`).
 * A loader hook records every file the process reads as a module: `--help`, an offline token
 * command and the server's initialize must load the one bundled file and neither undici nor any
 * AWS SDK package (those load on the first fetch / AWS call).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('start-up loads one file, no undici, no AWS SDK', () => {
  it.each([
    ['--help', ['--help'], ''],
    ['decode --token-file', ['decode', '--token-file', '@TOKEN'], ''],
    ['serve through initialize', ['serve'], initialize],
  ])('%s', (_name, args, input) => {
    const files = loaded(args.map((a) => (a === '@TOKEN' ? tokenFile : a)), input);
    expect(files).toContain(CLI);
    expect(files.filter((f) => f.includes('/node_modules/undici/'))).toEqual([]);
    expect(files.filter((f) => f.includes('/node_modules/@aws-sdk/'))).toEqual([]);
    expect(files.filter((f) => !f.includes('/node_modules/'))).toEqual([CLI]);
  });
});
