/**
 * The OpenCode Stack's facts: SSM parameters (by name, and the whole prefix for completeness),
 * the JWT ALB's listener and rules with their jwt-validation configs, and an API key's item.
 * Each is read once per call; a failed read becomes its finding and the rest goes on.
 */
import { checkAlbClaimLimits, checkAlbJwtConfig, jwtConfigsOf, type JwtRuleConfig, type SsmJwtValues } from '../checks/opencode/alb-jwt.js';
import { checkApiKeyItem, tableMissing } from '../checks/opencode/api-key.js';
import { warn, type Finding } from '../checks/finding.js';
import type { RuleFact, SsmParameterFact } from '../checks/opencode/facts.js';
import { checkSsmParameters } from '../checks/opencode/ssm.js';
import {
  EXPECTED_PARAMETERS, JWT_RULE_PRIORITIES, REDEPLOY, SSM_KEYS, apiKeysTableName, refreshAlbJwtConfig, resolveEnvironment, ssmPath, ssmPrefix, stackOfParameter, type ResolvedEnv,
} from '../presets/opencode.js';
import type { AwsSession } from '../sources/aws/client.js';
import { apiKeyItem, type ItemValue } from '../sources/aws/dynamodb.js';
import { describeListener, describeRules, type ListenerFact } from '../sources/aws/elbv2.js';
import { ssmByNames, ssmByPath } from '../sources/aws/ssm.js';
import { awsOf, once, profileOf, type AwsInput, type GatherContext } from './context.js';
import { asFailure, attempt, failureFinding, isNotFound } from './failure.js';

export interface StackInput extends AwsInput {
  env?: string | undefined;
}

export interface Stack {
  env: ResolvedEnv;
  prefix: string;
  aws: AwsSession;
  profile: string | undefined;
  key: string;
}

export function stackOf(ctx: GatherContext, input: StackInput): Stack {
  const env = resolveEnvironment(input.env, ctx.env, ctx.cwd);
  return { env, prefix: ssmPrefix(env.name), aws: awsOf(ctx, input), profile: profileOf(ctx, input), key: `${env.name}:${input.region ?? ''}:${input.profile ?? ''}` };
}

const redeployOpts = (s: Stack) => ({ redeploy: REDEPLOY, env: s.env, prefix: s.prefix });

export interface SsmGathered {
  /** By suffix under the prefix. */
  values: Map<string, SsmParameterFact>;
  /** False when SSM could not be read at all. */
  read: boolean;
  findings: Finding[];
}

/** Parameters by suffix; the missing ones → SSM_PARAMETER_MISSING (by stack). */
export function gatherSsm(ctx: GatherContext, s: Stack, suffixes: readonly string[]): Promise<SsmGathered> {
  return once(ctx, `ssm-names:${s.key}:${[...suffixes].sort().join(',')}`, async () => {
    const findings: Finding[] = [];
    const got = await attempt(findings, () => ssmByNames(s.aws, suffixes.map((x) => ssmPath(s.env.name, x))), { profile: s.profile });
    if (!got) return { values: new Map(), read: false, findings };
    const values = new Map(got.parameters.map((p) => [p.name.slice(s.prefix.length), p]));
    const missing = suffixes.filter((x) => !values.has(x));
    if (missing.length) {
      findings.push(...checkSsmParameters(missing.map((x) => ({ name: ssmPath(s.env.name, x), stack: stackOfParameter(x) })), new Set(), redeployOpts(s)).map((f) => ({ ...f, detail: f.detail.replace(/ Nothing at all exists.*$/, '') })));
    }
    return { values, read: true, findings };
  });
}

export interface SsmTreeGathered {
  parameters: SsmParameterFact[];
  pages?: number | undefined;
  truncated?: boolean | undefined;
  read: boolean;
  /** Completeness against the stacks' documented parameters (when the path is the env prefix). */
  findings: Finding[];
}

/** Every parameter under `path` (default the env prefix), paged; completeness when it is the prefix. */
export function gatherSsmTree(ctx: GatherContext, s: Stack, path = s.prefix): Promise<SsmTreeGathered> {
  return once(ctx, `ssm-path:${s.key}:${path}`, async () => {
    const findings: Finding[] = [];
    const got = await attempt(findings, () => ssmByPath(s.aws, path, { recursive: true }), { profile: s.profile });
    if (!got) return { parameters: [], read: false, findings };
    if (path.replace(/\/?$/, '/') === s.prefix) {
      const present = new Set(got.parameters.map((p) => p.name));
      findings.push(...checkSsmParameters(EXPECTED_PARAMETERS.map((p) => ({ name: s.prefix + p.suffix, stack: p.stack })), present, redeployOpts(s)));
    }
    return { parameters: got.parameters, pages: got.pages, truncated: got.truncated, read: true, findings };
  });
}

/** A value from the tree when it was read, else undefined. */
export const treeValue = (t: SsmTreeGathered, s: Stack, suffix: string) => t.parameters.find((p) => p.name === s.prefix + suffix)?.value;

export interface ListenerGathered {
  listenerArn?: string | undefined;
  listenerSource?: 'input' | 'ssm' | undefined;
  listener?: ListenerFact | undefined;
  rules?: RuleFact[] | undefined;
  findings: Finding[];
}

