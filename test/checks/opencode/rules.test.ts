import { describe, expect, it } from 'vitest';
import { rulesFromSpec, type RuleFact } from '../../../src/checks/opencode/facts.js';
import { checkRuleChain, describeRule } from '../../../src/checks/opencode/rules.js';
import { EXPECTED_RULES } from '../../../src/presets/opencode.js';

const expected = rulesFromSpec(EXPECTED_RULES);
const live = () => structuredClone(expected);
const failing = (rules: RuleFact[]) => checkRuleChain(rules, expected).filter((f) => f.status === 'fail' || f.status === 'warn').map((f) => f.code);

describe('checkRuleChain', () => {
  it('passes the chain the API stack creates, whatever the list order', () => {
    const findings = checkRuleChain(live().reverse(), expected);
    expect(findings.every((f) => f.status === 'pass')).toBe(true);
    expect(findings.map((f) => f.code)).toEqual(['ALB_RULE_MISSING', 'ALB_RULE_MISORDERED', 'ALB_RULE_UNEXPECTED', 'ALB_DEFAULT_ACTION_CHANGED']);
  });

  it('reports ALB_RULE_MISSING when rule 5 lost its jwt-validation action, and ALB_RULE_UNEXPECTED for what is there', () => {
    const rules = live().map((r) => (r.priority === 5 ? { ...r, actions: [{ type: 'forward' }] } : r));
    const findings = checkRuleChain(rules, expected);
    const missing = findings.find((f) => f.code === 'ALB_RULE_MISSING' && f.status === 'fail')!;
    expect(missing.detail).toMatch(/Priority 5 holds a different rule: http-header Authorization Bearer\* → forward/);
    expect(failing(rules)).toEqual(['ALB_RULE_MISSING', 'ALB_RULE_UNEXPECTED']);
  });

  it('reports ALB_RULE_MISORDERED when rule 10 moved to 4', () => {
    const rules = live().map((r) => (r.priority === 10 ? { ...r, priority: 4 } : r));
    expect(failing(rules)).toEqual(['ALB_RULE_MISORDERED']);
  });

  it('treats header names case-insensitively and condition order as irrelevant', () => {
    const rules = live().map((r) => (r.priority === 3 ? { ...r, conditions: [...r.conditions].reverse().map((c) => ({ ...c, ...(c.header ? { header: c.header.toLowerCase() } : {}) })) } : r));
    expect(failing(rules)).toEqual([]);
  });

  it.each([
    ['401 (the seed skill\'s belief)', { type: 'fixed-response', fixedResponse: { statusCode: '401' } }, /answers 401 instead of 403/],
    ['forward', { type: 'forward' }, /requests with no credentials at all reach the router/],
  ])('reports ALB_DEFAULT_ACTION_CHANGED when the default is %s', (_n, action, detail) => {
    const rules = live().map((r) => (r.priority === 'default' ? { ...r, actions: [action] } : r));
    const f = checkRuleChain(rules, expected).find((x) => x.code === 'ALB_DEFAULT_ACTION_CHANGED')!;
    expect(f.status).toBe('fail');
    expect(f.detail).toMatch(detail);
  });

  it('describes a rule with all its conditions and actions', () => {
    expect(describeRule(expected.find((r) => r.priority === 3)!)).toBe('path-pattern /v1/api-keys* AND http-header Authorization Bearer* → jwt-validation, forward');
  });
});
