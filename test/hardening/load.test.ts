/**
 * Load: 50 concurrent calls on one MCP session (the SDK's real client, the BUILT server), all
 * answered correctly; and 10,000 sequential in-process calls with memory flat, measured as
 * heapUsed after forced GC in a child process (--expose-gc, heap capped at 96 MB so a leak
 * would also crash it). No speed is asserted.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../e2e/client.js';
import { fingerprint } from '../../src/redact.js';
import { mintToken } from '../helpers/tokens.js';

let token = '';
let client: Client;
let close: () => Promise<void>;

beforeAll(async () => {
  token = await mintToken({ claims: { iss: 'https://issuer.example', aud: 'sts.amazonaws.com', sub: 'system:serviceaccount:a:b' } });
  ({ client, close } = await connect(['serve', '--toolsets', 'all'], { LOAD_TOKEN: token }));
}, 30_000);
afterAll(async () => close?.());

describe('load', () => {
  it('50 concurrent calls on one session all answer correctly', async () => {
    const calls = Array.from({ length: 50 }, (_, i) =>
      i % 2
        ? client.callTool({ name: 'decode_token', arguments: { token_env: 'LOAD_TOKEN' } })
        : client.callTool({ name: 'compare_claims', arguments: { token_env: 'LOAD_TOKEN', expected_issuer: `https://issuer.example${i % 4 ? '' : '/'}` } }),
    );
    const results = await Promise.all(calls);
    results.forEach((r, i) => {
      expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
      const sc = r.structuredContent as { token_fingerprint: string; verdict: string };
      expect(sc.token_fingerprint).toBe(fingerprint(token));
      if (i % 2 === 0) expect(sc.verdict).toBe(i % 4 ? 'pass' : 'fail');
      expect(JSON.stringify(r)).not.toContain(token.split('.')[2]!);
    });
  }, 60_000);

  it('10,000 sequential in-process calls keep the heap flat (after GC)', async () => {
    const child = fileURLToPath(new URL('./fixtures/memory-child.mjs', import.meta.url));
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--expose-gc', '--max-old-space-size=96', child, token, '10000'], { timeout: 120_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    const m = JSON.parse(out.trim().split('\n').pop()!) as { calls: number; before: number; after: number; growth: number; bad: number };
    console.log(`load: ${m.calls} sequential calls, heapUsed after GC ${(m.before / 1048576).toFixed(1)} → ${(m.after / 1048576).toFixed(1)} MiB (growth ${(m.growth / 1048576).toFixed(2)} MiB)`);
    expect(m.bad).toBe(0);
    expect(m.growth).toBeLessThan(4 * 1024 * 1024);
  }, 150_000);
});
