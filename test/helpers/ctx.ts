/** Runs a tool the way the server does (validate, handle, redact), with a frozen clock. */
import type { AnyTool } from '../../src/tools/define.js';
import { findTool } from '../../src/tools/index.js';
import { runTool, type RunOptions } from '../../src/tools/run.js';
import { NOW_DATE } from './tokens.js';

export async function run(name: string, input: Record<string, unknown>, opts: RunOptions = {}) {
  const tool = findTool(name) as AnyTool | undefined;
  if (!tool) throw new Error(`no tool ${name}`);
  return runTool(tool, input, { now: NOW_DATE, ...opts });
}

/** Like run(), but fails the test unless the tool succeeded; returns the output. */
export async function runOk(name: string, input: Record<string, unknown>, opts: RunOptions = {}) {
  const r = await run(name, input, opts);
  if (!r.ok) throw new Error(`${name} failed (${r.kind}): ${r.message}`);
  return r as Extract<typeof r, { ok: true }>;
}

/** Codes of the findings with the given status. */
export function codes(output: Record<string, unknown>, status: string = 'fail'): string[] {
  // A diagnosis lists its root cause once, in root_cause, and the rest in findings.
  const root = output.root_cause as { code: string; status: string } | null | undefined;
  return [...(root ? [root] : []), ...((output.findings as Array<{ code: string; status: string }>) ?? [])].filter((f) => f.status === status).map((f) => f.code);
}
