/**
 * The built bin (dist/cli.js, src/cli/bin.ts bundled with code splitting): `--help` and `--version`
 * come from text rendered at build time and must equal what `main` prints now; a token command
 * loads only its tool module and still runs; every other command still finds its tool.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli.js';
import { TOOL_MODULES } from '../../src/cli/tool-loader.js';
import { ALL_TOOLS } from '../../src/tools/index.js';
import { CLI } from '../e2e/client.js';
import { mintToken } from '../helpers/tokens.js';

const run = promisify(execFile);

async function inProcess(argv: string[]): Promise<string> {
  let out = '';
  const io: Io = { out: (t) => void (out += t + '\n'), err: (t) => void (out += t + '\n'), isTTY: false, env: {} };
  await main(argv, io);
  return out;
}

describe('the built bin', () => {
  it('prints the same help and version as main renders from the records', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['--version'], ['version']]) {
      const { stdout } = await run(process.execPath, [CLI, ...argv]);
      expect(stdout, argv.join(' ')).toBe(await inProcess(argv));
    }
  });

  it('runs a token command from its own module and finds every other command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-bin-'));
    const f = join(dir, 't');
    writeFileSync(f, await mintToken(), { mode: 0o600 });
    const { stdout } = await run(process.execPath, [CLI, 'decode', '--token-file', f, '--json']);
    expect(JSON.parse(stdout)).toMatchObject({ form: 'JWS' });
    const help = await run(process.execPath, [CLI, 'help', 'diagnose']);
    expect(help.stdout).toContain('MCP tool: diagnose_rejection');
  });

  it('lists, in the loader, only modules whose tools are all in ALL_TOOLS', async () => {
    for (const load of Object.values(TOOL_MODULES)) {
      for (const t of (await load()).default) expect(ALL_TOOLS).toContain(t);
    }
  });
});
