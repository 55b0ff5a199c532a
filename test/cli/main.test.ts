import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT, main, type Io } from '../../src/cli.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { CLI } from '../e2e/client.js';
import { mintToken, NOW } from '../helpers/tokens.js';

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const x: Io = { out: (t) => void out.push(t), err: (t) => void err.push(t), isTTY: false, env };
  return { io: x, out: () => out.join('\n'), err: () => err.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-cli-'));
async function tokenFile(opts: Parameters<typeof mintToken>[0] = {}) {
  const raw = await mintToken(opts);
  const f = join(dir, `${Math.random().toString(36).slice(2)}.jwt`);
  writeFileSync(f, raw);
  return { raw, f };
}

describe('jwt-triage main()', () => {
  it('prints help listing every command, and exits 0', async () => {
    const o = io();
    expect(await main(['--help'], o.io)).toBe(EXIT.ok);
    for (const t of ALL_TOOLS) expect(o.out()).toContain(t.cli.command);
  });

  it.each(ALL_TOOLS.map((t) => [t.cli.command, t] as const))('%s --help shows its flags and examples', async (command, tool) => {
    const o = io();
    expect(await main([command, '--help'], o.io)).toBe(EXIT.ok);
    expect(o.out()).toContain(`jwt-triage ${command}`);
    expect(o.out()).toContain(tool.name);
    for (const key of Object.keys(tool.input.shape)) expect(o.out()).toContain(`--${key.replace(/_/g, '-')}`);
  });

  it('exits 2 for an unknown command or flag, naming it', async () => {
    const a = io();
    expect(await main(['frobnicate'], a.io)).toBe(EXIT.usage);
    expect(a.err()).toMatch(/Unknown command "frobnicate"/);
    const b = io();
    expect(await main(['decode', '--nope'], b.io)).toBe(EXIT.usage);
    expect(b.err()).toMatch(/--nope/);
  });

  it('exits 2 with the fix when the token file is missing', async () => {
    const o = io();
    expect(await main(['decode', '--token-file', join(dir, 'missing.jwt')], o.io)).toBe(EXIT.usage);
    expect(o.err()).toMatch(/does not exist/);
  });

  it('exits 1 when a failure is found and 0 when all pass, never printing the token', async () => {
    const expired = await tokenFile({ iat: -7200, exp: -1380 });
    const a = io();
    expect(await main(['time', '--token-file', expired.f, '--now', String(NOW)], a.io)).toBe(EXIT.failure);
    expect(a.out()).toContain('✗ TOKEN_EXPIRED');
    expect(a.out()).toContain('expired 23 minutes ago');
    expect(a.out()).not.toContain(expired.raw.split('.')[2]!);
    const fresh = await tokenFile();
    const b = io();
    expect(await main(['time', '--token-file', fresh.f, '--now', String(NOW)], b.io)).toBe(EXIT.ok);
  });

  it('prints the structured result with --json', async () => {
    const fresh = await tokenFile({ claims: { iss: 'https://issuer.example', aud: 'a' } });
    const o = io();
    expect(await main(['claims', '--token-file', fresh.f, '--expected-audience', 'b', '--json'], o.io)).toBe(EXIT.failure);
    const out = JSON.parse(o.out());
    expect(out.verdict).toBe('fail');
    expect(out.findings.map((f: { code: string }) => f.code)).toContain('TOKEN_AUDIENCE_MISMATCH');
  });

  it('exits 3 when a source could not be checked', async () => {
    const fresh = await tokenFile();
    const o = io();
    expect(await main(['jwks', '--token-file', fresh.f, '--jwks-url', 'https://127.0.0.1:9/jwks', '--timeout', '500'], o.io)).toBe(EXIT.cannotCheck);
    expect(o.out()).toContain('JWKS_UNREACHABLE');
  });
});

describe('the built binary', () => {
  it('runs a command as a real process and sets the exit code', async () => {
    const expired = await tokenFile({ iat: -7200, exp: -1380 });
    const run = promisify(execFile);
    const err = await run(process.execPath, [CLI, 'time', '--token-file', expired.f, '--now', String(NOW), '--no-color']).catch((e: { code: number; stdout: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stdout: string }).stdout).toContain('TOKEN_EXPIRED');
    const v = await run(process.execPath, [CLI, '--version']);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
