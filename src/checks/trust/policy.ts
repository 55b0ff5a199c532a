/**
 * An IAM trust policy document, normalized: every statement with its Effect, Principal /
 * NotPrincipal, Action / NotAction and Condition values as string lists. Pure; the document
 * arrives already decoded (sources/aws/iam.ts URL-decodes what GetRole returns).
 */

import { MAX_NESTING, tooDeep } from '../../depth.js';

export interface TrustStatement {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** `'*'` for `"Principal": "*"`, else principal type → values. */
  principal?: '*' | Record<string, string[]>;
  notPrincipal?: '*' | Record<string, string[]>;
  action?: string[];
  notAction?: string[];
  /** operator → key → values, as written. */
  condition: Record<string, Record<string, string[]>>;
}

export type ParsedPolicy = { ok: true; statements: TrustStatement[] } | { ok: false; problem: string };

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function principalOf(v: unknown): '*' | Record<string, string[]> | undefined {
  if (v === undefined) return undefined;
  if (v === '*') return '*';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, vals]) => [k, list(vals)]));
}

function conditionOf(v: unknown): Record<string, Record<string, string[]>> {
  if (typeof v !== 'object' || v === null) return {};
  const out: Record<string, Record<string, string[]>> = {};
  for (const [op, block] of Object.entries(v as Record<string, unknown>)) {
    if (typeof block !== 'object' || block === null) continue;
    out[op] = Object.fromEntries(Object.entries(block as Record<string, unknown>).map(([k, vals]) => [k, list(vals)]));
  }
  return out;
}

/**
 * A policy document as IAM's GetRole returns it is URL-encoded (`%7B%22Version…`); decode it.
 * A malformed escape is a problem to report, never "URI malformed".
 */
function urlDecoded(text: string): { ok: true; text: string } | { ok: false; problem: string } {
  const t = text.trim();
  if (!/^%7b/i.test(t)) return { ok: true, text };
  try {
    return { ok: true, text: decodeURIComponent(t) };
  } catch {
    const bad = /%(?![0-9a-f]{2})|%[89a-f][0-9a-f](?!%)/i.exec(t);
    return { ok: false, problem: `The trust policy looks URL-encoded but has a malformed escape${bad ? ` at character ${bad.index}` : ''}; pass it decoded (plain JSON) or exactly as GetRole returns it.` };
  }
}

export function parseTrustPolicy(doc: unknown): ParsedPolicy {
  let d = doc;
  if (typeof d === 'string') {
    const decoded = urlDecoded(d);
    if (!decoded.ok) return decoded;
    try {
      d = JSON.parse(decoded.text);
    } catch {
      return { ok: false, problem: 'The trust policy is not JSON.' };
    }
  }
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return { ok: false, problem: 'The trust policy is not a JSON object.' };
  if (tooDeep(d)) return { ok: false, problem: `The trust policy is nested more than ${MAX_NESTING} levels deep; IAM policies never are.` };
  const raw = (d as Record<string, unknown>).Statement;
  if (raw === undefined) return { ok: false, problem: 'The trust policy has no "Statement".' };
  const items = Array.isArray(raw) ? raw : [raw];
  const statements: TrustStatement[] = [];
  for (const [index, s] of items.entries()) {
    if (typeof s !== 'object' || s === null) return { ok: false, problem: `Statement ${index} is not an object.` };
    const st = s as Record<string, unknown>;
    if (st.Effect !== 'Allow' && st.Effect !== 'Deny') return { ok: false, problem: `Statement ${index} has Effect ${JSON.stringify(st.Effect)}; IAM accepts only "Allow" or "Deny".` };
    const out: TrustStatement = { index, effect: st.Effect, condition: conditionOf(st.Condition) };
    if (typeof st.Sid === 'string') out.sid = st.Sid;
    const p = principalOf(st.Principal);
    if (p !== undefined) out.principal = p;
    const np = principalOf(st.NotPrincipal);
    if (np !== undefined) out.notPrincipal = np;
    if (st.Action !== undefined) out.action = list(st.Action);
    if (st.NotAction !== undefined) out.notAction = list(st.NotAction);
    statements.push(out);
  }
  return { ok: true, statements };
}
