/**
 * The OpenCode Stack's SSM parameters and JWT ALB, built in moto like the CDK app builds them:
 * default VPC/subnets, an ACM-imported certificate (openssl at test time), the ALB, the router
 * target group, an HTTP:80 → HTTPS redirect, the HTTPS:443 listener with the real rule chain
 * (jwt-validation on rules 3 and 5; default fixed-response 403), and the SSM parameters.
 *
 *   const world = await buildOpencodeWorld(moto.endpoint, { issuer, jwksUrl, cliClientId });
 *
 * `break` changes one thing at a time. Data parts (DynamoDB, ECS, logs, S3) live in
 * ./opencode-world-data.ts. SSM parameters are written with Overwrite, so either builder may
 * run first.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client, type Action, type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

export const ACCOUNT_ID = '123456789012';

export interface RuleInput {
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
}

export interface WorldBreak {
  /** SSM suffixes not written (e.g. ['oidc/issuer']). */
  omitParameters?: string[];
  /** Value of alb/jwt/listener-arn instead of the real ARN. */
  listenerArnParameter?: string;
  /** Rewrites the rule chain before it is created (drop, move, add rules). */
  rules?: (chain: RuleInput[], world: { targetGroupArn: string }) => RuleInput[];
  /** The listener's default action instead of fixed-response 403. */
  defaultAction?: Action;
  /** What the ALB's jwt-validation holds, when it differs from SSM (stale CDK context). */
  albIssuer?: string;
  albJwksUrl?: string;
  albClientId?: string;
}

export interface WorldOptions {
  env?: string;
  region?: string;
  issuer: string;
  jwksUrl: string;
  cliClientId: string;
  albClientId?: string;
  /** The plaintext of a SecureString parameter (oidc/alb-client-secret) — a canary for redaction tests. */
  secureValue?: string;
  break?: WorldBreak;
}

