/**
 * The diagnosis summary: one line per section (its worst finding), then the root cause and
 * its fix, then what else failed. Plain text; the CLI colours the marks.
 */
import { worstFirst, type Finding } from '../checks/finding.js';
import type { PlaybookResult, Section } from './playbook.js';

const MARK: Record<Finding['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '-', error: '?' };
const RULE = '─'.repeat(64);

function sectionLine(s: Section, width: number): string {
  const worst = worstFirst(s.findings)[0];
  const mark = worst ? MARK[worst.status] : '-';
  const what = worst && worst.status !== 'pass' ? worst.title : (s.line ?? worst?.title ?? 'not checked');
  return `${s.label.padEnd(width)} ${mark} ${what}`;
}

/** A one-sentence summary: the root cause, or that nothing explains a rejection. */
export function summarize(result: PlaybookResult): string {
  const { root, errors, likely } = result.ranked;
  if (root) return `${likely ? 'Likely cause — ' : ''}${root.code}: ${root.title}.`;
  if (errors.length) return `Nothing found that explains a rejection, but ${errors.length} check(s) could not run (${errors.map((e) => e.code).join(', ')}).`;
  return 'Nothing found that explains a rejection: the token, its claims, discovery and keys all check out.';
}

export function renderDiagnosis(result: PlaybookResult, heading = 'jwt-triage diagnosis'): string {
  const width = Math.max(...result.sections.map((s) => s.label.length), 10);
  const lines = [heading, RULE];
  for (const s of result.sections) lines.push(sectionLine(s, width));
  lines.push(RULE);
  const { root, also, warnings, likely } = result.ranked;
  const errors = result.ranked.errors.filter((e) => e !== root);
  if (root) {
    lines.push(`Diagnosis${likely ? ' (likely: it could not be fetched from here either)' : ''}: ${root.code} — ${root.title}.`);
    if (root.detail) lines.push(`  ${root.detail}`);
    if (root.fix) lines.push(`Fix: ${root.fix}`);
  } else {
    lines.push(`Diagnosis: ${summarize(result)}`);
  }
  if (also.length) lines.push(`Also failing: ${also.map((f) => `${f.code} (${f.title})`).join('; ')}`);
  if (errors.length) lines.push(`Could not check: ${errors.map((f) => `${f.code} (${f.detail || f.title})`).join('; ')}`);
  if (warnings.length) lines.push(`Warnings: ${warnings.map((f) => `${f.code} (${f.title})`).join('; ')}`);
  return lines.join('\n');
}
