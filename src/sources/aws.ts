/**
 * The one AWS client factory. Default credential chain; AWS_PROFILE, AWS_REGION and
 * AWS_ENDPOINT_URL are honoured by the SDK itself; `region`, `profile` and `endpoint`
 * override per call. Clients are created lazily and only for the services a tool uses.
 *
 * Only Get/List/Describe/Filter-style operations are ever sent (see AWS_ACTIONS, which
 * the README's IAM policy mirrors; a test keeps the two in step). The single exception,
 * sts:AssumeRoleWithWebIdentity, is the opt-in probe and needs no credentials.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { SourceError } from './errors.js';

export interface AwsOptions {
  region?: string | undefined;
  profile?: string | undefined;
  /** Overrides AWS_ENDPOINT_URL (tests, LocalStack-style endpoints). */
  endpoint?: string | undefined;
}

/**
 * Every IAM action jwt-triage's read-only tools call. The README's minimal policy
 * lists exactly these; `sts:AssumeRoleWithWebIdentity` (the probe) needs no policy.
 */
export const AWS_ACTIONS = [
  'ssm:GetParameters',
  'ssm:GetParametersByPath',
  'elasticloadbalancing:DescribeRules',
  'elasticloadbalancing:DescribeListeners',
  'dynamodb:GetItem',
  'ecs:DescribeTaskDefinition',
  'logs:FilterLogEvents',
  'logs:StartQuery',
  'logs:GetQueryResults',
  's3:ListBucket',
  's3:GetObject',
  'sts:GetCallerIdentity',
  'iam:ListOpenIDConnectProviders',
  'iam:GetOpenIDConnectProvider',
  'iam:GetRole',
] as const;
export type AwsAction = (typeof AWS_ACTIONS)[number];

type Ctor<C> = new (config: Record<string, unknown>) => C;

export class AwsClients {
  private cache = new Map<string, unknown>();
  constructor(readonly options: AwsOptions = {}) {}

  private get<C>(key: string, ctor: Ctor<C>): C {
    let c = this.cache.get(key) as C | undefined;
    if (!c) {
      const { region, profile, endpoint } = this.options;
      c = new ctor({
        ...(region ? { region } : {}),
        ...(profile ? { profile } : {}),
        ...(endpoint ? { endpoint } : {}),
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 15000, throwOnRequestTimeout: true },
      });
      this.cache.set(key, c);
    }
    return c;
  }

  get ssm() { return this.get('ssm', SSMClient); }
  get elbv2() { return this.get('elbv2', ElasticLoadBalancingV2Client); }
  get dynamodb() { return this.get('dynamodb', DynamoDBClient); }
  get ecs() { return this.get('ecs', ECSClient); }
  get logs() { return this.get('logs', CloudWatchLogsClient); }
  get s3() { return this.get('s3', S3Client); }
  get iam() { return this.get('iam', IAMClient); }
  get sts() { return this.get('sts', STSClient); }

  /** The region the clients will use, once resolved (for messages). */
  async region(): Promise<string | undefined> {
    try {
      return await this.ssm.config.region();
    } catch {
      return undefined;
    }
  }
}

/** Builds the factory from tool inputs and the environment. */
export function awsClients(options: AwsOptions = {}): AwsClients {
  return new AwsClients(options);
}

export type AwsErrorKind =
  | 'credentials_missing'
  | 'sso_expired'
  | 'credentials_expired'
  | 'region_missing'
  | 'access_denied'
  | 'throttled'
  | 'not_found'
  | 'network'
  | 'other';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedAccess']);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'InvalidClientTokenId', 'UnrecognizedClientException']);

/**
 * Classifies an AWS SDK error thrown by `action` into a SourceError (code SOURCE_AWS) whose
 * facts carry `kind`, `aws_error` (the error name), `action` and, for access denials, nothing
 * of the caller's identity. The message never includes credentials.
 */
export function classifyAwsError(e: unknown, action: AwsAction | string, options: AwsOptions = {}): SourceError {
  if (e instanceof SourceError) return e;
  const err = e as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? err.Code ?? 'Error';
  const msg = err.message ?? '';
  const profile = options.profile ?? process.env.AWS_PROFILE;
  const facts = (kind: AwsErrorKind) => ({ kind, aws_error: name, action, http_status: err.$metadata?.httpStatusCode });
  const mk = (kind: AwsErrorKind, text: string) => new SourceError('SOURCE_AWS', text, facts(kind), { cause: e });

  if (/region is missing/i.test(msg) || name === 'RegionMissing') {
    return mk('region_missing', `No AWS region is set for ${action}.`);
  }
  if (/sso session .*expired|token is expired|refresh.*sso|aws sso login/i.test(msg) || name === 'TokenProviderError') {
    return mk('sso_expired', `The AWS SSO session${profile ? ` for profile ${profile}` : ''} has expired.`);
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(msg)) {
    return mk('credentials_missing', `No AWS credentials found${profile ? ` for profile ${profile}` : ''} (default chain: env, SSO, config files, instance role).`);
  }
  if (EXPIRED.has(name)) return mk('credentials_expired', `AWS rejected the credentials for ${action} (${name}).`);
  if (ACCESS_DENIED.has(name)) return mk('access_denied', `AWS denied ${action} (${name}).`);
  if (THROTTLED.has(name)) return mk('throttled', `AWS throttled ${action} (${name}).`);
  if (/NotFound|NoSuch|DoesNotExist/.test(name)) return mk('not_found', `${action}: ${name}.`);
  if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|socket hang up|TimeoutError/i.test(name + ' ' + msg)) {
    return mk('network', `Could not reach the AWS endpoint for ${action} (${name}).`);
  }
  return mk('other', `${action} failed: ${name}${msg ? ` — ${msg.slice(0, 200)}` : ''}.`);
}

/** Runs one AWS call, turning any failure into a classified SourceError. */
export async function awsCall<T>(action: AwsAction | string, fn: () => Promise<T>, options?: AwsOptions): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw classifyAwsError(e, action, options);
  }
}
