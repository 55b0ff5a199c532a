/**
 * An IAM trust policy document, normalized: every statement with its Effect, Principal /
 * NotPrincipal, Action / NotAction and Condition values as string lists. Pure; the document
 * arrives already decoded (sources/iam.ts URL-decodes what GetRole returns).
 */

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

export function parseTrustPolicy(doc: unknown): ParsedPolicy {
  let d = doc;
  if (typeof d === 'string') {
    try {
      d = JSON.parse(d);
    } catch {
      return { ok: false, problem: 'The trust policy is not JSON.' };
    }
  }
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return { ok: false, problem: 'The trust policy is not a JSON object.' };
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
