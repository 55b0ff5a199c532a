/**
 * The OpenCode distribution ALB's authenticate-oidc rule: the listener (SSM
 * `alb/oidc/listener-arn` or given), its rules, the SSM values it should hold, the issuer's
 * discovery document, and the DNS of the IdP endpoints the ALB calls — judged by
 * checks/opencode/alb-oidc.ts. Source failures become findings.
 */
import { checkCallback, checkIpv4, checkOidcConfig, checkUnauthenticated, findOidcRule, hostOf, type DiscoveryEndpoints, type EndpointDns } from '../checks/opencode/alb-oidc.js';
import { checkSsmParameters } from '../checks/opencode/ssm.js';
import { awsFailure, fetchFailure } from '../checks/source-failure.js';
import type { Finding } from '../checks/finding.js';
import { awsSession } from '../sources/aws/client.js';
import { describeListener, describeRules } from '../sources/aws/elbv2.js';
import { ssmByNames } from '../sources/aws/ssm.js';
import { resolveAddresses } from '../sources/dns.js';
import { SourceError } from '../sources/errors.js';
import type { HttpPolicy } from '../sources/http.js';
import { fetchDiscovery } from '../sources/oidc.js';
import { isNotFound } from './failure.js';

export interface AlbOidcInput {
  env: string;
  listenerArn?: string | undefined;
  allowedCallbackUrls?: string[] | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  http: HttpPolicy;
  signal?: AbortSignal | undefined;
  dnsTimeoutMs?: number | undefined;
}

export interface AlbOidcResult {
  findings: Finding[];
  listener_arn: string | null;
  rule_priority: number | 'default' | null;
  issuer: string | null;
  client_id: string | null;
  on_unauthenticated_request: string | null;
  callback_urls: string[];
}

const SUFFIXES = ['alb/oidc/listener-arn', 'alb/oidc/dns-name', 'web/dns-name', 'oidc/alb-client-id', 'oidc/issuer'] as const;

export async function gatherAlbOidc(input: AlbOidcInput): Promise<AlbOidcResult> {
  const prefix = `/opencode/${input.env}/`;
  const aws = awsSession({ region: input.region, profile: input.profile, signal: input.signal });
  const empty: AlbOidcResult = { findings: [], listener_arn: input.listenerArn ?? null, rule_priority: null, issuer: null, client_id: null, on_unauthenticated_request: null, callback_urls: [] };
  const awsFail = (e: unknown) => {
    if (e instanceof SourceError && e.code === 'SOURCE_AWS') return awsFailure(e, { profile: input.profile });
    throw e;
  };
  let ssm: Record<string, string> = {};
  try {
    const r = await ssmByNames(aws, SUFFIXES.map((s) => prefix + s));
    ssm = Object.fromEntries(r.parameters.filter((p) => p.value !== undefined).map((p) => [p.name.slice(prefix.length), p.value!]));
    const expected = SUFFIXES.filter((s) => s !== 'web/dns-name' && (s !== 'alb/oidc/listener-arn' || !input.listenerArn)).map((s) => ({ name: prefix + s, stack: s.startsWith('oidc/') ? 'auth' : 'distribution' }));
    const missing = checkSsmParameters(expected, new Set(r.parameters.map((p) => p.name)), { redeploy: { auth: './scripts/deploy.sh auth', distribution: './scripts/deploy.sh distribution' }, env: { name: input.env, source: 'env input' }, prefix });
    empty.findings.push(...missing.filter((f) => f.status !== 'pass'));
  } catch (e) {
    empty.findings.push(awsFail(e));
  }
  const listenerArn = input.listenerArn ?? ssm['alb/oidc/listener-arn'];
  if (!listenerArn) return empty;
  let rules;
  try {
    await describeListener(aws, listenerArn);
    rules = (await describeRules(aws, listenerArn)).rules;
  } catch (e) {
    const f = isNotFound(e)
      ? { ...awsFail(e), code: 'ALB_LISTENER_NOT_FOUND' as const, status: 'fail' as const, title: `Listener ${listenerArn} does not exist`, fix: `Check SSM ${prefix}alb/oidc/listener-arn and the region; redeploy: ./scripts/deploy.sh distribution` }
      : awsFail(e);
    return { ...empty, listener_arn: listenerArn, findings: [...empty.findings, f] };
  }
  const found = findOidcRule(rules);
  const findings = [...empty.findings, found.finding];
  const a = found.action;
  const domains = [ssm['web/dns-name'], ssm['alb/oidc/dns-name']].filter((d): d is string => Boolean(d));
  const out: AlbOidcResult = { ...empty, findings, listener_arn: listenerArn, rule_priority: found.rule?.priority ?? null, issuer: a?.issuer ?? null, client_id: a?.clientId ?? null, on_unauthenticated_request: a?.onUnauthenticatedRequest ?? null, callback_urls: domains.map((d) => `https://${d}/oauth2/idpresponse`) };
  if (!a) return out;

  let discovery: DiscoveryEndpoints | undefined;
  if (a.issuer) {
    try {
      const d = await fetchDiscovery(a.issuer, input.http, input.signal);
      discovery = (d.json && typeof d.json === 'object' ? d.json : {}) as DiscoveryEndpoints;
    } catch (e) {
      if (!(e instanceof SourceError)) throw e;
      findings.push(fetchFailure('DISCOVERY_UNREACHABLE', `The discovery document of ${a.issuer}`, { code: e.code, message: e.message, facts: e.facts }));
    }
  }
  findings.push(...checkOidcConfig(a, discovery, { albClientId: ssm['oidc/alb-client-id'], issuer: ssm['oidc/issuer'] }), checkUnauthenticated(a), checkCallback(domains, input.allowedCallbackUrls));
  // The ALB itself calls the token and user info endpoints (the browser calls the authorization endpoint).
  const endpoints: Array<[string, string]> = [];
  if (a.tokenEndpoint) endpoints.push(['TokenEndpoint', a.tokenEndpoint]);
  if (a.userInfoEndpoint) endpoints.push(['UserInfoEndpoint', a.userInfoEndpoint]);
  const rows: EndpointDns[] = await Promise.all(endpoints.map(async ([name, url]) => {
    const h = hostOf(url);
    if (!h) return { endpoint: name, url, host: url.slice(0, 100), port: 0, ipv4: undefined, ipv6: undefined, error: 'INVALID_URL' };
    const r = await resolveAddresses(h.host, { timeoutMs: input.dnsTimeoutMs ?? 3000, signal: input.signal });
    return { endpoint: name, url, host: h.host, port: h.port, ipv4: r.ipv4, ipv6: r.ipv6, error: r.error };
  }));
  findings.push(...checkIpv4(rows));
  return out;
}
