/**
 * A finding is data: what one check concluded about one condition.
 *
 * `code` names the condition that was checked (e.g. TOKEN_EXPIRED); `status` says
 * what was found: `fail` the condition is present and explains a rejection, `warn`
 * suspicious or fragile, `pass` checked and not present, `skip` not applicable with
 * the facts given, `error` could not be checked (a source failed).
 */
import { z } from 'zod';
import type { FindingCode } from './codes.js';

export const FINDING_STATUSES = ['pass', 'fail', 'warn', 'skip', 'error'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export type Evidence = Record<string, unknown>;

export interface Finding {
  code: FindingCode;
  status: FindingStatus;
  title: string;
  detail: string;
  evidence: Evidence;
  fix?: string;
}

/**
 * The finding shape as tools publish it. `code` is a plain string here (the closed set is
 * FINDING_CODES, documented once in the `jwt-triage://codes` resource): expanding the enum in
 * every tool's output schema made tools/list four times larger.
 */
export const findingSchema = z.object({
  code: z.string(),
  status: z.enum(FINDING_STATUSES),
  title: z.string(),
  detail: z.string(),
  evidence: z.record(z.string(), z.unknown()),
  fix: z.string().optional(),
});

interface FindingInit {
  title: string;
  detail?: string;
  evidence?: Evidence;
  fix?: string;
}

function make(status: FindingStatus) {
  return (code: FindingCode, init: FindingInit): Finding => {
    const f: Finding = { code, status, title: init.title, detail: init.detail ?? '', evidence: init.evidence ?? {} };
    if (init.fix !== undefined) f.fix = init.fix;
    return f;
  };
}

/** Finding builders: `fail('TOKEN_EXPIRED', { title, detail, evidence, fix })`. */
export const pass = make('pass');
export const fail = make('fail');
export const warn = make('warn');
export const skip = make('skip');
export const error = make('error');

const SEVERITY: Record<FindingStatus, number> = { fail: 4, error: 3, warn: 2, skip: 1, pass: 0 };

/** Orders findings worst first, keeping the checks' own order within a status. */
export function worstFirst(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => [f, i] as const)
    .sort((a, b) => SEVERITY[b[0].status] - SEVERITY[a[0].status] || a[1] - b[1])
    .map(([f]) => f);
}

export type Verdict = 'pass' | 'fail' | 'error';

/** The overall verdict of a set of findings: any fail → fail; else any error → error; else pass. */
export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((f) => f.status === 'fail')) return 'fail';
  if (findings.some((f) => f.status === 'error')) return 'error';
  return 'pass';
}
