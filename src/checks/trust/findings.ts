/**
 * A trust-policy evaluation in plain words: TRUST_EXPLICIT_DENY, TRUST_PRINCIPAL_MISMATCH,
 * TRUST_ACTION_MISSING, TRUST_CONDITION_SUB_MISMATCH / _AUD_MISMATCH / _MISMATCH and
 * TRUST_WILDCARD_IN_STRINGEQUALS, each with the values compared.
 */
import { describeDifference } from '../token/difference.js';
import { fail, pass, skip, warn, type Finding } from '../finding.js';
import type { ConditionVerdict, StatementVerdict, TrustEvaluation } from './evaluate.js';

export interface TrustSubject {
  providerArn: string;
  /** The provider URL as IAM stores it (host + path): the prefix of its condition keys. */
  providerUrl: string;
}

const ACTION = 'sts:AssumeRoleWithWebIdentity';

const label = (s: StatementVerdict) => `statement ${s.index}${s.sid ? ` (${s.sid})` : ''}`;

function describeCondition(c: ConditionVerdict, subject: TrustSubject): string {
  const req = c.request_values === null ? 'absent from the request' : JSON.stringify(c.request_values);
  let text = `${c.operator} ${c.key} ${JSON.stringify(c.policy_values)} vs ${req}`;
  const prefix = c.key.includes(':') ? c.key.slice(0, c.key.lastIndexOf(':')) : '';
  if (c.request_values === null && prefix && prefix.toLowerCase() !== subject.providerUrl.toLowerCase() && !prefix.startsWith('aws') && prefix !== 'sts') {
    const d = describeDifference(prefix, subject.providerUrl);
    text += ` — the key's prefix "${prefix}" is not this provider's URL "${subject.providerUrl}"${d ? ` (${d.text})` : ''}, so the key never exists for this token`;
  }
  if (c.literal_wildcards.length) text += ` — ${JSON.stringify(c.literal_wildcards)} is a literal "*" under ${c.operator}`;
  return text;
}

type ConditionClass = 'sub' | 'aud' | 'other';
const classOf = (key: string): ConditionClass => (/:sub$/i.test(key) ? 'sub' : /:aud$/i.test(key) ? 'aud' : 'other');

function conditionFinding(cls: ConditionClass, candidates: StatementVerdict[], allowed: boolean, subject: TrustSubject, reportedElsewhere: (key: string) => boolean): Finding {
  const code = cls === 'sub' ? 'TRUST_CONDITION_SUB_MISMATCH' : cls === 'aud' ? 'TRUST_CONDITION_AUD_MISMATCH' : 'TRUST_CONDITION_MISMATCH';
  const what = cls === 'other' ? 'other conditions' : `:${cls} conditions`;
  if (allowed) return pass(code, { title: `The ${what} of the allowing statement match` });
  if (!candidates.length) return skip(code, { title: `No statement names this provider and action, so its ${what} were not reached` });
  const bad = candidates.flatMap((s) => s.conditions.filter((c) => classOf(c.key) === cls && c.result !== true && !reportedElsewhere(c.key)).map((c) => ({ s, c })));
  if (!bad.length) return pass(code, { title: `The ${what} match` });
  const evidence = { conditions: bad.map(({ s, c }) => ({ statement: s.index, operator: c.operator, key: c.key, policy_values: c.policy_values, request_values: c.request_values, result: c.result })) };
  const detail = bad.map(({ s, c }) => `${label(s)}: ${describeCondition(c, subject)}`).join('; ');
  const key = `${subject.providerUrl}:${cls}`;
  if (bad.every(({ c }) => c.result === 'unknown')) {
    return warn(code, { title: `A condition uses an operator this tool cannot evaluate`, detail, evidence, fix: 'Check that condition by hand (or with probe_assume_role).' });
  }
  const fix = cls === 'other'
    ? 'Make the condition match the token, or remove it from the trust policy.'
    : `Set the condition to "StringEquals": {"${key}": ${cls === 'sub' ? '"system:serviceaccount:<namespace>:<service-account>"' : '"sts.amazonaws.com"'}} (keys are the provider URL + ":${cls}"), e.g. aws iam update-assume-role-policy --role-name <role> --policy-document file://trust.json`;
  return fail(code, { title: `The trust policy's ${what} do not match this token`, detail, evidence, fix });
}

/**
 * `reportedElsewhere`: condition keys another finding explains (TRUST_CONDITION_KEY_UNSUPPORTED
 * for claims IAM does not evaluate), left out of the condition findings here.
 */
