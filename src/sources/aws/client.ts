/**
 * The one AWS client factory. Default credential chain; AWS_PROFILE, AWS_REGION and
 * AWS_ENDPOINT_URL are honoured by the SDK itself; `region`, `profile` and `endpoint`
 * override per session. A session belongs to one tool call or one diagnosis: it carries the
 * call's abort signal to every request, and creates each service's client on first use.
 *
 * Start-up: an `@aws-sdk/client-*` package is loaded only when its service is first used
 * (`loadSdk`, a CommonJS require: the packages ship CJS as `main`, and requiring them is
 * cheaper than importing them as ESM). `--help`, offline token checks and the server's
 * initialize never load any.
 *
 * Only Get/List/Describe/Filter/Lookup-style operations are ever sent (see AWS_ACTIONS, which
 * the README's IAM policy mirrors; a test keeps the two in step). The single exception,
 * sts:AssumeRoleWithWebIdentity, is the opt-in probe and needs no credentials.
 */
import { createRequire } from 'node:module';
import { SourceError } from '../errors.js';

const requireCjs = createRequire(import.meta.url);

/** Loads an AWS SDK package on first use (typed by the caller with `typeof import(pkg)`). */
export function loadSdk<T>(pkg: string): T {
  // The SDK prints an eight-line warning on Node < 22 once per process. jwt-triage pins SDK
  // versions that support Node 20 (package.json), so the warning only adds noise; the SDK's
  // documented switch turns it off unless the user set it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return requireCjs(pkg) as T;
}

export interface AwsOptions {
  region?: string | undefined;
  profile?: string | undefined;
  /** Overrides AWS_ENDPOINT_URL (tests, LocalStack-style endpoints). */
  endpoint?: string | undefined;
  /** The call's cancellation: passed to every request as its abortSignal. */
  signal?: AbortSignal | undefined;
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
  'eks:DescribeCluster',
  'eks:ListPodIdentityAssociations',
  'eks:DescribePodIdentityAssociation',
  'cloudtrail:LookupEvents',
] as const;
export type AwsAction = (typeof AWS_ACTIONS)[number];

/** Per-request limits: connect 5 s, answer 15 s — and a request past its timeout THROWS (the SDK only warns by default). */
export const AWS_TIMEOUTS = { connectionTimeout: 5000, requestTimeout: 15000 } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SdkClient = { send(command: any, options?: { abortSignal?: AbortSignal }): Promise<any>; config: { region: () => Promise<string> } };
type Ctor<C> = new (config: Record<string, unknown>) => C;

export class AwsSession {
  private cache = new Map<string, unknown>();
  constructor(readonly options: AwsOptions = {}) {}

  /**
   * The service's client, created on first use. `global: true` (IAM) falls back to us-east-1
   * when no region is configured: IAM is a global service with one endpoint per partition, so
   * a missing region must not stop an IAM read (assumption: the commercial partition).
   */
  client<C extends SdkClient>(key: string, ctor: Ctor<C>, opts: { global?: boolean } = {}): C {
    let c = this.cache.get(key) as C | undefined;
    if (!c) {
      const { profile, endpoint } = this.options;
      const region = this.options.region ?? (opts.global && !process.env.AWS_REGION && !process.env.AWS_DEFAULT_REGION ? 'us-east-1' : undefined);
      c = new ctor({
        ...(region ? { region } : {}),
        ...(profile ? { profile } : {}),
        ...(endpoint ? { endpoint } : {}),
        maxAttempts: 2,
        requestHandler: { ...AWS_TIMEOUTS, throwOnRequestTimeout: true },
      });
      this.cache.set(key, c);
    }
    return c;
  }

  /** Sends one command with the session's signal; any failure becomes a classified SourceError. */
  async send<T>(action: AwsAction | string, client: SdkClient, command: unknown): Promise<T> {
    const { signal } = this.options;
    if (signal?.aborted) throw classifyAwsError(Object.assign(new Error('The call was cancelled.'), { name: 'AbortError' }), action, this.options);
    return awsCall(action, () => client.send(command, signal ? { abortSignal: signal } : undefined) as Promise<T>, this.options);
  }

  /** The region the clients will use, once resolved (for messages). */
  async region(): Promise<string | undefined> {
    if (this.options.region) return this.options.region;
    return process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  }
}

/** Builds a session from tool inputs, the environment and the call's signal. */
export function awsSession(options: AwsOptions = {}): AwsSession {
  return new AwsSession(options);
}

export type AwsErrorKind =
  | 'credentials_missing'
  | 'sso_expired'
  | 'credentials_expired'
  | 'region_missing'
  | 'access_denied'
  | 'throttled'
  | 'not_found'
  | 'timeout'
  | 'cancelled'
  | 'network'
  | 'other';

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'UnauthorizedAccess']);
const THROTTLED = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'InvalidClientTokenId', 'UnrecognizedClientException']);

/** The endpoint a request went to, for messages ("127.0.0.1:9"), from the error or the options. */
function endpointOf(e: { address?: string; port?: number }, options: AwsOptions): string | undefined {
  if (e.address) return e.port ? `${e.address}:${e.port}` : e.address;
  const url = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  if (!url) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

/**
 * Classifies an AWS SDK error thrown by `action` into a SourceError (code SOURCE_AWS) whose
 * facts carry `kind`, `aws_error` (the error name), `action` and, for access denials, nothing
 * of the caller's identity. The message never includes credentials.
 */
export function classifyAwsError(e: unknown, action: AwsAction | string, options: AwsOptions = {}): SourceError {
  if (e instanceof SourceError) return e;
  const err = e as { name?: string; message?: string; Code?: string; code?: string; address?: string; port?: number; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? err.Code ?? 'Error';
  const msg = err.message ?? '';
  const sysCode = err.code ?? (/\b(E[A-Z]{4,})\b/.exec(msg)?.[1]);
  const profile = options.profile ?? process.env.AWS_PROFILE;
  const endpoint = endpointOf(err, options);
  const facts = (kind: AwsErrorKind) => ({ kind, aws_error: name, action, http_status: err.$metadata?.httpStatusCode, ...(endpoint && (kind === 'network' || kind === 'timeout') ? { endpoint } : {}), ...(sysCode && kind === 'network' ? { cause: sysCode } : {}) });
  const mk = (kind: AwsErrorKind, text: string) => new SourceError('SOURCE_AWS', text, facts(kind), { cause: e });

  if (options.signal?.aborted || name === 'AbortError') return mk('cancelled', `${action} was cancelled (deadline or client cancellation).`);
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
  if (name === 'TimeoutError' || /requestTimeout|timed? ?out|ETIMEDOUT/i.test(`${name} ${msg}`)) {
    return mk('timeout', `The AWS endpoint${endpoint ? ` ${endpoint}` : ''} did not answer ${action} in time (connect ${AWS_TIMEOUTS.connectionTimeout / 1000} s, answer ${AWS_TIMEOUTS.requestTimeout / 1000} s).`);
  }
  if (/ECONNREFUSED|ENOTFOUND|ECONNRESET|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|socket hang up/i.test(`${name} ${msg} ${sysCode ?? ''}`)) {
    return mk('network', `Could not reach the AWS endpoint for ${action} (${sysCode ?? name}${endpoint ? ` ${endpoint}` : ''}).`);
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
