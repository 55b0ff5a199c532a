/**
 * What the trust engine learns beyond allow/deny, for a web-identity trust policy and a token:
 * - TRUST_CONDITION_KEY_UNSUPPORTED: a condition on `<provider>:<claim>` for a claim IAM makes
 *   no key of (presets/condition-keys.ts) — it can never match;
 * - TRUST_FORALLVALUES_SINGLE_VALUED: `ForAllValues:` on a single-valued key in an Allow also
 *   matches when the key is absent (IAM User Guide, "Single-valued vs. multivalued context keys");
 * - TRUST_SUB_UNCONSTRAINED: no `:sub` condition at all;
 * - TRUST_WILDCARD_PRODUCTION: `repo:ORG/*` or `system:serviceaccount:*` on a production role.
 * Each warning carries the narrowest condition that would match this token.
 */
import { CONDITION_KEYS, conditionKeysFor, type IssuerKeys } from '../../presets/condition-keys.js';
import { fail, pass, warn, type Finding } from '../finding.js';
import type { ConditionVerdict, StatementVerdict, TrustEvaluation } from './evaluate.js';
import { parseOperator } from './operators.js';

export interface LintSubject {
  providerUrl: string;
  claims: Record<string, unknown>;
  role?: { name?: string | undefined; tags?: Record<string, string> | undefined } | undefined;
}

const label = (s: StatementVerdict) => `statement ${s.index}${s.sid ? ` (${s.sid})` : ''}`;
const claimOfKey = (key: string) => key.slice(key.lastIndexOf(':') + 1);
const prefixOfKey = (key: string) => (key.includes(':') ? key.slice(0, key.lastIndexOf(':')) : '');
const reached = (ev: TrustEvaluation) => ev.statements.filter((s) => s.effect === 'Allow' && s.principal.result === true && s.action.result === true);

/** `"StringEquals": {"<url>:<claim>": <token value>}` — the narrowest condition that matches this token. */
export function narrowestCondition(providerUrl: string, claim: string, claims: Record<string, unknown>): string | undefined {
  const v = claims[claim];
  if (typeof v !== 'string' && !(Array.isArray(v) && v.length === 1 && typeof v[0] === 'string')) return undefined;
  return `"StringEquals": {"${providerUrl}:${claim}": ${JSON.stringify(Array.isArray(v) ? v[0] : v)}}`;
}

/** Is this condition on a key of this provider that IAM never fills for this issuer? */
export function isUnsupportedKey(c: Pick<ConditionVerdict, 'key'>, providerUrl: string, keys: IssuerKeys = conditionKeysFor(providerUrl)): boolean {
  if (prefixOfKey(c.key).toLowerCase() !== providerUrl.toLowerCase()) return false;
  const claim = claimOfKey(c.key).toLowerCase();
  return !keys.claims.some((k) => k.toLowerCase() === claim);
}

