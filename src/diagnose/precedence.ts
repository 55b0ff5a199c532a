/**
 * The precedence table as published (the `jwt-triage://precedence` resource): which failure
 * explains which. Read through this one function so its source can change (today: CAUSAL_ORDER
 * in ./rank.ts) without touching the server.
 */
import { FINDING_DOCS } from '../checks/codes.js';
import { CAUSAL_ORDER } from './rank.js';

export interface PrecedenceRow {
  /** 1 = considered first: a failure here explains failures further down. */
  rank: number;
  code: string;
  meaning: string;
}

export function precedenceTable(): PrecedenceRow[] {
  return CAUSAL_ORDER.map((code, i) => ({ rank: i + 1, code, meaning: FINDING_DOCS[code] }));
}

/** How the table is used, for the resource's readers. */
export const PRECEDENCE_NOTE =
  'diagnose_rejection names as root cause the failing finding that comes first in this table; the other failures are listed as "also". ' +
  'Failing codes not in the table rank after it, in the order the checks ran. When nothing fails, an unreachable discovery document or JWKS is reported as the likely cause.';
