/**
 * The one way a failed source becomes a finding. A SourceError is classified by its code:
 * AWS errors by kind (credentials, region, denied, throttled, timeout…), fetch errors as
 * "could not fetch X" under the caller's finding code, kubectl errors as the cluster being
 * unreachable. A file the caller named that cannot be read is a usage error instead (inputError).
 * Anything that is not a SourceError is a bug and is rethrown.
 */
import { clusterUnreachable } from '../checks/bridge/cluster.js';
import type { FindingCode } from '../checks/codes.js';
import { error, type Finding } from '../checks/finding.js';
import { awsFailure, fetchFailure, type SourceFailure } from '../checks/source-failure.js';
import { SourceError, UsageError } from '../sources/errors.js';

export interface FailureAs {
  /** For fetch failures: the finding code ("could not fetch X") and what X is. */
  fetch?: { code: FindingCode; what: string } | undefined;
  /** For kubectl failures: what was being read. */
  kube?: string | undefined;
  /** For AWS failures: the profile to name in the fix. */
  profile?: string | undefined;
}

export function asFailure(e: unknown): SourceFailure {
  if (e instanceof SourceError) return { code: e.code, message: e.message, facts: e.facts };
  throw e;
}

/** The source answered that the thing does not exist (AWS NotFound kinds): often a finding of its own. */
export function isNotFound(e: unknown): boolean {
  return e instanceof SourceError && e.facts.kind === 'not_found';
}

/** A file the caller named (a JWKS, a snapshot) could not be read: a usage error with the fix, not a finding. */
export function inputError(e: unknown, fix: string): UsageError {
  return new UsageError(asFailure(e).message, fix);
}

export function failureFinding(e: unknown, as: FailureAs = {}): Finding {
  const f = asFailure(e);
  // A replayed snapshot that lacks a fact: said as such, never as a network failure.
  if (f.code === 'SOURCE_BLOCKED' && typeof f.facts?.key === 'string') {
    return error('CHECK_NOT_RUN', { title: f.message, detail: 'The snapshot was taken without this fact (another preset, inputs or an earlier version); nothing is claimed about it.', evidence: { key: f.facts.key }, fix: 'Take the snapshot again with the same inputs as the diagnosis (jwt-triage snapshot …).' });
  }
  if (f.code === 'SOURCE_AWS') return awsFailure(f, { profile: as.profile });
  if (f.code.startsWith('SOURCE_KUBECTL')) return clusterUnreachable(f, as.kube ?? 'Reading the cluster');
  return fetchFailure(as.fetch?.code ?? 'DISCOVERY_UNREACHABLE', as.fetch?.what ?? 'The document', f);
}

/** Runs one source call: its value, or undefined with the failure's finding pushed to `findings`. */
export async function attempt<T>(findings: Finding[], fn: () => Promise<T>, as: FailureAs = {}): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    findings.push(failureFinding(e, as));
    return undefined;
  }
}