/** The JWT ALB's listener and its rules; the ARN from the input, else SSM. */
export function gatherListener(ctx: GatherContext, s: Stack, given?: string, fromSsm?: string): Promise<ListenerGathered> {
  return once(ctx, `listener:${s.key}:${given ?? ''}:${fromSsm ?? ''}`, async () => {
    let arn = given ?? fromSsm;
    const findings: Finding[] = [];
    const source: 'input' | 'ssm' = given ? 'input' : 'ssm';
    if (!arn) {
      const ssm = await gatherSsm(ctx, s, [SSM_KEYS.listenerArn]);
      arn = ssm.values.get(SSM_KEYS.listenerArn)?.value;
      if (!arn) return { findings: ssm.findings };
    }
    try {
      const [listener, { rules }] = await Promise.all([describeListener(s.aws, arn), describeRules(s.aws, arn)]);
      return { listenerArn: arn, listenerSource: source, listener, rules, findings };
    } catch (e) {
      if (isNotFound(e)) {
        findings.push({
          code: 'ALB_LISTENER_NOT_FOUND',
          status: 'fail',
          title: `The listener ${arn} does not exist`,
          detail: source === 'ssm' ? `The ARN comes from SSM ${s.prefix}${SSM_KEYS.listenerArn}: the API stack was deleted or replaced without updating it, or this is another account/region.` : 'Check the ARN, the account and the region.',
          evidence: { listener_arn: arn, listener_arn_source: source, aws_error: asFailure(e).facts?.aws_error },
          fix: source === 'ssm' ? `Redeploy the API stack (ENVIRONMENT=${s.env.name} ${REDEPLOY.api}), or pass region/profile for the account it lives in.` : 'aws elbv2 describe-listeners --load-balancer-arn <opencode-jwt ALB ARN> lists the right ARN.',
        });
      } else {
        findings.push(failureFinding(e, { profile: s.profile }));
      }
      return { listenerArn: arn, listenerSource: source, findings };
    }
  });
}

export interface AlbJwtGathered {
  ssm: SsmJwtValues;
  ssmRead: boolean;
  listener: ListenerGathered;
  configs: JwtRuleConfig[];
  /** The config a Bearer request meets: rule 5's, else the first jwt-validation rule's. */
  config?: JwtRuleConfig['config'];
  /** SSM reads, listener reads and the config-vs-SSM comparison. */
  findings: Finding[];
}

/** SSM's oidc values, the listener's jwt-validation configs (rules 3 and 5), their comparison, and their claims against the ALB's limits. */
export function gatherAlbJwt(ctx: GatherContext, s: Stack, listenerArn?: string): Promise<AlbJwtGathered> {
  return once(ctx, `alb-jwt:${s.key}:${listenerArn ?? ''}`, async () => {
    const keys = [SSM_KEYS.issuer, SSM_KEYS.jwksUrl, SSM_KEYS.cliClientId, ...(listenerArn ? [] : [SSM_KEYS.listenerArn])];
    const params = await gatherSsm(ctx, s, keys);
    const ssm: SsmJwtValues = { issuer: params.values.get(SSM_KEYS.issuer)?.value, jwksUrl: params.values.get(SSM_KEYS.jwksUrl)?.value, cliClientId: params.values.get(SSM_KEYS.cliClientId)?.value };
    const fromSsm = params.values.get(SSM_KEYS.listenerArn)?.value;
    const listener: ListenerGathered = listenerArn || fromSsm ? await gatherListener(ctx, s, listenerArn, fromSsm) : { findings: [] };
    const configs = jwtConfigsOf(listener.rules ?? [], JWT_RULE_PRIORITIES);
    const findings = [...params.findings, ...listener.findings];
    if (listener.rules) findings.push(...checkAlbJwtConfig(configs, ssm, refreshAlbJwtConfig(s.env.name)), ...checkAlbClaimLimits(configs));
    const config = configs.find((c) => c.priority === 5)?.config ?? configs.find((c) => c.config)?.config;
    return { ssm, ssmRead: params.read, listener, configs, config, findings };
  });
}

export interface ApiKeyGathered {
  table: { name: string; source: string };
  item?: Record<string, ItemValue> | undefined;
  /** False when the lookup could not run (table missing, AWS failure). */
  looked: boolean;
  findings: Finding[];
}

const parameterMissing = (param: string, fallback: string) =>
  warn('SSM_PARAMETER_MISSING', {
    title: `SSM parameter ${param} is missing`,
    detail: `The API stack writes it; using the stack's default table name ${fallback} instead.`,
    evidence: { parameter: param, fallback },
    fix: `Redeploy the API stack: ${REDEPLOY.api} (or pass env for the right environment).`,
  });

/** The API key's DynamoDB item by SHA-256, in the table SSM names (else the stack's default name). */
export function gatherApiKey(ctx: GatherContext, s: Stack, keyHash: string): Promise<ApiKeyGathered> {
  return once(ctx, `api-key:${s.key}:${keyHash}`, async () => {
    const suffix = 'dynamodb/api-keys-table-name';
    const param = ssmPath(s.env.name, suffix);
    const findings: Finding[] = [];
    const ssm = await gatherSsm(ctx, s, [suffix]);
    const named = ssm.values.get(suffix)?.value;
    let table: { name: string; source: string };
    if (named) table = { name: named, source: `ssm:${param}` };
    else if (ssm.read) {
      findings.push(parameterMissing(param, apiKeysTableName(s.env.name)));
      table = { name: apiKeysTableName(s.env.name), source: `preset (SSM ${param} is missing)` };
    } else {
      findings.push(...ssm.findings);
      table = { name: apiKeysTableName(s.env.name), source: `preset (SSM ${param} not readable)` };
    }
    try {
      const item = await apiKeyItem(s.aws, table.name, keyHash);
      findings.push(...checkApiKeyItem(item, ctx.now, { table: table.name, keyHash }));
      return { table, item, looked: true, findings };
    } catch (e) {
      findings.push(isNotFound(e) ? tableMissing(table.name, table.source) : failureFinding(e, { profile: s.profile }));
      return { table, looked: false, findings };
    }
  });
}