export function trustFindings(ev: TrustEvaluation, subject: TrustSubject, reportedElsewhere: (key: string) => boolean = () => false): Finding[] {
  const out: Finding[] = [];
  const denying = ev.statements.filter((s) => s.effect === 'Deny' && s.applies === true);
  out.push(denying.length
    ? fail('TRUST_EXPLICIT_DENY', { title: `A Deny statement matches this token (${denying.map(label).join(', ')})`, detail: 'An explicit Deny wins over every Allow.', evidence: { statements: denying.map((s) => s.index) }, fix: 'Narrow or remove the Deny statement in the role\'s trust policy.' })
    : pass('TRUST_EXPLICIT_DENY', { title: 'No Deny statement matches this token' }));

  const allowed = ev.decision === 'allow';
  const allows = ev.statements.filter((s) => s.effect === 'Allow');
  const byPrincipal = allows.filter((s) => s.principal.result === true);
  if (allowed || byPrincipal.length) {
    out.push(pass('TRUST_PRINCIPAL_MISMATCH', { title: 'A statement names the provider as Principal.Federated', evidence: { provider_arn: subject.providerArn } }));
  } else {
    const named = allows.flatMap((s) => s.principal.values);
    const near = named.map((n) => ({ n, d: describeDifference(n, subject.providerArn) })).find((x) => x.d && x.d.kind !== 'different');
    out.push(fail('TRUST_PRINCIPAL_MISMATCH', {
      title: 'No Allow statement names this provider as Principal.Federated',
      detail: `The token's provider is ${subject.providerArn}; the policy names ${named.length ? named.join(', ') : 'no principal'}${near?.d ? ` (${near.n}: ${near.d.text})` : ''}.`,
      evidence: { provider_arn: subject.providerArn, principals: named },
      fix: `Set "Principal": {"Federated": "${subject.providerArn}"} in the role's trust policy.`,
    }));
  }
  const pool = byPrincipal.length ? byPrincipal : allows;
  const candidates = pool.filter((s) => s.action.result === true);
  out.push(allowed || candidates.length
    ? pass('TRUST_ACTION_MISSING', { title: `${ACTION} is allowed by a statement` })
    : fail('TRUST_ACTION_MISSING', {
      title: `No Allow statement${byPrincipal.length ? ' for this provider' : ''} covers ${ACTION}`,
      detail: `Actions named: ${pool.map((s) => `${label(s)} ${s.action.element} ${JSON.stringify(s.action.values)}`).join('; ') || 'none'}.`,
      evidence: { actions: pool.map((s) => ({ statement: s.index, element: s.action.element, values: s.action.values })) },
      fix: `Add "Action": "${ACTION}" to the statement that names the provider (sts:AssumeRole alone does not cover it).`,
    }));
  const reached = byPrincipal.filter((s) => s.action.result === true);
  for (const cls of ['sub', 'aud', 'other'] as const) out.push(conditionFinding(cls, reached, allowed, subject, reportedElsewhere));
  out.push(wildcardFinding(ev));
  return out;
}

function wildcardFinding(ev: TrustEvaluation): Finding {
  const hits = ev.statements.flatMap((s) => s.conditions.filter((c) => c.literal_wildcards.length).map((c) => ({ s, c })));
  if (!hits.length) return pass('TRUST_WILDCARD_IN_STRINGEQUALS', { title: 'No "*" inside a StringEquals condition' });
  const harmful = hits.some(({ s, c }) => s.effect === 'Allow' && c.result === false && ev.decision !== 'allow');
  const init = {
    title: `A "*" inside ${hits[0]!.c.operator} is literal: it matches only a value containing "*"`,
    detail: hits.map(({ s, c }) => `${label(s)}: ${c.operator} ${c.key} ${JSON.stringify(c.literal_wildcards)}`).join('; ') + '. IAM compares StringEquals values exactly; wildcards work only with StringLike.',
    evidence: { conditions: hits.map(({ s, c }) => ({ statement: s.index, operator: c.operator, key: c.key, values: c.literal_wildcards })) },
    fix: `Use "StringLike" for that key (e.g. "StringLike": {"${hits[0]!.c.key}": ${JSON.stringify(hits[0]!.c.literal_wildcards[0])}}).`,
  };
  return harmful ? fail('TRUST_WILDCARD_IN_STRINGEQUALS', init) : warn('TRUST_WILDCARD_IN_STRINGEQUALS', init);
}
