import keyTools from '../../src/tools/keys.js';
import { runTool, type RunOptions } from '../../src/tools/run.js';
import { NOW_DATE } from '../helpers/tokens.js';
export async function run(name: string, input: Record<string, unknown>, opts: RunOptions = {}) {
  const tool = keyTools.find((t) => t.name === name)!;
  return runTool(tool, input, { now: NOW_DATE, ...opts });
}
export async function runOk(name: string, input: Record<string, unknown>, opts: RunOptions = {}) {
  const r = await run(name, input, opts);
  if (!r.ok) throw new Error(`${name} failed (${r.kind}): ${r.message}`);
  return r as Extract<typeof r, { ok: true }>;
}
export function codes(output: Record<string, unknown>, status: string = 'fail'): string[] {
  return ((output.findings as Array<{ code: string; status: string }>) ?? []).filter((f) => f.status === status).map((f) => f.code);
}
