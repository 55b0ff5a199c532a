import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webIdentityRequest } from '../../../src/checks/trust/context.js';
import { evaluateTrust } from '../../../src/checks/trust/evaluate.js';
import { parseTrustPolicy, type TrustStatement } from '../../../src/checks/trust/policy.js';

const URL = 'bridge.tail1234.ts.net';
const ARN = `arn:aws:iam::123456789012:oidc-provider/${URL}`;
const SUB = 'system:serviceaccount:apps:uploader';
const req = (claims: Record<string, unknown> = { sub: SUB, aud: ['sts.amazonaws.com'] }) => webIdentityRequest(ARN, URL, claims);

function statements(...stmts: unknown[]): TrustStatement[] {
  const p = parseTrustPolicy({ Version: '2012-10-17', Statement: stmts });
  if (!p.ok) throw new Error(p.problem);
  return p.statements;
}

const allow = (extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { Federated: ARN }, Action: 'sts:AssumeRoleWithWebIdentity', ...extra });
const cond = (c: unknown) => allow({ Condition: c });

// Hand-computed decisions for the token {sub: SUB, aud: ["sts.amazonaws.com"]}.
const CASES: Array<[string, unknown[], string]> = [
  ['the IRSA-style policy', [cond({ StringEquals: { [`${URL}:sub`]: SUB, [`${URL}:aud`]: 'sts.amazonaws.com' } })], 'allow'],
  ['no conditions', [allow()], 'allow'],
  ['Principal "*"', [{ ...allow(), Principal: '*' }], 'allow'],
  ['Principal AWS "*"', [{ ...allow(), Principal: { AWS: '*' } }], 'allow'],
  ['Federated list containing the provider', [{ ...allow(), Principal: { Federated: ['arn:aws:iam::123456789012:oidc-provider/other', ARN] } }], 'allow'],
  ['another provider', [{ ...allow(), Principal: { Federated: `${ARN}/` } }], 'implicit_deny'],
  ['Action sts:*', [{ ...allow(), Action: 'sts:*' }], 'allow'],
  ['Action sts:AssumeRole* (list)', [{ ...allow(), Action: ['s3:GetObject', 'sts:AssumeRole*'] }], 'allow'],
  ['Action "*"', [{ ...allow(), Action: '*' }], 'allow'],
  ['action names are case-insensitive', [{ ...allow(), Action: 'STS:assumerolewithwebidentity' }], 'allow'],
  ['Action sts:AssumeRole only', [{ ...allow(), Action: 'sts:AssumeRole' }], 'implicit_deny'],
  ['NotAction s3:*', [{ Effect: 'Allow', Principal: { Federated: ARN }, NotAction: 's3:*' }], 'allow'],
  ['NotAction sts:*', [{ Effect: 'Allow', Principal: { Federated: ARN }, NotAction: 'sts:*' }], 'implicit_deny'],
  ['sub in another namespace', [cond({ StringEquals: { [`${URL}:sub`]: 'system:serviceaccount:other:uploader' } })], 'implicit_deny'],
  ['sub with * under StringEquals', [cond({ StringEquals: { [`${URL}:sub`]: 'system:serviceaccount:apps:*' } })], 'implicit_deny'],
  ['sub with * under StringLike', [cond({ StringLike: { [`${URL}:sub`]: 'system:serviceaccount:apps:*' } })], 'allow'],
  ['condition key in other case', [cond({ StringEquals: { [`${URL.toUpperCase()}:SUB`]: SUB } })], 'allow'],
  ['condition value in other case', [cond({ StringEquals: { [`${URL}:sub`]: SUB.toUpperCase() } })], 'implicit_deny'],
  ['StringEqualsIgnoreCase value in other case', [cond({ StringEqualsIgnoreCase: { [`${URL}:sub`]: SUB.toUpperCase() } })], 'allow'],
  ['aud near miss', [cond({ StringEquals: { [`${URL}:aud`]: 'sts.amazon.com' } })], 'implicit_deny'],
  ['two values OR', [cond({ StringEquals: { [`${URL}:sub`]: ['x', SUB] } })], 'allow'],
  ['two keys AND, one fails', [cond({ StringEquals: { [`${URL}:sub`]: SUB, [`${URL}:aud`]: 'other' } })], 'implicit_deny'],
  ['two operators AND', [cond({ StringEquals: { [`${URL}:sub`]: SUB }, StringLike: { [`${URL}:aud`]: 'sts.*' } })], 'allow'],
  ['key prefix of another provider', [cond({ StringEquals: { ['oidc.example.com:sub']: SUB } })], 'implicit_deny'],
  ['StringNotEquals on an absent key', [cond({ StringNotEquals: { [`${URL}:email`]: 'x' } })], 'allow'],
  ['IfExists on an absent key', [cond({ StringEqualsIfExists: { [`${URL}:email`]: 'x' } })], 'allow'],
  ['Null true on an absent key', [cond({ Null: { [`${URL}:email`]: 'true' } })], 'allow'],
  ['Deny for the same sub', [allow(), { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { StringLike: { [`${URL}:sub`]: 'system:serviceaccount:apps:*' } } }], 'explicit_deny'],
  ['Deny for another sub', [allow(), { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { StringNotLike: { [`${URL}:sub`]: 'system:serviceaccount:apps:*' } } }], 'allow'],
  ['unknown operator on a present key', [cond({ DateGreaterThan: { [`${URL}:sub`]: '2020' } })], 'undetermined'],
  ['NotPrincipal excluding another principal', [{ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::1:root' }, Action: 'sts:*' }], 'allow'],
];

describe('evaluateTrust (hand-computed table)', () => {
  it.each(CASES)('%s → %s', (_name, stmts, decision) => {
    expect(evaluateTrust(statements(...stmts), req()).decision).toBe(decision);
  });

  it('treats a multi-valued aud with ForAnyValue / ForAllValues as IAM does', () => {
    const multi = req({ sub: SUB, aud: ['sts.amazonaws.com', 'vault'] });
    expect(evaluateTrust(statements(cond({ 'ForAnyValue:StringEquals': { [`${URL}:aud`]: 'sts.amazonaws.com' } })), multi).decision).toBe('allow');
    expect(evaluateTrust(statements(cond({ 'ForAllValues:StringEquals': { [`${URL}:aud`]: 'sts.amazonaws.com' } })), multi).decision).toBe('implicit_deny');
  });

  it('reports per statement which part failed, with the values compared', () => {
    const ev = evaluateTrust(statements(cond({ StringEquals: { [`${URL}:sub`]: 'system:serviceaccount:other:uploader' } })), req());
    const s = ev.statements[0]!;
    expect(s.principal.result).toBe(true);
    expect(s.action.result).toBe(true);
    expect(s.conditions[0]).toMatchObject({ operator: 'StringEquals', key: `${URL}:sub`, policy_values: ['system:serviceaccount:other:uploader'], request_values: [SUB], result: false });
    expect(s.applies).toBe(false);
  });

  it('rejects a policy with an invalid Effect', () => {
    expect(parseTrustPolicy({ Statement: [{ Effect: 'allow' }] })).toMatchObject({ ok: false });
    expect(parseTrustPolicy('not json')).toMatchObject({ ok: false });
  });
});

// ── properties ────────────────────────────────────────────────────────────────
const subArb = fc.constantFrom(SUB, 'system:serviceaccount:other:uploader', 'system:serviceaccount:apps:*', 'x');
const opArb = fc.constantFrom('StringEquals', 'StringLike', 'StringNotEquals', 'StringNotLike', 'StringEqualsIgnoreCase', 'ForAnyValue:StringEquals', 'ForAllValues:StringLike', 'StringEqualsIfExists');
const keyArb = fc.constantFrom(`${URL}:sub`, `${URL}:aud`, `${URL}:email`);
const stmtArb = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  Principal: fc.constantFrom<unknown>('*', { Federated: ARN }, { Federated: 'arn:aws:iam::1:oidc-provider/x' }),
  Action: fc.constantFrom('sts:AssumeRoleWithWebIdentity', 'sts:*', 'sts:AssumeRole', '*'),
  Condition: fc.dictionary(opArb, fc.dictionary(keyArb, fc.array(subArb, { minLength: 1, maxLength: 2 }), { maxKeys: 2 }), { maxKeys: 2 }),
});
const policyArb = fc.array(stmtArb, { minLength: 0, maxLength: 4 });
const denied = (d: string) => d === 'explicit_deny' || d === 'implicit_deny';

describe('evaluateTrust properties', () => {
  it('adding a Deny never turns a deny into an allow', () => {
    fc.assert(fc.property(policyArb, stmtArb, (stmts, extra) => {
      const before = evaluateTrust(statements(...stmts), req()).decision;
      const after = evaluateTrust(statements(...stmts, { ...extra, Effect: 'Deny' }), req()).decision;
      if (denied(before)) expect(denied(after)).toBe(true);
      if (after === 'allow') expect(before).toBe('allow');
    }));
  });

  it('the order of statements does not matter', () => {
    fc.assert(fc.property(policyArb, (stmts) => {
      const a = evaluateTrust(statements(...stmts), req()).decision;
      const b = evaluateTrust(statements(...[...stmts].reverse()), req()).decision;
      expect(b).toBe(a);
    }));
  });

  it('adding an Allow never turns an allow into a deny', () => {
    fc.assert(fc.property(policyArb, stmtArb, (stmts, extra) => {
      const before = evaluateTrust(statements(...stmts), req()).decision;
      const after = evaluateTrust(statements(...stmts, { ...extra, Effect: 'Allow' }), req()).decision;
      if (before === 'allow') expect(after).toBe('allow');
    }));
  });
});
