/**
 * find_sts_failures end to end on the real SDK path. moto 5.2.1 has CloudTrail trails but not
 * LookupEvents, so a loopback stand-in speaking CloudTrail's AWS JSON 1.1 protocol (POST /,
 * X-Amz-Target …CloudTrail_20131101.LookupEvents) serves the events, reached through
 * AWS_ENDPOINT_URL_CLOUDTRAIL. It pages two events at a time, so paging is exercised.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codes, run, runOk } from '../helpers/ctx.js';
import { startAwsStandin, type AwsStandin } from '../helpers/aws-standins.js';
import { NOW_DATE } from '../helpers/tokens.js';

const PROVIDER = 'oidc.eks.us-east-1.amazonaws.com/id/ABC123';
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.Y2FuYXJ5c2lnbmF0dXJl';
const ago = (min: number) => new Date(NOW_DATE.getTime() - min * 60000);
function event(min: number, role: string, over: Record<string, unknown> = {}) {
  return {
    eventTime: ago(min),
    record: {
      eventVersion: '1.08', eventSource: 'sts.amazonaws.com', eventName: 'AssumeRoleWithWebIdentity', awsRegion: 'us-east-1', eventTime: ago(min).toISOString(),
      userIdentity: { type: 'WebIdentityUser', principalId: `${PROVIDER}:sts.amazonaws.com:system:serviceaccount:apps:uploader`, userName: 'system:serviceaccount:apps:uploader', identityProvider: PROVIDER },
      requestParameters: { roleArn: `arn:aws:iam::123456789012:role/${role}`, roleSessionName: 'botocore-session-1' },
      sourceIPAddress: '203.0.113.7', userAgent: 'Boto3/1.34',
      ...over,
    },
  };
}

describe('find_sts_failures against a CloudTrail JSON 1.1 stand-in', () => {
  let ct: AwsStandin;
  const saved = { ...process.env };
  beforeAll(async () => {
    ct = await startAwsStandin();
    Object.assign(process.env, { AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
    ct.events = [
      event(10, 'uploader', { errorCode: 'AccessDenied', errorMessage: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' }),
      event(20, 'uploader', { errorCode: 'AccessDenied', errorMessage: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' }),
      event(30, 'uploader', { errorCode: 'InvalidIdentityToken', errorMessage: `No OpenIDConnect provider found in your account for https://${PROVIDER} ${JWT}` }),
      event(40, 'uploader', { responseElements: { provider: PROVIDER, subjectFromWebIdentityToken: 'system:serviceaccount:apps:uploader', audience: 'sts.amazonaws.com' } }),
      event(50, 'other', { errorCode: 'AccessDenied', errorMessage: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' }),
      event(60 * 30, 'uploader', { errorCode: 'AccessDenied', errorMessage: 'outside the window' }),
    ];
  });
  afterAll(async () => {
    process.env = saved;
    await ct?.close();
  });

  it('CLOUDTRAIL_STS_FAILURES: lists the role\'s calls in the window, paged, each failure explained; the token never appears', async () => {
    ct.hits.length = 0;
    const r = await runOk('find_sts_failures', { role: 'uploader', since: '6h' });
    expect(ct.hits.filter((h) => h === 'cloudtrail:LookupEvents').length).toBeGreaterThan(1);
    expect(r.output.events_total).toBe(4);
    expect(r.output.failures).toBe(3);
    const failures = (r.output.findings as Array<{ code: string; status: string; evidence: { case: string; count: number } }>).filter((f) => f.status === 'fail');
    expect(failures.map((f) => [f.code, f.evidence.case, f.evidence.count])).toEqual([['CLOUDTRAIL_STS_FAILURES', 'trust_denied', 2], ['CLOUDTRAIL_STS_FAILURES', 'provider_not_found', 1]]);
    const first = (r.output.events as Array<Record<string, unknown>>)[0]!;
    expect(first).toMatchObject({ subject: 'system:serviceaccount:apps:uploader', audience: 'sts.amazonaws.com', provider: PROVIDER, error_code: 'AccessDenied', case: 'trust_denied' });
    expect(r.text).toContain("Couldn't retrieve verification key");
    expect(JSON.stringify(r.output) + r.text).not.toContain(JWT);
  });

  it('CLOUDTRAIL_NO_EVENTS for a role with no calls, saying what is never logged', async () => {
    const r = await runOk('find_sts_failures', { role: 'nobody', since: '6h' });
    expect(codes(r.output, 'warn')).toEqual(['CLOUDTRAIL_NO_EVENTS']);
  });

  it('a throttled LookupEvents is an AWS_THROTTLED finding; a bad window is a usage error', async () => {
    ct.fail = { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' };
    try {
      const r = await runOk('find_sts_failures', { since: '1h' });
      expect(codes(r.output, 'error')).toEqual(['AWS_THROTTLED']);
    } finally {
      ct.fail = undefined;
    }
    const bad = await run('find_sts_failures', { since: 'yesterday' });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? '' : bad.message).toMatch(/30m, 6h, 7d/);
    const far = await run('find_sts_failures', { since: '200d' });
    expect(far.ok ? '' : far.message).toMatch(/90 days/);
  });
});
