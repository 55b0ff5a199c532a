/**
 * IAM condition operators, evaluated the way IAM does, for one condition key.
 *
 *   evaluateOperator(operator, policyValues, requestValues) → true | false | 'unknown'
 *
 * - `operator` is the full name from the policy: an optional set qualifier (`ForAnyValue:` /
 *   `ForAllValues:`), a base operator, an optional `IfExists` suffix (e.g.
 *   `ForAnyValue:StringLikeIfExists`).
 * - Several policy values are OR-ed; for a negated operator (`StringNotEquals`, `StringNotLike`…)
 *   the request value must match NONE of them (NOR).
 * - `requestValues` undefined = the key is absent from the request: positive operators are
 *   false, negated ones true, `…IfExists` true, `ForAllValues:` true, `ForAnyValue:` false.
 * - A multi-valued key under a single-valued operator matches when any value matches
 *   (negated: when no value matches) — IAM's advice is to use a set qualifier there.
 * - Values are case-sensitive except in the `IgnoreCase` operators; `StringLike` knows `*`
 *   (any run of characters) and `?` (one character). Keys are matched case-insensitively by
 *   the caller. Operators outside the string family and `Null` evaluate to 'unknown' when the
 *   key is present.
 */

export type Tri = boolean | 'unknown';

export const STRING_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
] as const;

export interface ParsedOperator {
  qualifier: 'ForAnyValue' | 'ForAllValues' | undefined;
  base: string;
  ifExists: boolean;
  negated: boolean;
  known: boolean;
}

export function parseOperator(operator: string): ParsedOperator {
  const m = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/i.exec(operator.trim());
  const q = m?.[1]?.toLowerCase();
  const rawBase = m?.[2] ?? operator;
  const canonical = [...STRING_OPERATORS, 'Null'].find((o) => o.toLowerCase() === rawBase.toLowerCase());
  const base = canonical ?? rawBase;
  return {
    qualifier: q === 'foranyvalue' ? 'ForAnyValue' : q === 'forallvalues' ? 'ForAllValues' : undefined,
    base,
    ifExists: m?.[3] !== undefined,
    negated: /Not/.test(base),
    known: canonical !== undefined,
  };
}

/** `StringLike` glob: `*` any run (also empty), `?` exactly one character; everything else literal. */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${re}$`).test(value);
}

/** The positive form of a string operator on one request value and one policy value. */
function matchOne(base: string, value: string, pattern: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return value === pattern;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return value.toLowerCase() === pattern.toLowerCase();
    default:
      return globMatch(pattern, value);
  }
}

/** One request value against all policy values: OR for positive operators, NOR for negated ones. */
function single(op: ParsedOperator, value: string, policyValues: readonly string[]): boolean {
  const any = policyValues.some((p) => matchOne(op.base, value, p));
  return op.negated ? !any : any;
}

export function evaluateOperator(operator: string, policyValues: readonly string[], requestValues: readonly string[] | undefined): Tri {
  const op = parseOperator(operator);
  const present = requestValues !== undefined && requestValues.length > 0;
  if (op.base === 'Null') {
    // "true" → the key must be absent; "false" → present. Several values OR.
    return policyValues.some((p) => (p.toLowerCase() === 'true' ? !present : present));
  }
  if (!present) {
    if (op.ifExists) return true;
    if (op.qualifier === 'ForAllValues') return true;
    if (op.qualifier === 'ForAnyValue') return false;
    return op.negated;
  }
  if (!op.known) return 'unknown';
  const values = requestValues as readonly string[];
  if (op.qualifier === 'ForAllValues') return values.every((v) => single(op, v, policyValues));
  if (op.qualifier === 'ForAnyValue') return values.some((v) => single(op, v, policyValues));
  const any = values.some((v) => policyValues.some((p) => matchOne(op.base, v, p)));
  return op.negated ? !any : any;
}

/** A `*` in a StringEquals-family value is a literal star: it never matches a wildcard's way. */
export function literalWildcards(operator: string, policyValues: readonly string[]): string[] {
  const op = parseOperator(operator);
  if (!op.known || op.base === 'Null' || op.base === 'StringLike' || op.base === 'StringNotLike') return [];
  return policyValues.filter((v) => v.includes('*'));
}
