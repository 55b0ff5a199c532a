/**
 * Issue 11 §2: one bounded reader for every file input. A FIFO used to block forever and
 * /dev/zero or a sparse 300 MB file was read in full before the size check. Each case here
 * goes through the real tool (in-process runTool) and the reader itself, with real special
 * files made at test time (mkfifo, a sparse file from ftruncate, /dev/zero).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileReadError, readBoundedFile } from '../../src/sources/file.js';
import { findTool } from '../../src/tools/index.js';
import { runTool } from '../../src/tools/run.js';
import { mintToken } from '../helpers/tokens.js';

let dir: string;
let fifo: string;
let sparse: string;

beforeAll(async () => {
  const tok = await mintToken({ claims: { iss: 'https://issuer.example', sub: 'system:serviceaccount:a:b', aud: 'sts.amazonaws.com' } });
  dir = mkdtempSync(join(tmpdir(), 'jwt-triage-files-'));
  fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  sparse = join(dir, 'sparse.bin');
  const fd = openSync(sparse, 'w');
  ftruncateSync(fd, 300 * 1024 * 1024);
  closeSync(fd);
  mkdirSync(join(dir, 'adir'));
  writeFileSync(join(dir, 'small.json'), '{"keys":[]}');
  writeFileSync(join(dir, 'tok.jwt'), tok);
});

async function problemOf(p: Promise<unknown>): Promise<FileReadError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(FileReadError);
  return e as FileReadError;
}

describe('readBoundedFile', () => {
  it('refuses a FIFO at once (no writer, no block) as not a regular file', async () => {
    const e = await problemOf(readBoundedFile(fifo, 1024));
    expect(e.problem).toBe('not_regular');
    expect(e.message).toMatch(/FIFO/);
  });
  it('refuses /dev/zero and /dev/urandom as character devices without reading them', async () => {
    for (const dev of ['/dev/zero', '/dev/urandom']) {
      const e = await problemOf(readBoundedFile(dev, 1024));
      expect(e.problem).toBe('not_regular');
      expect(e.message).toMatch(/character device/);
    }
  });
  it('refuses a directory', async () => {
    expect((await problemOf(readBoundedFile(join(dir, 'adir'), 1024))).problem).toBe('not_regular');
  });
  it('refuses a 300 MB sparse file from its size, before reading, without growing memory', async () => {
    const before = process.memoryUsage().rss;
    const e = await problemOf(readBoundedFile(sparse, 1024 * 1024));
    expect(e.problem).toBe('too_large');
    expect(e.code).toBe('SOURCE_TOO_LARGE');
    expect(e.message).toContain('314572800 bytes; the limit is 1048576');
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
  });
  it('names a missing file, and reads a small one', async () => {
    expect((await problemOf(readBoundedFile(join(dir, 'none'), 10))).problem).toBe('missing');
    expect(await readBoundedFile(join(dir, 'small.json'), 100)).toBe('{"keys":[]}');
  });
});

describe('every file input of every tool goes through it', () => {
  const cases: Array<[string, string, (path: string) => Record<string, unknown>]> = [
    ['decode_token', 'token_file', (p) => ({ token_file: p })],
    ['check_jwks', 'jwks_file', (p) => ({ jwks_file: p })],
    ['compare_jwks', 'a_file', (p) => ({ a_file: p, b_file: p })],
    ['check_bridge_logs', 'log_file', (p) => ({ log_file: p })],
    ['check_api_key', 'api_key_file', (p) => ({ api_key_file: p, offline: true })],
    ['predict_sts_outcome', 'jwks_file', (p) => ({ token_file: join(dir, 'tok.jwt'), jwks_file: p, offline: true })],
  ];
  for (const [tool, field, input] of cases) {
    it(`${tool} ${field}: a FIFO, /dev/zero and a sparse file each answer at once with a clear error`, async () => {
      const t = findTool(tool);
      expect(t, tool).toBeDefined();
      for (const [what, path, re] of [
        ['fifo', fifo, /FIFO|not a regular file/],
        ['zero', '/dev/zero', /character device|not a regular file/],
        ['sparse', sparse, /limit|at most|too large/],
      ] as const) {
        const r = await runTool(t!, input(path));
        const text = r.ok ? JSON.stringify(r.output) : r.message;
        expect(text, `${tool} ${what}`).toMatch(re);
      }
    }, 20_000);
  }
});
