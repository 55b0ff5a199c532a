/**
 * The diagnosis as a person reads it: the summary box (one line per section: ✓ what holds,
 * ✗ what fails, ! a warning, – not checked, ? could not check), then `Diagnosis:` and `Fix:`,
 * then what else failed, could not be checked, or warns. Plain text; the CLI colours the marks.
 */
import { worstFirst, type Finding } from '../checks/finding.js';
import type { Ranked } from './rank.js';
import type { Section } from './types.js';

const MARK: Record<Finding['status'], string> = { pass: '✓', fail: '✗', warn: '!', skip: '–', error: '?' };
const RULE = '─'.repeat(40);

/** The section's status: its worst finding's (a section with nothing in it was not checked). */
export function sectionStatus(s: Section): Finding['status'] {
  // A check that did not apply (skip) does not hide what was checked: skip only when nothing else ran.
  const ran = s.findings.filter((f) => f.status !== 'skip');
  return worstFirst(ran.length ? ran : s.findings)[0]?.status ?? 'skip';
}

export interface SectionRow {
  label: string;
  status: Finding['status'];
  /** What holds (a passing section), else its worst finding's title. */
  line?: string | undefined;
  /** A failing, warning or could-not-check section: its worst finding's code. */
  code?: string | undefined;
}

/** The summary box's rows: a passing section reads as what holds, never as a code's name. */
export function sectionRows(sections: readonly Section[]): SectionRow[] {
  return sections.map((s) => {
    const status = sectionStatus(s);
    const worst = worstFirst(s.findings.filter((f) => f.status === status))[0];
    const line = status === 'pass' ? (s.line ?? worst?.title) : (worst?.title ?? 'not checked');
    const code = status === 'fail' || status === 'warn' || status === 'error' ? worst?.code : undefined;
    return { label: s.label, status, ...(line ? { line } : {}), ...(code ? { code } : {}) };
  });
}

/**
 * The rows as the diagnosis returns them: a row whose worst finding is listed (root cause or
 * findings) names its code instead of repeating the finding's title; the box renders the title.
 */
export function compactRows(rows: readonly SectionRow[], listed: ReadonlySet<string>): SectionRow[] {
  return rows.map(({ label, status, line, code }) => (code && listed.has(code) ? { label, status, code } : { label, status, ...(line ? { line } : {}) }));
}

/** A one-sentence summary: the root cause, or that nothing explains a rejection (and what was not checked). */
export function summarize(ranked: Ranked, rows: readonly SectionRow[]): string {
  const { root, errors, likely } = ranked;
  if (root) return `${likely ? 'Likely cause — ' : ''}${root.code}: ${root.title.replace(/\.$/, '')}.`;
  const notRun = rows.filter((s) => s.status === 'skip').map((s) => s.label);
  if (errors.length) return `Nothing found that explains a rejection, but ${errors.length} check(s) could not run (${[...new Set(errors.map((e) => e.code))].join(', ')}).`;
  return `Nothing found that explains a rejection in what was checked${notRun.length ? ` (not checked: ${notRun.join(', ')})` : ''}.`;
}

export function renderDiagnosis(rows: readonly SectionRow[], ranked: Ranked, heading = 'jwt-triage diagnosis'): string {
  const width = Math.max(...rows.map((s) => s.label.length), 10);
  const lines = [heading, RULE];
  const titles = new Map<string, string>();
  for (const f of [...(ranked.root ? [ranked.root] : []), ...ranked.also, ...ranked.errors, ...ranked.warnings]) if (!titles.has(f.code)) titles.set(f.code, f.title);
  for (const s of rows) lines.push(`${s.label.padEnd(width)} ${MARK[s.status]} ${s.line ?? (s.code ? (titles.get(s.code) ?? s.code) : '')}`.trimEnd());
  lines.push(RULE);
  const { root, also, warnings, likely } = ranked;
  const errors = ranked.errors.filter((e) => e !== root);
  if (root) {
    lines.push(`Diagnosis${likely ? ' (likely: it could not be fetched from here either)' : ''}: ${root.code} — ${root.title.replace(/\.$/, '')}.`);
    if (root.detail) lines.push(`  ${root.detail}`);
    if (root.fix) lines.push(`Fix: ${root.fix}`);
  } else {
    lines.push(`Diagnosis: ${summarize(ranked, rows)}`);
  }
  // A finding whose title a row already shows is named by its row, not repeated.
  const rowOf = new Map(rows.filter((r) => r.code).map((r) => [r.code!, r.label]));
  const named = (f: Finding) => `${f.code} (${rowOf.has(f.code) && titles.get(f.code) === f.title ? `see ${rowOf.get(f.code)}` : f.title})`;
  if (also.length) lines.push(`Also failing: ${also.map(named).join('; ')}`);
  if (errors.length) lines.push(`Could not check: ${errors.map(named).join('; ')}`);
  if (warnings.length) lines.push(`Warnings: ${warnings.map(named).join('; ')}`);
  return lines.join('\n');
}
