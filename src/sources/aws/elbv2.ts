/**
 * The load balancer's listener and rules (paged; actions sorted by Order; no client secrets:
 * DescribeRules echoes an authenticate-oidc ClientSecret back, and it is never copied).
 */
import type { Action, DescribeListenersCommandOutput, DescribeRulesCommandOutput, Rule, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ActionFact, ConditionFact, RuleFact } from '../../checks/opencode/facts.js';
import { loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-elastic-load-balancing-v2');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-elastic-load-balancing-v2');
const client = (aws: AwsSession) => aws.client('elbv2', sdk().ElasticLoadBalancingV2Client);

const MAX_PAGES = 50;

export interface ListenerFact {
  arn: string;
  protocol?: string;
  port?: number;
  loadBalancerArn?: string;
}

/** Throws a SourceError with facts.kind 'not_found' when the listener does not exist. */
export async function describeListener(aws: AwsSession, arn: string): Promise<ListenerFact> {
  const { DescribeListenersCommand } = sdk();
  const out = await aws.send<DescribeListenersCommandOutput>('elasticloadbalancing:DescribeListeners', client(aws), new DescribeListenersCommand({ ListenerArns: [arn] }));
  const l = out.Listeners?.[0];
  return { arn: l?.ListenerArn ?? arn, protocol: l?.Protocol, port: l?.Port, loadBalancerArn: l?.LoadBalancerArn };
}

export async function describeRules(aws: AwsSession, listenerArn: string, opts: { pageSize?: number } = {}): Promise<{ rules: RuleFact[]; pages: number }> {
  const { DescribeRulesCommand } = sdk();
  const rules: RuleFact[] = [];
  let marker: string | undefined;
  let pages = 0;
  do {
    const out = await aws.send<DescribeRulesCommandOutput>('elasticloadbalancing:DescribeRules', client(aws),
      new DescribeRulesCommand({ ListenerArn: listenerArn, Marker: marker, PageSize: opts.pageSize ?? 100 }));
    pages++;
    rules.push(...(out.Rules ?? []).map(ruleFact));
    marker = out.NextMarker;
  } while (marker && pages < MAX_PAGES);
  return { rules, pages };
}

export function ruleFact(r: Rule): RuleFact {
  const isDefault = r.IsDefault === true || r.Priority === 'default';
  const actions = (r.Actions ?? [])
    .map((a, i) => [actionFact(a), i] as const)
    .sort((x, y) => (x[0].order ?? Number.MAX_SAFE_INTEGER) - (y[0].order ?? Number.MAX_SAFE_INTEGER) || x[1] - y[1])
    .map(([a]) => a);
  const fact: RuleFact = { priority: isDefault ? 'default' : Number(r.Priority), conditions: (r.Conditions ?? []).map(conditionFact), actions };
  if (r.RuleArn) fact.arn = r.RuleArn;
  return fact;
}

function conditionFact(c: RuleCondition): ConditionFact {
  const field = c.Field ?? 'unknown';
  const withRegex = (f: ConditionFact, regex: string[] | undefined): ConditionFact => (regex?.length ? { ...f, regexValues: regex } : f);
  switch (field) {
    case 'path-pattern':
      return withRegex({ field, values: c.PathPatternConfig?.Values ?? c.Values ?? [] }, c.PathPatternConfig?.RegexValues);
    case 'host-header':
      return withRegex({ field, values: c.HostHeaderConfig?.Values ?? c.Values ?? [] }, c.HostHeaderConfig?.RegexValues);
    case 'http-header':
      return withRegex({ field, header: c.HttpHeaderConfig?.HttpHeaderName ?? '', values: c.HttpHeaderConfig?.Values ?? [] }, c.HttpHeaderConfig?.RegexValues);
    case 'http-request-method':
      return { field, values: c.HttpRequestMethodConfig?.Values ?? c.Values ?? [] };
    case 'query-string':
      return { field, values: (c.QueryStringConfig?.Values ?? []).map((kv) => (kv.Key ? `${kv.Key}=${kv.Value ?? ''}` : (kv.Value ?? ''))) };
    case 'source-ip':
      return { field, values: c.SourceIpConfig?.Values ?? c.Values ?? [] };
    default:
      return { field, values: c.Values ?? [] };
  }
}

function actionFact(a: Action): ActionFact {
  const fact: ActionFact = { type: a.Type ?? 'unknown' };
  if (a.Order !== undefined) fact.order = a.Order;
  const tgs = [a.TargetGroupArn, ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn)].filter((x): x is string => Boolean(x));
  if (tgs.length) fact.targetGroupArns = [...new Set(tgs)];
  if (a.FixedResponseConfig) {
    const f = a.FixedResponseConfig;
    fact.fixedResponse = { statusCode: f.StatusCode ?? '', ...(f.ContentType ? { contentType: f.ContentType } : {}), ...(f.MessageBody !== undefined ? { messageBody: f.MessageBody } : {}) };
  }
  if (a.JwtValidationConfig) {
    const j = a.JwtValidationConfig;
    fact.jwtValidation = {
      jwksEndpoint: j.JwksEndpoint ?? '',
      issuer: j.Issuer ?? '',
      additionalClaims: (j.AdditionalClaims ?? []).map((c) => ({ name: c.Name ?? '', format: c.Format ?? '', values: c.Values ?? [] })),
    };
  }
  if (a.RedirectConfig) {
    const r = a.RedirectConfig;
    fact.redirect = { statusCode: r.StatusCode ?? '', protocol: r.Protocol, host: r.Host, port: r.Port, path: r.Path };
  }
  // ClientSecret is echoed back by DescribeRules for authenticate-oidc: it is never copied.
  if (a.AuthenticateOidcConfig) {
    const o = a.AuthenticateOidcConfig;
    fact.authenticate = { issuer: o.Issuer, clientId: o.ClientId, onUnauthenticatedRequest: o.OnUnauthenticatedRequest, authorizationEndpoint: o.AuthorizationEndpoint, tokenEndpoint: o.TokenEndpoint, userInfoEndpoint: o.UserInfoEndpoint, scope: o.Scope };
  }
  if (a.AuthenticateCognitoConfig) {
    const c = a.AuthenticateCognitoConfig;
    fact.authenticate = { userPoolClientId: c.UserPoolClientId, onUnauthenticatedRequest: c.OnUnauthenticatedRequest };
  }
  return fact;
}