export interface OpencodeWorld {
  env: string;
  region: string;
  accountId: string;
  loadBalancerArn: string;
  listenerArn: string;
  httpListenerArn: string;
  targetGroupArn: string;
  certificateArn: string;
  /** Rule ARN by priority. */
  ruleArns: Record<number, string>;
  /** SSM values written, by suffix (SecureString included, as written). */
  ssm: Record<string, string>;
  prefix: string;
}

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** A raw call for the services the project has no SDK client for (EC2 query, ACM JSON). moto does not check signatures. */
async function raw(endpoint: string, region: string, service: string, body: string, headers: Record<string, string>): Promise<string> {
  const r = await fetch(endpoint + '/', {
    method: 'POST',
    headers: { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0` },
    body,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`moto ${service} call failed: ${r.status} ${text.slice(0, 300)}`);
  return text;
}

export async function defaultSubnets(endpoint: string, region: string): Promise<{ vpcId: string; subnets: string[] }> {
  const xml = await raw(endpoint, region, 'ec2', 'Action=DescribeSubnets&Version=2016-11-15', { 'content-type': 'application/x-www-form-urlencoded' });
  const subnets = [...xml.matchAll(/<subnetId>([^<]+)<\/subnetId>/g)].map((m) => m[1]!);
  const vpcId = /<vpcId>([^<]+)<\/vpcId>/.exec(xml)?.[1];
  if (!vpcId || subnets.length < 2) throw new Error('moto has no default VPC with two subnets');
  return { vpcId, subnets: subnets.slice(0, 2) };
}

let certCache: { cert: string; key: string } | undefined;
function selfSignedCert(): { cert: string; key: string } {
  if (certCache) return certCache;
  const dir = mkdtempSync(join(tmpdir(), 'opencode-world-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-subj', '/CN=api.opencode.example.com'], { stdio: 'pipe' });
  certCache = { cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8') };
  return certCache;
}

export async function importCertificate(endpoint: string, region: string): Promise<string> {
  const { cert, key } = selfSignedCert();
  const out = await raw(endpoint, region, 'acm', JSON.stringify({ Certificate: Buffer.from(cert).toString('base64'), PrivateKey: Buffer.from(key).toString('base64') }), {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'CertificateManager.ImportCertificate',
  });
  return (JSON.parse(out) as { CertificateArn: string }).CertificateArn;
}

/** The chain src/stacks/api-stack.ts creates (priorities 1, 2, 3, 5, 10). */
export function realChain(tg: string, jwt: { issuer: string; jwksUrl: string; clientId: string }): RuleInput[] {
  const jwtValidation: Action = {
    Type: 'jwt-validation',
    Order: 1,
    JwtValidationConfig: { JwksEndpoint: jwt.jwksUrl, Issuer: jwt.issuer, AdditionalClaims: [{ Name: 'aud', Format: 'single-string', Values: [jwt.clientId] }] },
  };
  const forward = (order?: number): Action => ({ Type: 'forward', TargetGroupArn: tg, ...(order ? { Order: order } : {}) });
  const bearer: RuleCondition = { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'Authorization', Values: ['Bearer*'] } };
  return [
    { priority: 10, conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-API-Key', Values: ['oc_*'] } }], actions: [forward()] },
    // Actions listed forward-first on purpose: DescribeRules keeps this order; Order decides.
    { priority: 5, conditions: [bearer], actions: [forward(2), jwtValidation] },
    { priority: 3, conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/api-keys*'] } }, bearer], actions: [jwtValidation, forward(2)] },
    { priority: 1, conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/health', '/health/*', '/ready'] } }], actions: [forward()] },
    { priority: 2, conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/update/*'] } }], actions: [forward()] },
  ];
}

export async function buildOpencodeWorld(endpoint: string, opts: WorldOptions): Promise<OpencodeWorld> {
  const env = opts.env ?? 'dev';
  const region = opts.region ?? 'us-east-1';
  const brk = opts.break ?? {};
  const cfg = { endpoint, region, credentials };
  const elb = new ElasticLoadBalancingV2Client(cfg);
  const ssm = new SSMClient(cfg);

  const { vpcId, subnets } = await defaultSubnets(endpoint, region);
  const certificateArn = await importCertificate(endpoint, region);
  const lb = await elb.send(new CreateLoadBalancerCommand({ Name: `opencode-jwt-${env}`, Subnets: subnets, Type: 'application', Scheme: 'internet-facing' }));
  const lbArn = lb.LoadBalancers![0]!.LoadBalancerArn!;
  const tg = await elb.send(new CreateTargetGroupCommand({ Name: `opencode-router-${env}`, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health' }));
  const targetGroupArn = tg.TargetGroups![0]!.TargetGroupArn!;
  const http = await elb.send(new CreateListenerCommand({
    LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80,
    DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
  }));
  const https = await elb.send(new CreateListenerCommand({
    LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: certificateArn }],
    DefaultActions: [brk.defaultAction ?? { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden - Authentication required' } }],
  }));
  const listenerArn = https.Listeners![0]!.ListenerArn!;

  const albJwt = { issuer: brk.albIssuer ?? opts.issuer, jwksUrl: brk.albJwksUrl ?? opts.jwksUrl, clientId: brk.albClientId ?? opts.cliClientId };
  let chain = realChain(targetGroupArn, albJwt);
  if (brk.rules) chain = brk.rules(chain, { targetGroupArn });
  const ruleArns: Record<number, string> = {};
  for (const r of chain) {
    const out = await elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: r.priority, Conditions: r.conditions, Actions: r.actions }));
    ruleArns[r.priority] = out.Rules![0]!.RuleArn!;
  }

  const pool = `${region}_Abc123XyZ`;
  const values: Record<string, string> = {
    'oidc/issuer': opts.issuer,
    'oidc/jwks-url': opts.jwksUrl,
    'oidc/authorization-endpoint': `https://opencode-${env}.auth.${region}.amazoncognito.com/oauth2/authorize`,
    'oidc/token-endpoint': `https://opencode-${env}.auth.${region}.amazoncognito.com/oauth2/token`,
    'oidc/userinfo-endpoint': `https://opencode-${env}.auth.${region}.amazoncognito.com/oauth2/userInfo`,
    'oidc/alb-client-id': opts.albClientId ?? '4albclient0000000000000000',
    'oidc/cli-client-id': opts.cliClientId,
    'cognito/user-pool-id': pool,
    'cognito/user-pool-arn': `arn:aws:cognito-idp:${region}:${ACCOUNT_ID}:userpool/${pool}`,
    'alb/jwt/arn': lbArn,
    'alb/jwt/dns-name': lb.LoadBalancers![0]!.DNSName ?? `opencode-jwt-${env}.elb.amazonaws.com`,
    'alb/jwt/listener-arn': brk.listenerArnParameter ?? listenerArn,
    'dynamodb/api-keys-table-name': `opencode-api-keys-${env}`,
    'ecs/task-definition-arn': `arn:aws:ecs:${region}:${ACCOUNT_ID}:task-definition/OpencodeApiStack${env}RouterTaskDef:1`,
    'target-group/router-arn': targetGroupArn,
  };
  const prefix = `/opencode/${env}/`;
  for (const [suffix, value] of Object.entries(values)) {
    if (brk.omitParameters?.includes(suffix)) continue;
    await ssm.send(new PutParameterCommand({ Name: prefix + suffix, Value: value, Type: 'String', Overwrite: true }));
  }
  if (opts.secureValue !== undefined) {
    values['oidc/alb-client-secret'] = opts.secureValue;
    await ssm.send(new PutParameterCommand({ Name: `${prefix}oidc/alb-client-secret`, Value: opts.secureValue, Type: 'SecureString', Overwrite: true }));
  }
  for (const s of brk.omitParameters ?? []) delete values[s];
  return {
    env, region, accountId: ACCOUNT_ID, loadBalancerArn: lbArn, listenerArn, httpListenerArn: http.Listeners![0]!.ListenerArn!,
    targetGroupArn, certificateArn, ruleArns, ssm: values, prefix,
  };
}
