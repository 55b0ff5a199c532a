import { describe, expect, it } from 'vitest';
import { awsFailure, fetchFailure } from '../../src/checks/source-failure.js';
import { classifyAwsError } from '../../src/sources/aws/client.js';

// The SDK error shapes below are what AWS SDK v3 throws; moto cannot produce credential,
// SSO or region failures, so they are built here as plain objects of the same shape.
const sdkError = (name: string, message = '', status?: number) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

describe('classifyAwsError → awsFailure', () => {
  const table: Array<[string, unknown, string, RegExp]> = [
    ['no credentials', sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), 'AWS_CREDENTIALS_MISSING', /aws sso login --profile dev/],
    ['an expired SSO session', sdkError('TokenProviderError', 'The SSO session associated with this profile has expired or is otherwise invalid. To refresh this SSO session run aws sso login with the corresponding profile.'), 'AWS_SSO_EXPIRED', /aws sso login --profile dev/],
    ['rejected credentials', sdkError('ExpiredTokenException', 'The security token included in the request is expired', 400), 'AWS_SSO_EXPIRED', /aws sso login/],
    ['no region', sdkError('Error', 'Region is missing'), 'AWS_REGION_MISSING', /export AWS_REGION=/],
    ['access denied', sdkError('AccessDeniedException', 'User: arn:aws:sts::1:assumed-role/x is not authorized', 400), 'CHECK_PERMISSION_DENIED', /Allow ssm:GetParameters/],
    ['throttling', sdkError('ThrottlingException', 'Rate exceeded', 400), 'AWS_THROTTLED', /Retry/],
    ['anything else', sdkError('ValidationException', 'bad', 400), 'AWS_CALL_FAILED', /AWS error name/],
  ];
  it.each(table)('maps %s to its finding with a concrete fix', (_what, err, code, fix) => {
    const f = awsFailure(classifyAwsError(err, 'ssm:GetParameters', { profile: 'dev' }), { profile: 'dev' });
    expect(f.code).toBe(code);
    expect(f.status).toBe('error');
    expect(f.fix).toMatch(fix);
    expect(f.evidence.action).toBe('ssm:GetParameters');
  });
});

describe('fetchFailure', () => {
  it('keeps the classified cause and gives the fix for it', () => {
    const f = fetchFailure('JWKS_UNREACHABLE', 'The JWKS', { code: 'SOURCE_TLS_UNTRUSTED', message: 'not trusted', facts: { host: 'h' } });
    expect(f).toMatchObject({ code: 'JWKS_UNREACHABLE', status: 'error', evidence: { cause: 'SOURCE_TLS_UNTRUSTED', host: 'h' } });
    expect(f.fix).toMatch(/NODE_EXTRA_CA_CERTS/);
  });
});
