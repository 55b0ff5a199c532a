/**
 * The JWT ALB's listener rules against the chain the API stack creates
 * (1, 2, 3, 5, 10, default fixed-response 403).
 */
import { fail, pass, warn, error, type Finding } from '../finding.js';
import { byPriority, priorityLabel, type ConditionFact, type RuleFact } from './facts.js';

const condText = (c: ConditionFact) =>
  `${c.field}${c.header ? ` ${c.header}` : ''} ${[...c.values, ...(c.regexValues ?? []).map((r) => `~/${r}/`)].join(' | ')}`;

/** "path-pattern /v1/api-keys* AND http-header Authorization Bearer* → jwt-validation, forward". */
export function describeRule(r: RuleFact): string {
  const when = r.conditions.length ? r.conditions.map(condText).join(' AND ') : '(no conditions)';
  const then = r.actions.map((a) => (a.fixedResponse ? `fixed-response ${a.fixedResponse.statusCode}` : a.type)).join(', ');
  return `${when} → ${then || '(no actions)'}`;
}

/** What a rule does, independent of its priority: conditions (order-free) and action types in Order. */
function signature(r: RuleFact): string {
  const conds = r.conditions
    .map((c) => `${c.field}|${(c.header ?? '').toLowerCase()}|${[...c.values].sort().join(',')}|${[...(c.regexValues ?? [])].sort().join(',')}`)
    .sort();
  return `${conds.join(';')}=>${r.actions.map((a) => a.type).join(',')}`;
}

export function checkRuleChain(actual: readonly RuleFact[], expected: readonly RuleFact[]): Finding[] {
  const findings: Finding[] = [];
  const act = byPriority(actual).filter((r) => r.priority !== 'default');
  const used = new Set<RuleFact>();
  const exp = expected.filter((r) => r.priority !== 'default');
  let missing = 0;
  let misordered = 0;
  for (const e of exp) {
    const sig = signature(e);
    const exact = act.find((a) => !used.has(a) && a.priority === e.priority && signature(a) === sig);
    if (exact) {
      used.add(exact);
      continue;
    }
    const moved = act.find((a) => !used.has(a) && signature(a) === sig);
    if (moved) {
      used.add(moved);
      misordered++;
      findings.push(fail('ALB_RULE_MISORDERED', {
        title: `${e.name ?? priorityLabel(e.priority)} is at priority ${moved.priority}, not ${e.priority}`,
        detail: `ALB evaluates rules by ascending priority and the first match wins, so moving this rule changes which rule answers requests that match several. Expected: ${describeRule(e)}.`,
        evidence: { expected_priority: e.priority, found_priority: moved.priority, rule: describeRule(moved) },
        fix: `Restore priority ${e.priority} by redeploying the API stack (./scripts/deploy.sh api) rather than editing rules by hand.`,
      }));
      continue;
    }
    missing++;
    const there = act.find((a) => a.priority === e.priority);
    findings.push(fail('ALB_RULE_MISSING', {
      title: `${e.name ?? priorityLabel(e.priority)} (priority ${e.priority}) is missing`,
      detail: there
        ? `Priority ${e.priority} holds a different rule: ${describeRule(there)}. Expected: ${describeRule(e)}.`
        : `No rule has priority ${e.priority}. Expected: ${describeRule(e)}.`,
      evidence: { expected_priority: e.priority, expected: describeRule(e), ...(there ? { found: describeRule(there) } : {}) },
      fix: 'Redeploy the API stack (./scripts/deploy.sh api) to restore the rule chain.',
    }));
  }
  if (missing === 0) findings.push(pass('ALB_RULE_MISSING', { title: `All ${exp.length} expected rules are present` }));
  if (misordered === 0) findings.push(pass('ALB_RULE_MISORDERED', { title: 'Expected rules are at their expected priorities' }));

  const extra = act.filter((a) => !used.has(a));
  for (const x of extra) {
    findings.push(warn('ALB_RULE_UNEXPECTED', {
      title: `Rule ${x.priority} is not part of the stack's chain`,
      detail: `${describeRule(x)}. Requests it matches never reach rules with a higher priority number.`,
      evidence: { priority: x.priority, rule: describeRule(x), ...(x.arn ? { rule_arn: x.arn } : {}) },
      fix: 'If nobody added it on purpose, remove it (or redeploy the API stack, ./scripts/deploy.sh api, and delete what the stack does not own).',
    }));
  }
  if (extra.length === 0) findings.push(pass('ALB_RULE_UNEXPECTED', { title: 'No rules beyond the stack\'s chain' }));
  findings.push(checkDefaultAction(actual, expected));
  return findings;
}

function checkDefaultAction(actual: readonly RuleFact[], expected: readonly RuleFact[]): Finding {
  const want = expected.find((r) => r.priority === 'default')?.actions[0]?.fixedResponse;
  const def = actual.find((r) => r.priority === 'default');
  if (!def) return error('ALB_DEFAULT_ACTION_CHANGED', { title: 'The listener\'s default rule was not returned', detail: 'DescribeRules returned no rule with priority "default".' });
  const first = def.actions[0];
  const got = first?.fixedResponse;
  if (first?.type === 'fixed-response' && got && want && got.statusCode === want.statusCode) {
    return pass('ALB_DEFAULT_ACTION_CHANGED', { title: `Default action: fixed-response ${got.statusCode}`, evidence: { default_action: describeRule(def) } });
  }
  const why =
    first?.type === 'forward'
      ? 'The default action forwards: requests with no credentials at all reach the router.'
      : got
        ? `The default answers ${got.statusCode} instead of ${want?.statusCode ?? '403'}; clients and runbooks that expect 403 for "no credentials" will be misled.`
        : `The default action is ${first?.type ?? 'missing'}.`;
  return fail('ALB_DEFAULT_ACTION_CHANGED', {
    title: `The default action is ${describeRule(def).replace(/^\(no conditions\) → /, '')}, not fixed-response ${want?.statusCode ?? '403'}`,
    detail: why,
    evidence: { default_action: describeRule(def), expected: `fixed-response ${want?.statusCode ?? '403'} "${want?.messageBody ?? ''}"` },
    fix: 'Redeploy the API stack (./scripts/deploy.sh api) to restore the default fixed-response 403.',
  });
}
