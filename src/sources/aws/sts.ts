/**
 * The one non-read call jwt-triage can make, only from the opt-in probe: a real
 * sts:AssumeRoleWithWebIdentity. The call is unsigned (it needs no AWS credentials: the token
 * is the credential), so the client is configured with the no-auth scheme and never loads the
 * default credential chain. The returned credentials are dropped inside this function: only
 * the assumed-role ARN, the expiry and the identity facts STS echoes leave it.
 */
import type { GetCallerIdentityCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { SourceError } from '../errors.js';
import { AWS_TIMEOUTS, loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-sts');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-sts');

/** The caller's account id (sts:GetCallerIdentity, a read). */
export async function callerAccount(aws: AwsSession): Promise<string | undefined> {
  const { STSClient: Client, GetCallerIdentityCommand } = sdk();
  const r = await aws.send<GetCallerIdentityCommandOutput>('sts:GetCallerIdentity', aws.client('sts', Client), new GetCallerIdentityCommand({}));
  return r.Account;
}

export interface ProbeOptions {
  region?: string | undefined;
  endpoint?: string | undefined;
  durationSeconds?: number;
}

export interface ProbeSuccess {
  assumedRoleArn: string | undefined;
  expiration: string | undefined;
  subject: string | undefined;
  provider: string | undefined;
  audience: string | undefined;
}

/** The STS error as facts: its code (`InvalidIdentityToken`…), message and HTTP status. */
export interface ProbeRejection {
  code: string;
  message: string;
  httpStatus: number | undefined;
}

export function stsClient(opts: ProbeOptions): STSClient {
  return new (sdk().STSClient)({
    region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    // Unsigned: no credential chain, no SSO prompts, nothing of the caller's identity is sent.
    httpAuthSchemeProvider: () => [{ schemeId: 'smithy.api#noAuth' }],
    credentials: async () => {
      throw new Error('AssumeRoleWithWebIdentity is unsigned; no credentials are loaded');
    },
    maxAttempts: 1,
    requestHandler: { ...AWS_TIMEOUTS, throwOnRequestTimeout: true },
  });
}

export async function assumeRoleWithWebIdentity(
  roleArn: string,
  token: string,
  sessionName: string,
  opts: ProbeOptions & { signal?: AbortSignal | undefined } = {},
): Promise<{ ok: true; value: ProbeSuccess } | { ok: false; rejection: ProbeRejection }> {
  const client = stsClient(opts);
  try {
    const r = await client.send(new (sdk().AssumeRoleWithWebIdentityCommand)({ RoleArn: roleArn, RoleSessionName: sessionName, WebIdentityToken: token, DurationSeconds: opts.durationSeconds ?? 900 }), opts.signal ? { abortSignal: opts.signal } : undefined);
    // Only these facts leave; r.Credentials goes out of scope with r.
    return {
      ok: true,
      value: {
        assumedRoleArn: r.AssumedRoleUser?.Arn,
        expiration: r.Credentials?.Expiration?.toISOString(),
        subject: r.SubjectFromWebIdentityToken,
        provider: r.Provider,
        audience: r.Audience,
      },
    };
  } catch (e) {
    const err = e as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number }; $fault?: string };
    const status = err.$metadata?.httpStatusCode;
    if (status === undefined && !err.$fault) {
      throw new SourceError('SOURCE_NETWORK', `The STS endpoint could not be reached (${err.name ?? 'error'}).`, { aws_error: err.name }, { cause: e });
    }
    return { ok: false, rejection: { code: err.Code ?? err.name ?? 'Error', message: err.message ?? '', httpStatus: status } };
  } finally {
    client.destroy();
  }
}
