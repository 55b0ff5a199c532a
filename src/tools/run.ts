/**
 * Runs one tool for the server or the CLI: validate input, handle, validate output,
 * redact, render. Errors become a redacted message; nothing here throws.
 */
import { z } from 'zod';
import { verdictOf, worstFirst, type Finding } from '../checks/finding.js';
import { Redactor } from '../redact.js';
import { DEFAULT_HTTP_POLICY, type HttpPolicy } from '../sources/http.js';
import { SourceError, UsageError } from '../sources/errors.js';
import type { AnyTool, ToolContext } from './define.js';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  signal?: AbortSignal;
  http?: Partial<HttpPolicy>;
  progress?: ToolContext['progress'];
  /** Fixed clock (tests). */
  now?: Date;
}

export type RunResult =
  | { ok: true; output: Record<string, unknown>; text: string; verdict: 'pass' | 'fail' | 'error' }
  | { ok: false; kind: 'usage' | 'source' | 'internal'; message: string };

const STATUS_MARK: Record<Finding['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '-', error: '?' };

/** The human text: the tool's own lines, then findings worst first, each with its fix. */
export function renderText(tool: AnyTool, output: Record<string, unknown>): string {
  const lines: string[] = [];
  const own = tool.text?.(output) ?? [];
  if (tool.textReplacesFindings && own.length) return own.join('\n');
  lines.push(String(output.summary ?? ''));
  if (own.length) lines.push('', ...own);
  const findings = (output.findings as Finding[] | undefined) ?? [];
  if (findings.length) {
    lines.push('');
    for (const f of worstFirst(findings)) {
      lines.push(`${STATUS_MARK[f.status]} ${f.code}: ${f.title}`);
      if (f.status !== 'pass' && f.detail) lines.push(`    ${f.detail}`);
      if (f.status !== 'pass' && f.fix) lines.push(`    fix: ${f.fix}`);
    }
  }
  return lines.join('\n');
}

function describeZodError(err: z.ZodError): string {
  return err.issues
    .map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`)
    .join('; ');
}

export async function runTool(tool: AnyTool, rawInput: unknown, opts: RunOptions = {}): Promise<RunResult> {
  const redactor = new Redactor();
  // Anything in the input that looks secret is known before the handler runs.
  scanInputForSecrets(rawInput, redactor);
  const parsed = tool.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    return { ok: false, kind: 'usage', message: redactor.text(`Invalid input for ${tool.name}: ${describeZodError(parsed.error)}`) };
  }
  const ctx: ToolContext = {
    now: opts.now ?? new Date(),
    env: opts.env ?? process.env,
    cwd: opts.cwd ?? process.cwd(),
    signal: opts.signal ?? new AbortController().signal,
    http: { ...DEFAULT_HTTP_POLICY, ...opts.http },
    // Progress messages leave through the redactor too (a URL with userinfo, a query token…).
    progress: (value, total, message) => opts.progress?.(value, total, message === undefined ? undefined : redactor.text(message)),
    secret: (value, label) => void redactor.add(value, label),
    memo: new Map(),
  };
  try {
    const out = (await tool.handle(parsed.data, ctx)) as Record<string, unknown>;
    // The verdict is derived here, once, from the findings: a handler cannot get it wrong.
    if (Array.isArray(out.findings)) out.verdict = verdictOf(allFindings(out));
    const safe = redactor.redact(out) as Record<string, unknown>;
    const checked = tool.output.safeParse(safe);
    if (!checked.success) {
      return { ok: false, kind: 'internal', message: `Internal error: ${tool.name} produced output that does not match its schema (${describeZodError(checked.error)}). Please report this.` };
    }
    const output = checked.data as Record<string, unknown>;
    return { ok: true, output, text: redactor.text(renderText(tool, output)), verdict: verdictOf(allFindings(output)) };
  } catch (e) {
    if (e instanceof UsageError) {
      return { ok: false, kind: 'usage', message: redactor.text(e.fix ? `${e.message} ${e.fix}` : e.message) };
    }
    if (e instanceof SourceError) {
      return { ok: false, kind: 'source', message: redactor.text(`${e.message} (${e.code})`) };
    }
    const err = e as Error;
    return { ok: false, kind: 'internal', message: redactor.text(`Internal error in ${tool.name}: ${err?.message ?? String(e)}`) };
  }
}

/** Registers inline secrets (a `token`, `api_key`…) from the raw input before anything else runs. */
function scanInputForSecrets(input: unknown, redactor: Redactor): void {
  if (!input || typeof input !== 'object') return;
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (typeof v !== 'string') continue;
    if (/^(token|api_key|secret)$/i.test(k)) redactor.add(v, k === 'token' ? 'token' : 'secret');
  }
}

/** A result's findings: `findings`, and a root cause listed apart from them (diagnose_rejection). */
function allFindings(out: Record<string, unknown>): Finding[] {
  const root = out.root_cause as Finding | null | undefined;
  return [...(root && typeof root === 'object' ? [root] : []), ...((out.findings as Finding[] | undefined) ?? [])];
}
