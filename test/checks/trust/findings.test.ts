import { describe, expect, it } from 'vitest';
import { webIdentityRequest } from '../../../src/checks/trust/context.js';
import { evaluateTrust } from '../../../src/checks/trust/evaluate.js';
import { trustFindings } from '../../../src/checks/trust/findings.js';
import { parseTrustPolicy } from '../../../src/checks/trust/policy.js';

const URL = 'bridge.tail1234.ts.net';
const ARN = `arn:aws:iam::123456789012:oidc-provider/${URL}`;
const SUB = 'system:serviceaccount:apps:uploader';

function judge(...stmts: unknown[]) {
  const p = parseTrustPolicy({ Statement: stmts });
  if (!p.ok) throw new Error(p.problem);
  const ev = evaluateTrust(p.statements, webIdentityRequest(ARN, URL, { sub: SUB, aud: 'sts.amazonaws.com' }));
  const fs = trustFindings(ev, { providerArn: ARN, providerUrl: URL });
  return { ev, fs, status: (code: string) => fs.find((f) => f.code === code)?.status, get: (code: string) => fs.find((f) => f.code === code)! };
}
const allow = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { Federated: ARN }, Action: 'sts:AssumeRoleWithWebIdentity', ...extra });

describe('trustFindings', () => {
  it('passes every TRUST_ code for a matching IRSA policy', () => {
    const { fs } = judge(allow({ Condition: { StringEquals: { [`${URL}:sub`]: SUB, [`${URL}:aud`]: 'sts.amazonaws.com' } } }));
    expect(fs.filter((f) => f.status !== 'pass')).toEqual([]);
  });

  it('reports TRUST_PRINCIPAL_MISMATCH naming the trailing-slash difference', () => {
    const { status, get } = judge(allow({ Principal: { Federated: `${ARN}/` } }));
    expect(status('TRUST_PRINCIPAL_MISMATCH')).toBe('fail');
    expect(get('TRUST_PRINCIPAL_MISMATCH').detail).toContain('"/"');
    expect(get('TRUST_PRINCIPAL_MISMATCH').fix).toContain(ARN);
  });

  it('reports TRUST_ACTION_MISSING when only sts:AssumeRole is allowed', () => {
    expect(judge(allow({ Action: 'sts:AssumeRole' })).status('TRUST_ACTION_MISSING')).toBe('fail');
  });

  it('reports TRUST_CONDITION_SUB_MISMATCH with both values', () => {
    const { status, get } = judge(allow({ Condition: { StringEquals: { [`${URL}:sub`]: 'system:serviceaccount:apps:other' } } }));
    expect(status('TRUST_CONDITION_SUB_MISMATCH')).toBe('fail');
    expect(get('TRUST_CONDITION_SUB_MISMATCH').evidence.conditions).toEqual([
      { statement: 0, operator: 'StringEquals', key: `${URL}:sub`, policy_values: ['system:serviceaccount:apps:other'], request_values: [SUB], result: false },
    ]);
    expect(status('TRUST_CONDITION_AUD_MISMATCH')).toBe('pass');
  });

  it('reports TRUST_CONDITION_AUD_MISMATCH and explains a key prefix of another provider', () => {
    const { status, get } = judge(allow({ Condition: { StringEquals: { 'oidc.example.com:aud': 'sts.amazonaws.com' } } }));
    expect(status('TRUST_CONDITION_AUD_MISMATCH')).toBe('fail');
    expect(get('TRUST_CONDITION_AUD_MISMATCH').detail).toContain('never exists for this token');
  });

  it('reports TRUST_CONDITION_MISMATCH for another failing key', () => {
    expect(judge(allow({ Condition: { StringEquals: { [`${URL}:email`]: 'a@b.c' } } })).status('TRUST_CONDITION_MISMATCH')).toBe('fail');
  });

  it('reports TRUST_WILDCARD_IN_STRINGEQUALS as fail when it causes the deny, warn otherwise', () => {
    const bad = judge(allow({ Condition: { StringEquals: { [`${URL}:sub`]: 'system:serviceaccount:apps:*' } } }));
    expect(bad.status('TRUST_WILDCARD_IN_STRINGEQUALS')).toBe('fail');
    expect(bad.get('TRUST_WILDCARD_IN_STRINGEQUALS').fix).toContain('StringLike');
    const harmless = judge(allow(), allow({ Condition: { StringEquals: { [`${URL}:sub`]: 'x*' } } }));
    expect(harmless.status('TRUST_WILDCARD_IN_STRINGEQUALS')).toBe('warn');
  });

  it('reports TRUST_EXPLICIT_DENY when a Deny matches', () => {
    const { status, ev } = judge(allow(), { Effect: 'Deny', Principal: '*', Action: '*' });
    expect(ev.decision).toBe('explicit_deny');
    expect(status('TRUST_EXPLICIT_DENY')).toBe('fail');
  });
});
