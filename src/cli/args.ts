/**
 * CLI flags derived from a tool's zod input schema: `token_file` → `--token-file`,
 * booleans → flags, numbers parsed, arrays repeatable (or comma-separated), objects as JSON.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { UsageError } from '../sources/errors.js';

export type FieldKind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'enum';

export interface FieldInfo {
  key: string;
  flag: string;
  kind: FieldKind;
  description: string;
  required: boolean;
  choices?: string[];
  defaultValue?: unknown;
}

interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  entries?: Record<string, string>;
}

const defOf = (s: z.ZodType) => (s as unknown as { def: Def }).def;

export function describeFields(schema: z.ZodObject): FieldInfo[] {
  return Object.entries(schema.shape).map(([key, field]) => {
    let s = field as z.ZodType;
    let required = true;
    let defaultValue: unknown;
    const description = s.description ?? '';
    for (let def = defOf(s); def.type === 'optional' || def.type === 'default' || def.type === 'nullable'; def = defOf(s)) {
      if (def.type !== 'nullable') required = false;
      if (def.type === 'default') defaultValue = typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
      s = def.innerType!;
    }
    const t = defOf(s).type;
    const kind: FieldKind =
      t === 'boolean' ? 'boolean' : t === 'number' || t === 'int' ? 'number' : t === 'array' ? 'array' : t === 'enum' ? 'enum' : t === 'object' || t === 'record' ? 'object' : 'string';
    const info: FieldInfo = { key, flag: key.replace(/_/g, '-'), kind, description: description || (s.description ?? ''), required };
    if (kind === 'enum') info.choices = Object.values(defOf(s).entries ?? {});
    if (defaultValue !== undefined) info.defaultValue = defaultValue;
    return info;
  });
}

export const GLOBAL_FLAGS = {
  json: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'allow-http-loopback': { type: 'boolean' },
  timeout: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export interface ParsedCommand {
  input: Record<string, unknown>;
  globals: { json: boolean; noColor: boolean; help: boolean; allowHttpLoopback: boolean; timeoutMs?: number };
}

/** Parses argv for one tool command. Throws UsageError naming the bad flag and the fix. */
export function parseToolArgs(argv: string[], fields: FieldInfo[], command: string, positional?: string): ParsedCommand {
  const options: NonNullable<ParseArgsConfig['options']> = { ...GLOBAL_FLAGS };
  for (const f of fields) {
    if (f.flag in options) continue;
    options[f.flag] = f.kind === 'boolean' ? { type: 'boolean' } : f.kind === 'array' ? { type: 'string', multiple: true } : { type: 'string' };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, '.'), `See: jwt-triage ${command} --help`);
  }
  const v = parsed.values as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const f of fields) {
    const raw = v[f.flag];
    if (raw === undefined) continue;
    input[f.key] = convert(f, raw, command);
  }
  if (parsed.positionals.length > 0) {
    if (!positional || parsed.positionals.length > 1) {
      throw new UsageError(`Unexpected argument "${parsed.positionals.join(' ')}".`, `See: jwt-triage ${command} --help`);
    }
    const f = fields.find((x) => x.key === positional);
    if (f && input[f.key] === undefined) input[f.key] = convert(f, parsed.positionals[0]!, command);
  }
  const timeout = v.timeout as string | undefined;
  let timeoutMs: number | undefined;
  if (timeout !== undefined) {
    timeoutMs = Number(timeout);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 120000) throw new UsageError(`--timeout must be milliseconds between 1 and 120000, not "${timeout}".`, 'e.g. --timeout 5000');
  }
  return {
    input,
    globals: {
      json: v.json === true,
      noColor: v['no-color'] === true,
      help: v.help === true,
      allowHttpLoopback: v['allow-http-loopback'] === true,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    },
  };
}

function convert(f: FieldInfo, raw: unknown, command: string): unknown {
  const bad = (what: string) => new UsageError(`--${f.flag} ${what}.`, `See: jwt-triage ${command} --help`);
  switch (f.kind) {
    case 'boolean':
      return raw === true;
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n)) throw bad(`takes a number, not "${String(raw)}"`);
      return n;
    }
    case 'array':
      return (raw as string[]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    case 'object':
      try {
        const o = JSON.parse(String(raw)) as unknown;
        if (!o || typeof o !== 'object' || Array.isArray(o)) throw new Error('not an object');
        return o;
      } catch {
        throw bad(`takes a JSON object, e.g. '{"name":"value"}'`);
      }
    case 'enum':
      if (f.choices && !f.choices.includes(String(raw))) throw bad(`must be one of ${f.choices.join(', ')}`);
      return String(raw);
    default:
      return String(raw);
  }
}