export function unsupportedKeyFinding(ev: TrustEvaluation, subject: LintSubject): Finding {
  const keys = conditionKeysFor(subject.providerUrl);
  const hits = ev.statements.flatMap((s) => s.conditions.filter((c) => isUnsupportedKey(c, subject.providerUrl, keys)).map((c) => ({ s, c })));
  if (!hits.length && !keys.documented) {
    // Keys this row only assumes (GitHub keys on an enterprise / GHE.com / GHES provider).
    const assumed = ev.statements.flatMap((s) => s.conditions.filter((c) => prefixOfKey(c.key).toLowerCase() === subject.providerUrl.toLowerCase() && !CONDITION_KEYS.generic.claims.includes(claimOfKey(c.key).toLowerCase())).map((c) => ({ s, c })));
    if (assumed.length) {
      return warn('TRUST_CONDITION_KEY_UNSUPPORTED', {
        title: `Assumption: IAM evaluates ${[...new Set(assumed.map(({ c }) => `:${claimOfKey(c.key)}`))].join(', ')} for this provider`,
        detail: `${assumed.map(({ s, c }) => `${label(s)}: ${c.operator} ${c.key}`).join('; ')}. AWS documents these GitHub keys for token.actions.githubusercontent.com only; for ${keys.name} it does not say. This tool assumes they are evaluated; if they are not, the condition never matches and STS answers AccessDenied.`,
        evidence: { conditions: assumed.map(({ s, c }) => ({ statement: s.index, operator: c.operator, key: c.key, result: c.result })), issuer_keys: keys.name, documented: false },
        fix: `If AssumeRoleWithWebIdentity is denied, constrain the role with :sub instead, e.g. ${narrowestCondition(subject.providerUrl, 'sub', subject.claims) ?? `"StringEquals": {"${subject.providerUrl}:sub": "<subject>"}`}.`,
      });
    }
  }
  if (!hits.length) return pass('TRUST_CONDITION_KEY_UNSUPPORTED', { title: 'Every condition key on this provider is one IAM evaluates', evidence: { evaluated_claims: [...keys.claims] } });
  const blocking = ev.decision !== 'allow' && hits.some(({ s, c }) => s.effect === 'Allow' && s.principal.result === true && s.action.result === true && c.result === false);
  const claims = [...new Set(hits.map(({ c }) => claimOfKey(c.key)))];
  const inToken = claims.filter((c) => subject.claims[c] !== undefined);
  const assumption = keys.documented ? '' : ' (Assumption: AWS documents no key list for this issuer; the GitHub keys are assumed to be evaluated, and this claim is not among them.)';
  const init = {
    title: `The trust policy conditions on ${claims.map((c) => `:${c}`).join(', ')}, which IAM does not evaluate for this issuer — it can never match`,
    detail: `${hits.map(({ s, c }) => `${label(s)}: ${c.operator} ${c.key}`).join('; ')}. For ${keys.name} IAM makes condition keys only of ${keys.claims.join(', ')}; other claims${inToken.length ? ` (this token does carry ${inToken.join(', ')})` : ''} never reach the policy, so the key is absent and ${blocking ? 'the Allow cannot match: STS answers AccessDenied' : 'the condition matches nothing'}.${assumption}`,
    evidence: { conditions: hits.map(({ s, c }) => ({ statement: s.index, operator: c.operator, key: c.key, result: c.result })), evaluated_claims: [...keys.claims], issuer_keys: keys.name },
    fix: `Remove those conditions and constrain the role with keys IAM evaluates, e.g. ${narrowestCondition(subject.providerUrl, 'sub', subject.claims) ?? `"StringEquals": {"${subject.providerUrl}:sub": "<subject>"}`}.`,
  };
  return blocking ? fail('TRUST_CONDITION_KEY_UNSUPPORTED', init) : warn('TRUST_CONDITION_KEY_UNSUPPORTED', init);
}

export function forAllValuesFinding(ev: TrustEvaluation, subject: LintSubject): Finding {
  const keys = conditionKeysFor(subject.providerUrl);
  const hits = ev.statements
    .filter((s) => s.effect === 'Allow')
    .flatMap((s) => s.conditions.filter((c) => parseOperator(c.operator).qualifier === 'ForAllValues' && !keys.multiValued.includes(claimOfKey(c.key).toLowerCase()) && !/^(aws|sts):/i.test(c.key)).map((c) => ({ s, c })));
  if (!hits.length) return pass('TRUST_FORALLVALUES_SINGLE_VALUED', { title: 'No ForAllValues: on a single-valued key in an Allow' });
  const first = hits[0]!;
  const narrow = narrowestCondition(subject.providerUrl, claimOfKey(first.c.key), subject.claims);
  return warn('TRUST_FORALLVALUES_SINGLE_VALUED', {
    title: `ForAllValues: on the single-valued key ${first.c.key} also matches when the key is absent`,
    detail: `${hits.map(({ s, c }) => `${label(s)}: ${c.operator} ${c.key}`).join('; ')}. ForAllValues is true for an empty set, so a token without that claim passes the condition (IAM User Guide: "Single-valued vs. multivalued context keys"). Use the plain operator for single-valued keys.`,
    evidence: { conditions: hits.map(({ s, c }) => ({ statement: s.index, operator: c.operator, key: c.key })) },
    fix: narrow ? `Use ${narrow} (the narrowest condition matching this token).` : `Use ${parseOperator(first.c.operator).base} without the ForAllValues: qualifier.`,
  });
}

