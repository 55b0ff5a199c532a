import { describe, expect, it } from 'vitest';
import { fail, pass, warn, error } from '../../src/checks/finding.js';
import { PRECEDENCE, rank } from '../../src/diagnose/rank.js';

const f = (code: Parameters<typeof fail>[0]) => fail(code, { title: code });

describe('rank', () => {
  it('puts TOKEN_WRONG_TYPE before the TOKEN_AUDIENCE_MISMATCH it explains', () => {
    const r = rank([f('TOKEN_AUDIENCE_MISMATCH'), f('TOKEN_WRONG_TYPE')]);
    expect(r.root?.code).toBe('TOKEN_WRONG_TYPE');
    expect(r.also.map((x) => x.code)).toEqual(['TOKEN_AUDIENCE_MISMATCH']);
  });

  it('puts JWKS_KID_NOT_FOUND before SIGNATURE_INVALID, and an unreachable JWKS before both', () => {
    expect(rank([f('SIGNATURE_INVALID'), f('JWKS_KID_NOT_FOUND')]).root?.code).toBe('JWKS_KID_NOT_FOUND');
    expect(rank([f('SIGNATURE_INVALID'), f('JWKS_UNREACHABLE'), f('JWKS_KID_NOT_FOUND')]).root?.code).toBe('JWKS_UNREACHABLE');
  });

  it('ranks a stale ALB config before the issuer mismatch it causes', () => {
    expect(rank([f('TOKEN_ISSUER_MISMATCH'), f('ALB_JWT_CONFIG_MISMATCH')]).root?.code).toBe('ALB_JWT_CONFIG_MISMATCH');
  });

  it('keeps the checks\' order for codes outside the causal order', () => {
    expect(rank([f('LOGS_ERRORS_FOUND'), f('JWKS_SETS_DIFFER')]).root?.code).toBe('LOGS_ERRORS_FOUND');
  });

  it('names the cause, not the symptom, for every pair of the precedence table (either order)', () => {
    for (const p of PRECEDENCE) {
      for (const effect of p.explains) {
        if (effect === p.cause) continue;
        for (const list of [[f(effect), f(p.cause)], [f(p.cause), f(effect)]]) {
          const r = rank(list);
          expect(r.root?.code, `${p.cause} explains ${effect}`).toBe(p.cause);
          expect(r.also.map((x) => x.code)).toEqual([effect]);
        }
      }
    }
  });

  it('a * inside StringEquals is the root cause of the sub mismatch it causes', () => {
    expect(rank([f('TRUST_CONDITION_SUB_MISMATCH'), f('TRUST_WILDCARD_IN_STRINGEQUALS')]).root?.code).toBe('TRUST_WILDCARD_IN_STRINGEQUALS');
  });

  it('a stale ALB config is the root cause of the kid its old JWKS lacks', () => {
    expect(rank([f('JWKS_KID_NOT_FOUND'), f('ALB_JWT_CONFIG_MISMATCH')]).root?.code).toBe('ALB_JWT_CONFIG_MISMATCH');
  });

  it('lists the same failure once', () => {
    const r = rank([f('TOKEN_EXPIRED'), f('SSM_PARAMETER_MISSING'), f('SSM_PARAMETER_MISSING')]);
    expect(r.also.map((x) => x.code)).toEqual(['TOKEN_EXPIRED']);
  });

  it('has no root cause when nothing fails, and separates warnings and errors', () => {
    const r = rank([pass('TOKEN_EXPIRED', { title: 'ok' }), warn('DISCOVERY_SLOW', { title: 'slow' }), error('AWS_THROTTLED', { title: 'x' })]);
    expect(r.root).toBeUndefined();
    expect(r.warnings.map((x) => x.code)).toEqual(['DISCOVERY_SLOW']);
    expect(r.errors.map((x) => x.code)).toEqual(['AWS_THROTTLED']);
  });
});

describe('rank with could-not-check errors', () => {
  it('takes an unreachable JWKS as the likely root cause when nothing failed outright', () => {
    const r = rank([pass('TOKEN_EXPIRED', { title: 'ok' }), error('JWKS_UNREACHABLE', { title: 'down' })]);
    expect(r.root?.code).toBe('JWKS_UNREACHABLE');
    expect(r.likely).toBe(true);
  });
  it('prefers a proven failure over a likely one', () => {
    const r = rank([error('JWKS_UNREACHABLE', { title: 'down' }), fail('TOKEN_EXPIRED', { title: 'expired' })]);
    expect(r.root?.code).toBe('TOKEN_EXPIRED');
    expect(r.likely).toBeUndefined();
  });
  it('does not take an AWS permission error as a root cause', () => {
    expect(rank([error('CHECK_PERMISSION_DENIED', { title: 'denied' })]).root).toBeUndefined();
  });
});
