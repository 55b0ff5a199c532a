/**
 * The real `skills` CLI (npm `skills`, what `npx skills add` runs) under Node 22, against this
 * repository as a local path: `--list` shows exactly the skills in skills/ with no warning, and
 * `--skill jwt-debug -a claude-code -y` in an empty project with an empty HOME installs that
 * skill's folder and nothing else. Telemetry off.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { client } from '../helpers/clients.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const node = client('node22');
const cli = client('skills');

function run(args: string[], cwd: string, home: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(node!, [cli!, ...args], { cwd, timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: home, DISABLE_TELEMETRY: '1', NO_COLOR: '1', CI: '1' } }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .sort();
}

const shipped = readdirSync(join(ROOT, 'skills')).filter((d) => statSync(join(ROOT, 'skills', d)).isDirectory()).sort();

describe.skipIf(!node || !cli)('the skills CLI (Node 22)', () => {
  it('add <repo> --list shows exactly the skills in skills/, with no warning', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'jwt-triage-skills-'));
    const r = await run(['add', ROOT, '--list'], tmp, tmp);
    expect(r.code, r.out).toBe(0);
    const listed = [...r.out.matchAll(/^│ {4}([a-z0-9-]+)\s*$/gm)].map((m) => m[1]!).sort();
    expect(listed).toEqual(shipped);
    expect(r.out).toContain(`Found ${shipped.length} skills`);
    expect(r.out).not.toMatch(/⚠|\bskipped\b|\bwarning\b/i);
  });

  it('add <repo> --skill jwt-debug -a claude-code -y installs that folder and nothing else', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'jwt-triage-skills-'));
    const home = join(tmp, 'home');
    const project = join(tmp, 'project');
    mkdirSync(home);
    mkdirSync(project);
    const r = await run(['add', ROOT, '--skill', 'jwt-debug', '-a', 'claude-code', '-y'], project, home);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/⚠|skipped/i);
    const installed = join(project, '.claude', 'skills');
    expect(readdirSync(installed)).toEqual(['jwt-debug']);
    const source = join(ROOT, 'skills', 'jwt-debug');
    expect(files(join(installed, 'jwt-debug'))).toEqual(files(source));
    for (const f of files(source)) expect(readFileSync(join(installed, 'jwt-debug', f), 'utf8'), f).toBe(readFileSync(join(source, f), 'utf8'));
    // Besides the skill, only the CLI's own lock file; nothing in HOME (not a global install).
    expect(readdirSync(project).filter((e) => e !== '.claude' && e !== 'skills-lock.json')).toEqual([]);
    expect(files(home).filter((f) => !relative(home, join(home, f)).startsWith('.cache'))).toEqual([]);
  });
});