export function subConstraintFinding(ev: TrustEvaluation, subject: LintSubject): Finding {
  const candidates = reached(ev);
  if (!candidates.length) return pass('TRUST_SUB_UNCONSTRAINED', { title: 'No Allow statement for this provider to lint' });
  const open = candidates.filter((s) => !s.conditions.some((c) => /:sub$/i.test(c.key) && !parseOperator(c.operator).ifExists));
  if (!open.length) return pass('TRUST_SUB_UNCONSTRAINED', { title: 'Every Allow statement for this provider constrains :sub' });
  const narrow = narrowestCondition(subject.providerUrl, 'sub', subject.claims);
  return warn('TRUST_SUB_UNCONSTRAINED', {
    title: `${open.map(label).join(', ')} has no :sub condition: any subject of this issuer can assume the role`,
    detail: `Every workload (every repository, service account or user) that gets a token from ${subject.providerUrl} with an accepted audience is allowed. AWS and GitHub both recommend evaluating ${subject.providerUrl}:sub in the trust policy.`,
    evidence: { statements: open.map((s) => s.index) },
    fix: `Add ${narrow ?? `"StringEquals": {"${subject.providerUrl}:sub": "<subject>"}`} to the statement.`,
  });
}

const PRODUCTION = /(^|[^a-z])prod(uction)?([^a-z]|$)/i;
const BROAD_SUB = [/^repo:[^/:]+\/\*$/, /^repo:\*/, /^system:serviceaccount:\*/, /^\*$/];

export function productionWildcardFinding(ev: TrustEvaluation, subject: LintSubject): Finding {
  const role = subject.role;
  const tagHit = Object.entries(role?.tags ?? {}).find(([k, v]) => PRODUCTION.test(v) || PRODUCTION.test(k));
  const why = role?.name && PRODUCTION.test(role.name) ? `the role name "${role.name}"` : tagHit ? `the tag ${tagHit[0]}=${tagHit[1]}` : undefined;
  const hits = ev.statements
    .filter((s) => s.effect === 'Allow')
    .flatMap((s) => s.conditions.filter((c) => /:sub$/i.test(c.key) && /Like/i.test(c.operator) && !/Not/.test(c.operator)).flatMap((c) => c.policy_values.filter((v) => BROAD_SUB.some((re) => re.test(v))).map((v) => ({ s, c, v }))));
  if (!why || !hits.length) return pass('TRUST_WILDCARD_PRODUCTION', { title: why ? 'No organisation-wide or cluster-wide sub wildcard' : 'The role does not look like a production role', evidence: { role: role?.name ?? null } });
  const narrow = narrowestCondition(subject.providerUrl, 'sub', subject.claims);
  return warn('TRUST_WILDCARD_PRODUCTION', {
    title: `A broad sub wildcard (${hits.map((h) => h.v).join(', ')}) on a production role (${why})`,
    detail: `${hits.map(({ s, c, v }) => `${label(s)}: ${c.operator} ${c.key} "${v}"`).join('; ')}. Every repository of the organisation (or every service account of the cluster), on any branch or pull request, can assume this role.`,
    evidence: { role: role?.name ?? null, patterns: hits.map((h) => h.v) },
    fix: `Narrow it: ${narrow ?? `"StringEquals": {"${subject.providerUrl}:sub": "<exact subject>"}`} (GitHub: pin the repository and an environment or branch).`,
  });
}

export function lintTrust(ev: TrustEvaluation, subject: LintSubject): Finding[] {
  return [unsupportedKeyFinding(ev, subject), forAllValuesFinding(ev, subject), subConstraintFinding(ev, subject), productionWildcardFinding(ev, subject)];
}
