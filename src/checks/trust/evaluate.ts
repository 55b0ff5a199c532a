/**
 * Evaluates a trust policy for one AssumeRoleWithWebIdentity request the way IAM does:
 * a statement applies when its principal, action and every condition match (condition
 * operators AND, keys within an operator AND, values OR — see ./operators.ts); an explicit
 * Deny that applies wins; else any Allow that applies allows; else the request is implicitly
 * denied. Condition keys are matched case-insensitively. Pure: facts in, verdicts out.
 */
import { evaluateOperator, globMatch, literalWildcards, type Tri } from './operators.js';
import type { TrustStatement } from './policy.js';

export interface TrustRequest {
  /** The federated principal: the IAM OIDC provider ARN for the token's issuer. */
  principal: string;
  action: string;
  /** Condition keys (`<provider-url>:sub`, `…:aud`, `sts:RoleSessionName`…) → values. */
  context: Record<string, string[]>;
}

export interface ConditionVerdict {
  operator: string;
  key: string;
  policy_values: string[];
  /** null when the key is absent from the request. */
  request_values: string[] | null;
  result: Tri;
  /** `*` values inside a StringEquals-family operator (literal stars). */
  literal_wildcards: string[];
}

export interface PartVerdict {
  element: string;
  values: string[];
  result: Tri;
}

export interface StatementVerdict {
  index: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  applies: Tri;
  principal: PartVerdict;
  action: PartVerdict;
  conditions: ConditionVerdict[];
}

export type TrustDecision = 'allow' | 'explicit_deny' | 'implicit_deny' | 'undetermined';

export interface TrustEvaluation {
  decision: TrustDecision;
  statements: StatementVerdict[];
}

export function and(...xs: Tri[]): Tri {
  if (xs.includes(false)) return false;
  return xs.includes('unknown') ? 'unknown' : true;
}

function principalMatches(p: '*' | Record<string, string[]>, arn: string): boolean {
  if (p === '*') return true;
  if ((p.AWS ?? []).includes('*')) return true;
  return (p.Federated ?? []).includes(arn);
}

function flat(p: '*' | Record<string, string[]> | undefined): string[] {
  if (p === undefined) return [];
  if (p === '*') return ['*'];
  return Object.entries(p).flatMap(([type, vals]) => vals.map((v) => (type === 'Federated' ? v : `${type}:${v}`)));
}

function principalPart(s: TrustStatement, arn: string): PartVerdict {
  if (s.notPrincipal !== undefined) return { element: 'NotPrincipal', values: flat(s.notPrincipal), result: !principalMatches(s.notPrincipal, arn) };
  if (s.principal === undefined) return { element: 'Principal', values: [], result: false };
  return { element: 'Principal', values: flat(s.principal), result: principalMatches(s.principal, arn) };
}

function actionPart(s: TrustStatement, action: string): PartVerdict {
  const covers = (patterns: string[]) => patterns.some((p) => globMatch(p.toLowerCase(), action.toLowerCase()));
  if (s.notAction !== undefined) return { element: 'NotAction', values: s.notAction, result: !covers(s.notAction) };
  return { element: 'Action', values: s.action ?? [], result: covers(s.action ?? []) };
}

export function lookupKey(context: Record<string, string[]>, key: string): string[] | undefined {
  const k = key.toLowerCase();
  for (const [name, values] of Object.entries(context)) if (name.toLowerCase() === k) return values;
  return undefined;
}

function conditionsOf(s: TrustStatement, context: Record<string, string[]>): ConditionVerdict[] {
  const out: ConditionVerdict[] = [];
  for (const [operator, block] of Object.entries(s.condition)) {
    for (const [key, policyValues] of Object.entries(block)) {
      const request = lookupKey(context, key);
      out.push({
        operator,
        key,
        policy_values: policyValues,
        request_values: request ?? null,
        result: evaluateOperator(operator, policyValues, request),
        literal_wildcards: literalWildcards(operator, policyValues),
      });
    }
  }
  return out;
}

export function evaluateStatement(s: TrustStatement, req: TrustRequest): StatementVerdict {
  const principal = principalPart(s, req.principal);
  const action = actionPart(s, req.action);
  const conditions = conditionsOf(s, req.context);
  const v: StatementVerdict = { index: s.index, effect: s.effect, applies: and(principal.result, action.result, ...conditions.map((c) => c.result)), principal, action, conditions };
  if (s.sid !== undefined) v.sid = s.sid;
  return v;
}

export function evaluateTrust(statements: readonly TrustStatement[], req: TrustRequest): TrustEvaluation {
  const verdicts = statements.map((s) => evaluateStatement(s, req));
  const denies = verdicts.filter((v) => v.effect === 'Deny').map((v) => v.applies);
  const allows = verdicts.filter((v) => v.effect === 'Allow').map((v) => v.applies);
  let decision: TrustDecision;
  if (denies.includes(true)) decision = 'explicit_deny';
  else if (denies.includes('unknown')) decision = 'undetermined';
  else if (allows.includes(true)) decision = 'allow';
  else if (allows.includes('unknown')) decision = 'undetermined';
  else decision = 'implicit_deny';
  return { decision, statements: verdicts };
}
