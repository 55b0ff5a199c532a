import { describe, expect, it } from 'vitest';
import { checkStsEvents, forRole, stsEventOf } from '../../../src/checks/cloudtrail/sts-events.js';

const PROVIDER = 'oidc.eks.us-east-1.amazonaws.com/id/ABC123';
const failed = (over: Record<string, unknown> = {}) => ({
  eventName: 'AssumeRoleWithWebIdentity', eventTime: '2026-09-21T10:00:00Z', awsRegion: 'us-east-1',
  userIdentity: { type: 'WebIdentityUser', principalId: `${PROVIDER}:sts.amazonaws.com:system:serviceaccount:apps:uploader`, identityProvider: PROVIDER },
  requestParameters: { roleArn: 'arn:aws:iam::123456789012:role/uploader', roleSessionName: 'botocore-session-1' },
  errorCode: 'AccessDenied', errorMessage: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  ...over,
});

describe('stsEventOf', () => {
  it('reads subject and audience from principalId when the sub holds colons', () => {
    const e = stsEventOf('e1', undefined, failed());
    expect(e).toMatchObject({ provider: PROVIDER, audience: 'sts.amazonaws.com', subject: 'system:serviceaccount:apps:uploader', error_code: 'AccessDenied', case: 'trust_denied', time: '2026-09-21T10:00:00Z' });
  });
  it('prefers responseElements on success, and has no case', () => {
    const e = stsEventOf('e2', undefined, failed({ errorCode: undefined, errorMessage: undefined, responseElements: { provider: PROVIDER, subjectFromWebIdentityToken: 'system:serviceaccount:apps:x', audience: 'aud-x' } }));
    expect(e).toMatchObject({ subject: 'system:serviceaccount:apps:x', audience: 'aud-x', case: null, error_code: null });
  });
  it('removes a JWT from the error message', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    expect(stsEventOf('e3', undefined, failed({ errorMessage: `bad ${jwt}` })).error_message).toBe('bad [token removed]');
  });
  it('filters by role ARN or name', () => {
    const e = stsEventOf('e1', undefined, failed());
    expect(forRole(e, 'uploader')).toBe(true);
    expect(forRole(e, 'arn:aws:iam::123456789012:role/other')).toBe(false);
  });
});

describe('checkStsEvents', () => {
  const where = { window: 'last 24 h', region: 'us-east-1', truncated: false };
  it('CLOUDTRAIL_STS_FAILURES: one finding per error case, with the catalogue\'s meaning', () => {
    const events = [stsEventOf('1', undefined, failed()), stsEventOf('2', undefined, failed()), stsEventOf('3', undefined, failed({ errorCode: 'InvalidIdentityToken', errorMessage: 'No OpenIDConnect provider found in your account for https://x' }))];
    const f = checkStsEvents(events, where);
    expect(f.map((x) => [x.code, x.status, x.evidence.case, x.evidence.count])).toEqual([['CLOUDTRAIL_STS_FAILURES', 'fail', 'trust_denied', 2], ['CLOUDTRAIL_STS_FAILURES', 'fail', 'provider_not_found', 1]]);
    expect(f[0]!.detail).toMatch(/TRUST policy/);
  });
  it('CLOUDTRAIL_NO_EVENTS warns and says verification-key failures are not logged', () => {
    const f = checkStsEvents([], where);
    expect(f[0]!.code).toBe('CLOUDTRAIL_NO_EVENTS');
    expect(f[0]!.detail).toMatch(/Couldn't retrieve verification key" failures .* are not logged/);
  });
  it('passes when every call succeeded', () => {
    expect(checkStsEvents([stsEventOf('1', undefined, failed({ errorCode: undefined }))], where)[0]!.status).toBe('pass');
  });
});
