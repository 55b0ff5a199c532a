/**
 * Issue 11 §5, process level: the BUILT server as an MCP client runs it (node dist/cli.js), fed
 * raw newline-delimited JSON-RPC. An oversized stdin message, a client that closes our stdout
 * (EPIPE) and stdin closing mid-call each end the process with one clear stderr line and no stack.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const INIT = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'hardening', version: '1' } } }) + '\n' +
  JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n';

let hole: Server;
let holePort = 0;
const held = new Set<Socket>();
beforeAll(async () => {
  hole = createServer((s) => {
    held.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
  holePort = (hole.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => hole.close(r));
});

function serve(): { child: ChildProcessWithoutNullStreams; stderr: () => string; stdout: () => string; exit: Promise<{ code: number | null; ms: number }> } {
  const child = spawn(process.execPath, [CLI, 'serve', '--allow-http-loopback'], { env: { ...process.env, JWT_TRIAGE_LOG: 'warn' } });
  let err = '';
  let out = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.on('data', (d) => (out += d));
  child.stdin.on('error', () => undefined);
  child.stdout.on('error', () => undefined);
  const start = performance.now();
  const exit = new Promise<{ code: number | null; ms: number }>((resolve) => child.once('exit', (code) => resolve({ code, ms: performance.now() - start })));
  return { child, stderr: () => err, stdout: () => out, exit };
}

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};

describe('the MCP server process', () => {
  it('a stdin message over 10 MiB: one stderr line, exit 1 (was: exit 0, silent)', async () => {
    const s = serve();
    s.child.stdin.write(INIT);
    await until(() => s.stdout().includes('"id":1'));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    for (let i = 0; i < 11; i++) s.child.stdin.write(chunk);
    const { code } = await s.exit;
    expect(code).toBe(1);
    expect(s.stderr()).toMatch(/larger than the MCP SDK's 10 MiB limit/);
    expect(s.stderr()).not.toMatch(/\n\s+at /);
  }, 20_000);

  it('stdout closed by the client (EPIPE): one stderr line, clean exit, no stack trace', async () => {
    const s = serve();
    s.child.stdin.write(INIT);
    await until(() => s.stdout().includes('"id":1'));
    s.child.stdout.destroy();
    for (let i = 2; i < 40; i++) s.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'tools/list' }) + '\n');
    const { code } = await s.exit;
    expect(code).toBe(0);
    expect(s.stderr()).toMatch(/stdout was closed by the client \(EPIPE\)/);
    expect(s.stderr()).not.toMatch(/\n\s+at /);
    expect(s.stderr().trim().split('\n').filter((l) => l.includes('EPIPE'))).toHaveLength(1);
  }, 20_000);

  it('stdin closing mid-call aborts the call and exits promptly (before the call\'s own 5 s deadline)', async () => {
    const s = serve();
    s.child.stdin.write(INIT);
    await until(() => s.stdout().includes('"id":1'));
    s.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'check_discovery', arguments: { issuer: `https://127.0.0.1:${holePort}` } } }) + '\n');
    await until(() => held.size > 0);
    const closedAt = performance.now();
    s.child.stdin.end();
    const { code } = await s.exit;
    expect(code).toBe(0);
    expect(performance.now() - closedAt).toBeLessThan(4000);
  }, 20_000);
});
