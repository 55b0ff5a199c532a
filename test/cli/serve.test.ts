/** `jwt-triage` / `jwt-triage serve`: flags, toolsets, the one-line hint on a terminal, --version. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT, main, parseServeArgs, type Io } from '../../src/cli.js';
import { UsageError } from '../../src/sources/errors.js';
import { CLI } from '../e2e/client.js';
import { need } from '../helpers/needs.js';

const HINT = 'MCP server on stdio; see `jwt-triage --help`';

describe('parseServeArgs', () => {
  it.each([
    [[], {}, { readOnly: false, toolsets: [] }],
    [['--toolsets', 'token,keys'], {}, { readOnly: false, toolsets: ['token', 'keys'] }],
    [['--toolsets=all'], {}, { readOnly: false, toolsets: ['all'] }],
    [[], { JWT_TRIAGE_TOOLSETS: 'cluster' }, { readOnly: false, toolsets: ['cluster'] }],
    [['--toolsets', 'opencode'], { JWT_TRIAGE_TOOLSETS: 'cluster' }, { readOnly: false, toolsets: ['opencode'] }],
    [['--read-only', '--toolsets', 'all'], {}, { readOnly: true, toolsets: ['all'] }],
    [[], { JWT_TRIAGE_READ_ONLY: '1' }, { readOnly: true, toolsets: [] }],
  ] as const)('%j with env %j', (argv, env, want) => {
    expect(parseServeArgs([...argv], env)).toMatchObject(want);
  });

  it('rejects an unknown toolset, naming it and the choices', () => {
    expect(() => parseServeArgs(['--toolsets', 'token,nope'], {})).toThrow(UsageError);
    try {
      parseServeArgs(['--toolsets', 'nope'], {});
    } catch (e) {
      expect((e as UsageError).message).toContain('"nope"');
      expect((e as UsageError).fix).toContain('web-identity');
    }
  });

  it('rejects an unknown flag', () => {
    expect(() => parseServeArgs(['--verbose'], {})).toThrow(/Unknown flag for serve: --verbose/);
  });
});

describe('jwt-triage --version and serve --help', () => {
  const io = () => {
    const out: string[] = [];
    const x: Io = { out: (t) => void out.push(t), err: () => undefined, isTTY: false, env: {} };
    return { x, out };
  };
  it('prints the package version', async () => {
    const o = io();
    expect(await main(['--version'], o.x)).toBe(EXIT.ok);
    expect(o.out.join('')).toBe((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version);
  });
  it('documents --toolsets and --read-only', async () => {
    const o = io();
    expect(await main(['serve', '--help'], o.x)).toBe(EXIT.ok);
    expect(o.out.join('')).toMatch(/--toolsets[\s\S]*token, keys, opencode, web-identity, cluster, all[\s\S]*--read-only/);
  });
});

/** Runs the built CLI for a moment and returns what it wrote, then stops it. */
function briefly(command: string, args: string[], ms = 1500, until?: string): Promise<{ out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', JWT_TRIAGE_LOG: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until && out.includes(until)) setTimeout(() => child.kill('SIGTERM'), 100);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), ms);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ out, err });
    });
  });
}

describe('bare jwt-triage', () => {
  it.skipIf(!need('script'))('on a terminal, says in one line that it is an MCP server on stdio (through a real pty from script(1))', async () => {
    const { out } = await briefly('script', ['-qec', `${process.execPath} ${CLI}`, '/dev/null'], 5000, HINT);
    expect(out).toContain(HINT);
    expect(out.split('\n').filter((l) => l.includes('jwt-triage')).length).toBe(1);
  });

  it('from an MCP client (stdin a pipe) prints nothing to stdout or stderr', async () => {
    const { out, err } = await briefly(process.execPath, [CLI], 800);
    expect(out).toBe('');
    expect(err).not.toContain(HINT);
  });
});

describe('jwt-triage tools', () => {
  it('lists every tool with its toolsets', async () => {
    const out: string[] = [];
    expect(await main(['tools'], { out: (t) => void out.push(t), err: () => undefined, isTTY: false, env: {} })).toBe(EXIT.ok);
    const line = out.find((l) => l.startsWith('diagnose_rejection'))!;
    expect(line).toMatch(/read-only\s+default\s/);
    expect(out.find((l) => l.startsWith('check_bridge_logs'))).toMatch(/\scluster\s/);
  });
});
