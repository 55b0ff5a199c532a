/**
 * The precedence as published (the `jwt-triage://precedence` resource and the README): which
 * failure explains which (PRECEDENCE), and the order that decides among the rest (CAUSAL_ORDER),
 * both from ./rank.ts — the code the diagnosis ranks with.
 */
import { FINDING_DOCS } from '../checks/codes.js';
import { CAUSAL_ORDER, PRECEDENCE } from './rank.js';

export interface PrecedenceRow {
  /** 1 = considered first among failures nothing else explains. */
  rank: number;
  code: string;
  meaning: string;
}

export function precedenceTable(): { pairs: Array<{ cause: string; explains: string[]; why: string }>; order: PrecedenceRow[] } {
  return {
    pairs: PRECEDENCE.map((p) => ({ cause: p.cause, explains: [...p.explains], why: p.why })),
    order: CAUSAL_ORDER.map((code, i) => ({ rank: i + 1, code, meaning: FINDING_DOCS[code] })),
  };
}

/** How the table is used, for the resource's readers. */
export const PRECEDENCE_NOTE =
  'diagnose_rejection never names as root cause a failure that a listed cause explains when that cause fails too (pairs); among the failures nothing ' +
  'explains, the one earliest in `order` is the root cause and the others are listed as "also". Failing codes not in `order` rank after it, in ' +
  'the order the checks ran. When nothing fails, an unreachable discovery document or JWKS is reported as the likely cause.';
