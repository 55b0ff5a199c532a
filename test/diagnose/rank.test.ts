import { describe, expect, it } from 'vitest';
import { fail, pass, warn, error } from '../../src/checks/finding.js';
import { rank } from '../../src/diagnose/rank.js';

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
    expect(rank([f('TRUST_CONDITION_SUB_MISMATCH'), f('TRUST_ACTION_MISSING')]).root?.code).toBe('TRUST_CONDITION_SUB_MISMATCH');
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
