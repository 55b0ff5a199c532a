/**
 * The OpenCode Stack on AWS (aws-samples/sample-opencode-with-bedrock), as it really is —
 * not as the seed jwt-debug skill describes it. See README "Where the seed skill is wrong".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type EnvSource = 'input' | 'ENVIRONMENT' | 'cdk.context.json' | 'default';

export interface ResolvedEnv {
  name: string;
  /** Which source won. */
  source: EnvSource;
}

const ENV_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The environment name: the `env` input, else $ENVIRONMENT (what scripts/deploy.sh uses), else
 * `environment` in ./cdk.context.json (what the CDK app reads), else `dev`.
 */
export function resolveEnvironment(input: string | undefined, env: NodeJS.ProcessEnv, cwd: string): ResolvedEnv {
  if (input) return { name: input, source: 'input' };
  const fromEnv = env.ENVIRONMENT?.trim();
  if (fromEnv && ENV_NAME.test(fromEnv)) return { name: fromEnv, source: 'ENVIRONMENT' };
  try {
    const ctx = JSON.parse(readFileSync(join(cwd, 'cdk.context.json'), 'utf8')) as { environment?: unknown };
    if (typeof ctx.environment === 'string' && ENV_NAME.test(ctx.environment)) return { name: ctx.environment, source: 'cdk.context.json' };
  } catch {
    /* no file, or not JSON: fall through */
  }
  return { name: 'dev', source: 'default' };
}

export const ssmPrefix = (env: string) => `/opencode/${env}/`;
export const ssmPath = (env: string, suffix: string) => `/opencode/${env}/${suffix}`;

export type Stack = 'auth' | 'api' | 'distribution';

export const REDEPLOY: Record<Stack, string> = {
  auth: './scripts/deploy.sh auth',
  api: './scripts/deploy.sh api',
  distribution: './scripts/deploy.sh distribution',
};

/** The parameters the diagnosis needs, with the stack that writes each. */
export const EXPECTED_PARAMETERS: ReadonlyArray<{ suffix: string; stack: Stack }> = [
  { suffix: 'oidc/issuer', stack: 'auth' },
  { suffix: 'oidc/jwks-url', stack: 'auth' },
  { suffix: 'oidc/authorization-endpoint', stack: 'auth' },
  { suffix: 'oidc/token-endpoint', stack: 'auth' },
  { suffix: 'oidc/userinfo-endpoint', stack: 'auth' },
  { suffix: 'oidc/alb-client-id', stack: 'auth' },
  { suffix: 'oidc/cli-client-id', stack: 'auth' },
  { suffix: 'alb/jwt/listener-arn', stack: 'api' },
  { suffix: 'dynamodb/api-keys-table-name', stack: 'api' },
  { suffix: 'ecs/task-definition-arn', stack: 'api' },
];

export type ConditionSpec =
  | { field: 'path-pattern'; values: string[] }
  | { field: 'http-header'; header: string; values: string[] };

export interface RuleSpec {
  priority: number | 'default';
  name: string;
  conditions: ConditionSpec[];
  /** Action types in `Order`. */
  actions: string[];
  /** For the default rule: the fixed response. */
  fixedResponse?: { statusCode: string; messageBody: string };
}

/** The JWT ALB's listener rules as the API stack creates them. */
export const EXPECTED_RULES: readonly RuleSpec[] = [
  { priority: 1, name: 'Health check', conditions: [{ field: 'path-pattern', values: ['/health', '/health/*', '/ready'] }], actions: ['forward'] },
  { priority: 2, name: 'Client update (no auth)', conditions: [{ field: 'path-pattern', values: ['/v1/update/*'] }], actions: ['forward'] },
  {
    priority: 3,
    name: 'API key management (JWT)',
    conditions: [
      { field: 'path-pattern', values: ['/v1/api-keys*'] },
      { field: 'http-header', header: 'Authorization', values: ['Bearer*'] },
    ],
    actions: ['jwt-validation', 'forward'],
  },
  { priority: 5, name: 'JWT validation', conditions: [{ field: 'http-header', header: 'Authorization', values: ['Bearer*'] }], actions: ['jwt-validation', 'forward'] },
  { priority: 10, name: 'API key passthrough', conditions: [{ field: 'http-header', header: 'X-API-Key', values: ['oc_*'] }], actions: ['forward'] },
  {
    priority: 'default',
    name: 'Catch-all',
    conditions: [],
    actions: ['fixed-response'],
    fixedResponse: { statusCode: '403', messageBody: 'Forbidden - Authentication required' },
  },
];

/** Rules whose jwt-validation config must match SSM. */
export const JWT_RULE_PRIORITIES = [3, 5] as const;

export const apiKeysTableName = (env: string) => `opencode-api-keys-${env}`;
export const albName = (env: string) => `opencode-jwt-${env}`;
export const accessLogBucket = (env: string, account: string) => `opencode-jwt-alb-logs-${env}-${account}`;
export const ACCESS_LOG_PREFIX = 'jwt-alb';

/** Router JSON log messages worth counting. */
export const ROUTER_MESSAGES = ['Request started', 'Request completed', 'Request failed', 'API key created', 'API key revoked', 'DynamoDB lookup failed', 'Client version rejected'] as const;

/** The router's 401 error codes. */
export const ROUTER_AUTH_CODES = ['missing_credentials', 'invalid_api_key', 'revoked_api_key', 'expired_api_key'] as const;

/** Validated API keys are cached this long per ECS task. */
export const API_KEY_CACHE_SECONDS = 300;

export const REAUTH_COMMAND = 'opencode-auth login';

/** SSM suffixes the ALB tools read (under `/opencode/<env>/`). */
export const SSM_KEYS = {
  listenerArn: 'alb/jwt/listener-arn',
  issuer: 'oidc/issuer',
  jwksUrl: 'oidc/jwks-url',
  cliClientId: 'oidc/cli-client-id',
} as const;

/** Which stack writes a parameter, from its suffix (undefined when unknown). */
export function stackOfParameter(suffix: string): Stack | undefined {
  const known = EXPECTED_PARAMETERS.find((p) => p.suffix === suffix);
  if (known) return known.stack;
  if (/^(oidc|cognito)\//.test(suffix)) return 'auth';
  if (/^(alb\/oidc|web)\//.test(suffix)) return 'distribution';
  if (/^(alb\/jwt|dynamodb|ecs|target-group|api|ecr)\//.test(suffix)) return 'api';
  return undefined;
}

/** What the ALB's jwt-validation action accepts. */
export const ALB_JWT_LIMITS = {
  algs: ['RS256'],
  maxKeys: 10,
  /** 150 KB. */
  maxJwksBytes: 150 * 1024,
  maxAdditionalClaims: 10,
  reservedClaims: ['exp', 'iss', 'nbf', 'iat'],
} as const;

/** The CDK caches its SSM lookups in cdk.context.json: clear them, then redeploy the API stack. */
export const refreshAlbJwtConfig = (env: string) =>
  `npx cdk context --clear (or delete the cached "ssm:…:/opencode/${env}/oidc/…" keys from cdk.context.json), then ${REDEPLOY.api}`;
