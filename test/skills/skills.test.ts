/**
 * Validates every SKILL.md against the Agent Skills spec and against the product: the name is
 * the folder's, the frontmatter holds only allowed keys, the description says what and when (with
 * the words users type), the file is under 500 lines, every file it links exists (references/ one
 * level deep), and every MCP tool, prompt, resource, CLI command and flag it names exists.
 *
 * There is deliberately no SKILL.md at the repository root: with one, the `skills` CLI (1.7.4)
 * returns only the root skill when `--skill <name>` is given — even with `metadata.internal: true`,
 * which hides it from `--list` only — so `npx skills add <repo> --skill jwt-debug` finds nothing.
 * The umbrella playbook lives in .agents/skills/jwt-triage/ instead (test/e2e/skills-cli.test.ts
 * proves the install with the real CLI).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeFields, GLOBAL_FLAGS } from '../../src/cli/args.js';
import { PRESETS } from '../../src/diagnose/types.js';
import { PROMPT_NAMES } from '../../src/mcp/prompts.js';
import { CODES_URI, PRECEDENCE_URI } from '../../src/mcp/resources.js';
import { ALL_TOOLS, findTool } from '../../src/tools/index.js';
import { FINDING_CODES } from '../../src/checks/codes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ALLOWED_KEYS = ['name', 'description', 'license', 'compatibility', 'metadata', 'allowed-tools'];

function skillFiles(): string[] {
  const found: string[] = [];
  for (const base of ['skills', '.agents/skills']) {
    const dir = join(ROOT, base);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (existsSync(join(dir, name, 'SKILL.md'))) found.push(join(dir, name, 'SKILL.md'));
  }
  return found;
}

type Yaml = string | boolean | { [k: string]: string | boolean };

/** The frontmatter subset skills use: `key: scalar` and one level of `key:` + indented `k: scalar`. */
export function parseFrontmatter(text: string): { data: Record<string, Yaml>; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
  if (!m) throw new Error('no frontmatter (the file must start with --- … ---)');
  const scalar = (raw: string): string | boolean => {
    const v = raw.trim();
    if (v === 'true' || v === 'false') return v === 'true';
    if (/^".*"$/.test(v)) return JSON.parse(v) as string;
    if (/^'.*'$/.test(v)) return v.slice(1, -1).replace(/''/g, "'");
    if (/^[>|[{&*!%@`"']/.test(v) || /: |\s#/.test(v)) throw new Error(`value needs quoting or is unsupported YAML: ${v.slice(0, 60)}`);
    return v;
  };
  const data: Record<string, Yaml> = {};
  let map: Record<string, string | boolean> | undefined;
  for (const line of m[1]!.split('\n')) {
    if (!line.trim()) continue;
    const nested = /^ {2}([A-Za-z0-9_-]+):\s*(.*)$/.exec(line);
    if (nested && map) {
      map[nested[1]!] = scalar(nested[2]!);
      continue;
    }
    const top = /^([A-Za-z0-9_-]+):\s*(.*)$/.exec(line);
    if (!top) throw new Error(`unsupported frontmatter line: ${line}`);
    if (top[2] === '') data[top[1]!] = map = {};
    else {
      data[top[1]!] = scalar(top[2]!);
      map = undefined;
    }
  }
  return { data, body: text.slice(m[0].length) };
}

/** Code the skill tells someone to run or send: fenced blocks (not ```text output) and inline spans. */
function codeOf(body: string): string[] {
  const blocks = [...body.matchAll(/```([a-z]*)\n([\s\S]*?)```/g)].filter((x) => x[1] !== 'text').map((x) => x[2]!);
  const prose = body.replace(/```[a-z]*\n[\s\S]*?```/g, '');
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((x) => x[1]!);
  return [...blocks.flatMap((b) => b.split('\n')), ...spans];
}

const TOOL_NAMES = new Set(ALL_TOOLS.map((t) => t.name));
const TOOL_LIKE = /\b(?:check|compare|decode|describe|diagnose|explain|get|predict|probe|search|simulate)_[a-z_]+[a-z]\b/g;
const SERVE_FLAGS = ['toolsets', 'read-only', 'allow-http-loopback', 'help'];
const TOP_FLAGS = ['help', 'version'];
const DIAGNOSE_FLAGS = Object.keys(ALL_TOOLS.find((t) => t.name === 'diagnose_rejection')!.input.shape).map((k) => k.replace(/_/g, '-'));
const OTHER_COMMANDS: Record<string, string[]> = { serve: SERVE_FLAGS, demo: ['scenario', 'json', 'no-color', 'help'], tools: [], help: [], snapshot: [...DIAGNOSE_FLAGS, 'help'] };
const INPUT_KEYS = new Set(ALL_TOOLS.flatMap((t) => Object.keys(t.input.shape)));

/** Problems with the jwt-triage commands and flags in these code lines. */
function commandProblems(lines: string[]): string[] {
  const problems: string[] = [];
  for (const line of lines) {
    for (const m of line.matchAll(/(?<![\w/.-])(?:jwt-triage|node dist\/cli\.js)\s+([a-z][a-z-]*|--[a-z-]+)([^|;&]*)/g)) {
      const [, command, rest] = m as unknown as [string, string, string];
      const flags = [...rest.matchAll(/(?:^|\s)--([a-z][a-z-]*)/g)].map((f) => f[1]!);
      let allowed: string[];
      if (command.startsWith('--')) {
        allowed = TOP_FLAGS;
        if (!TOP_FLAGS.includes(command.slice(2))) problems.push(`unknown top-level flag ${command} in: ${line}`);
      } else if (OTHER_COMMANDS[command]) allowed = OTHER_COMMANDS[command]!;
      else {
        const tool = ALL_TOOLS.find((t) => t.cli.command === command);
        if (!tool) {
          problems.push(`unknown command "jwt-triage ${command}" in: ${line}`);
          continue;
        }
        allowed = [...describeFields(tool.input).map((f) => f.flag), ...Object.keys(GLOBAL_FLAGS)];
      }
      for (const f of flags) if (!allowed.includes(f)) problems.push(`"jwt-triage ${command}" has no flag --${f}: ${line}`);
    }
  }
  return problems;
}

const TRIGGERS: Record<string, RegExp[]> = {
  'jwt-debug': [/401/, /403/, /\bJWTs?\b/, /JWKS/, /\bALB\b/, /X-API-Key/, /expired/, /audience/],
  'web-identity-debug': [/AssumeRoleWithWebIdentity/, /InvalidIdentityToken/, /AccessDenied/, /ExpiredTokenException/, /\bOIDC\b/, /JWKS/, /trust policy/, /IRSA/],
  'jwt-triage': [/401\/403/, /AssumeRoleWithWebIdentity/],
};

const files = skillFiles();

describe('skills', () => {
  it('has the two playbooks in skills/ and the umbrella, and no root SKILL.md (it would hide skills/ from `skills add --skill`)', () => {
    expect(files.map((f) => relative(ROOT, f)).sort()).toEqual(['.agents/skills/jwt-triage/SKILL.md', 'skills/jwt-debug/SKILL.md', 'skills/web-identity-debug/SKILL.md']);
    expect(existsSync(join(ROOT, 'SKILL.md'))).toBe(false);
  });

  describe.each(files.map((f) => [relative(ROOT, f), f] as const))('%s', (_rel, file) => {
    const text = readFileSync(file, 'utf8');
    const folder = dirname(file);
    const { data, body } = parseFrontmatter(text);
    const name = data.name as string;

    it('follows the spec: name = folder, lowercase/digits/hyphens, ≤ 64; description ≤ 1024; only allowed keys; < 500 lines', () => {
      expect(Object.keys(data).filter((k) => !ALLOWED_KEYS.includes(k))).toEqual([]);
      expect(typeof name).toBe('string');
      expect(name).toBe(folder.split('/').pop());
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(typeof data.description).toBe('string');
      expect((data.description as string).length).toBeGreaterThan(100);
      expect((data.description as string).length).toBeLessThanOrEqual(1024);
      if (data.compatibility !== undefined) expect((data.compatibility as string).length).toBeLessThanOrEqual(500);
      expect(text.split('\n').length).toBeLessThan(500);
    });

    it('says when to use it, with the words people type', () => {
      const d = data.description as string;
      for (const re of TRIGGERS[name] ?? [/./]) expect(d, String(re)).toMatch(re);
      expect(d).toMatch(/\b(use|debug)\b/i);
    });

    it('keeps metadata a map of strings, except internal: true as a YAML boolean (what hides a skill from `skills add --list`)', () => {
      if (data.metadata === undefined) return;
      expect(typeof data.metadata).toBe('object');
      for (const [k, v] of Object.entries(data.metadata as object)) expect(typeof v === 'string' || (k === 'internal' && v === true), k).toBe(true);
    });

    it('links only to files that exist, with references/ one level deep', () => {
      const links = [...body.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((x) => x[1]!).filter((l) => !/^[a-z]+:/.test(l));
      const spans = [...body.matchAll(/`(references\/[^`\s]+)`/g)].map((x) => x[1]!);
      for (const l of [...links, ...spans]) expect(existsSync(resolve(folder, l)), l).toBe(true);
      const refs = join(folder, 'references');
      if (existsSync(refs)) {
        for (const f of readdirSync(refs)) {
          expect(statSync(join(refs, f)).isFile(), `references/${f} must be a file (one level deep)`).toBe(true);
          expect(links.some((l) => l === `references/${f}`), `references/${f} is linked from SKILL.md`).toBe(true);
        }
      }
    });

    const all = [body, ...(existsSync(join(folder, 'references')) ? readdirSync(join(folder, 'references')).map((f) => readFileSync(join(folder, 'references', f), 'utf8')) : [])].join('\n');

    it('names only MCP tools, prompts and resources that exist', () => {
      const tools = [...new Set([...all.matchAll(TOOL_LIKE)].map((x) => x[0]))];
      expect(tools.filter((t) => !TOOL_NAMES.has(t))).toEqual([]);
      for (const p of all.match(/\bdebug_[a-z0-9_]+\b/g) ?? []) expect(PROMPT_NAMES as readonly string[]).toContain(p);
      for (const r of all.match(/jwt-triage:\/\/[a-z-]+/g) ?? []) expect([CODES_URI, PRECEDENCE_URI]).toContain(r);
      for (const c of all.match(/\b[A-Z]+(?:_[A-Z]+)+\b/g) ?? []) {
        if (/^(AWS_PROFILE|AWS_REGION|JWT_TRIAGE_[A-Z_]+|ISSUER_URL|TS_[A-Z_]+|INSTALL_[A-Z_]+|DISABLE_TELEMETRY|NO_COLOR|OPENCODE_[A-Z_]+)$/.test(c)) continue;
        expect(FINDING_CODES as readonly string[], `finding code ${c}`).toContain(c);
      }
      for (const prefix of all.match(/`([A-Z]+)_\*`/g) ?? []) expect(FINDING_CODES.some((c) => c.startsWith(prefix.slice(1, -2))), prefix).toBe(true);
    });

    it('says truly which tools the server lists by default', () => {
      for (const m of all.matchAll(/default tool list[^.]*\./gs)) {
        const named = m[0].match(TOOL_LIKE) ?? [];
        expect(named.length).toBeGreaterThan(0);
        for (const n of named) expect(ALL_TOOLS.find((t) => t.name === n)?.toolsets, n).toContain('default');
      }
    });

    it('runs only CLI commands and flags that exist', () => {
      expect(commandProblems(codeOf(all))).toEqual([]);
    });

    it('sends MCP arguments that some tool takes, and presets that exist', () => {
      for (const span of codeOf(all).filter((s) => /^\{.*\}$/.test(s.trim()))) {
        let obj: Record<string, unknown>;
        try {
          obj = JSON.parse(span) as Record<string, unknown>;
        } catch {
          continue; // a config snippet with placeholders, not call arguments
        }
        for (const k of Object.keys(obj)) if (!['mcpServers'].includes(k)) expect(INPUT_KEYS.has(k), `argument ${k} in ${span}`).toBe(true);
        if (typeof obj.preset === 'string') expect(PRESETS as readonly string[]).toContain(obj.preset);
      }
    });

    it('never asks for a pasted token: tokens by file or env var only', () => {
      expect(all).toMatch(/never ask (the user )?to paste/i);
      expect(all).toMatch(/token_file|--token-file/);
      for (const line of codeOf(all)) {
        expect(line, 'no inline --token flag').not.toMatch(/--token\s/);
        expect(line, 'no inline "token" argument').not.toMatch(/"token"\s*:/);
      }
    });
  });

  it('says what is right where the old guides were wrong', () => {
    const jwt = readFileSync(join(ROOT, 'skills/jwt-debug/references/opencode-stack.md'), 'utf8') + readFileSync(join(ROOT, 'skills/jwt-debug/SKILL.md'), 'utf8');
    expect(jwt).toMatch(/fixed-response \*\*403\*\*/);
    expect(jwt).toMatch(/403, not 401/);
    expect(jwt).toMatch(/\| 10 \| `X-API-Key: oc_\*`/);
    expect(jwt).toMatch(/API Gateway/);
    expect(jwt).toMatch(/ALB access logs go to \*\*S3\*\*/);
    expect(jwt).toMatch(/ECS task\s+definition/);
    const sts = readFileSync(join(ROOT, 'skills/web-identity-debug/SKILL.md'), 'utf8');
    expect(sts).toMatch(/AccessDenied[^\n]*\n?[^\n]*\*\*trust\s+policy\*\*/);
  });

  it('the checker itself catches an unknown command, an unknown flag and a wrong tool name', () => {
    expect(commandProblems(['jwt-triage diagnose --no-such-flag x'])).toHaveLength(1);
    expect(commandProblems(['jwt-triage frobnicate'])).toHaveLength(1);
    expect(commandProblems(['jwt-triage diagnose --token-file x --preset sts', 'node dist/cli.js serve --toolsets all', 'jwt-triage --version'])).toEqual([]);
    expect('check_tokens_time'.match(TOOL_LIKE)?.every((t) => TOOL_NAMES.has(t))).toBe(false);
    expect(findTool('diagnose')?.name).toBe('diagnose_rejection');
  });
});
