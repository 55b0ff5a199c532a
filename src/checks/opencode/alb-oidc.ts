/**
 * The OpenCode distribution ALB's rule 10: `authenticate-oidc` then forward. Its issuer and
 * endpoints against the issuer's discovery document, its client id against SSM
 * `oidc/alb-client-id`, `OnUnauthenticatedRequest`, the callback the IdP must allow, and the
 * IdP endpoints' reachability over IPv4 on 443.
 *
 * Sources: Elastic Load Balancing, Application Load Balancers User Guide, "Authenticate users
 * using an Application Load Balancer" (IdP DNS publicly resolvable; redirect URL
 * https://<DNS or CNAME>/oauth2/idpresponse; OnUnauthenticatedRequest deny → HTTP 401, allow →
 * forwarded without claims, authenticate → redirect to the IdP, the default); the API reference
 * AuthenticateOidcActionConfig; and AWS Knowledge Center "How do I troubleshoot authentication
 * issues in my Application Load Balancer?" (elb-configure-authentication-alb): the load
 * balancer talks to the TokenEndpoint and UserInfoEndpoint over IPv4 only, needs egress to them
 * on HTTPS 443, and a failure there is an HTTP 500; mismatched issuer/endpoints/client → 401;
 * redirect_mismatch → 400.
 */
import { isIP } from 'node:net';
import { error, fail, pass, skip, warn, type Finding } from '../finding.js';
import { byPriority, type ActionFact, type RuleFact } from './facts.js';

export type OidcActionFact = NonNullable<ActionFact['authenticate']>;

export const OIDC_RULE_PRIORITY = 10;

/** The authenticate-oidc action of rule 10 (or of the first rule that has one), with ALB_RULE_MISSING when there is none. */
export function findOidcRule(rules: readonly RuleFact[]): { rule?: RuleFact; action?: OidcActionFact; finding: Finding } {
  const withOidc = byPriority(rules).filter((r) => r.actions.some((a) => a.type === 'authenticate-oidc'));
  const rule = withOidc.find((r) => r.priority === OIDC_RULE_PRIORITY) ?? withOidc[0];
  if (!rule) {
    return { finding: fail('ALB_RULE_MISSING', { title: `No rule on the distribution listener has an authenticate-oidc action (expected rule ${OIDC_RULE_PRIORITY})`, detail: `Rules: ${byPriority(rules).map((r) => `${r.priority}[${r.actions.map((a) => a.type).join(',')}]`).join(' ') || 'none'}.`, evidence: { rules: rules.length }, fix: 'Redeploy the distribution stack: ./scripts/deploy.sh distribution' }) };
  }
  const action = rule.actions.find((a) => a.type === 'authenticate-oidc')!.authenticate ?? {};
  const order = rule.actions.map((a) => a.type);
  const evidence = { priority: rule.priority, actions: order };
  if (rule.priority !== OIDC_RULE_PRIORITY) return { rule, action, finding: warn('ALB_RULE_MISSING', { title: `authenticate-oidc is on rule ${rule.priority}, not ${OIDC_RULE_PRIORITY}`, evidence }) };
  if (order[0] !== 'authenticate-oidc') return { rule, action, finding: fail('ALB_RULE_MISSING', { title: `Rule ${OIDC_RULE_PRIORITY} runs ${order[0]} before authenticate-oidc`, detail: 'Actions run by Order; the authenticate action must come first.', evidence }) };
  return { rule, action, finding: pass('ALB_RULE_MISSING', { title: `Rule ${OIDC_RULE_PRIORITY}: ${order.join(' → ')}`, evidence }) };
}

export interface DiscoveryEndpoints {
  issuer?: string | undefined;
  authorization_endpoint?: string | undefined;
  token_endpoint?: string | undefined;
  userinfo_endpoint?: string | undefined;
}

/** ALB_OIDC_CONFIG_MISMATCH: each setting against discovery (and SSM for the client id and endpoints). */
export function checkOidcConfig(a: OidcActionFact, discovery: DiscoveryEndpoints | undefined, ssm: { albClientId?: string | undefined; issuer?: string | undefined }): Finding[] {
  const rows: Array<[string, string | undefined, string | undefined, string]> = [
    ['Issuer', a.issuer, discovery?.issuer ?? ssm.issuer, discovery ? 'discovery issuer' : 'SSM oidc/issuer'],
    ['AuthorizationEndpoint', a.authorizationEndpoint, discovery?.authorization_endpoint, 'discovery authorization_endpoint'],
    ['TokenEndpoint', a.tokenEndpoint, discovery?.token_endpoint, 'discovery token_endpoint'],
    ['UserInfoEndpoint', a.userInfoEndpoint, discovery?.userinfo_endpoint, 'discovery userinfo_endpoint'],
    ['ClientId', a.clientId, ssm.albClientId, 'SSM oidc/alb-client-id'],
  ];
  const out: Finding[] = [];
  for (const [field, alb, want, from] of rows) {
    if (want === undefined) continue;
    if (alb === want) continue;
    out.push(fail('ALB_OIDC_CONFIG_MISMATCH', {
      title: `The ALB's ${field} differs from ${from}`,
      detail: `ALB: ${alb ?? '(unset)'}; ${from}: ${want}.${field === 'ClientId' ? ' The IdP rejects the authorization code exchange for another client (the user sees an error after logging in, and the ALB answers 401 or 500).' : ' Users are sent to, or the ALB calls, an endpoint the IdP does not serve for this issuer.'}`,
      evidence: { field, alb: alb ?? null, expected: want, source: from },
      fix: 'Redeploy the distribution stack so it reads the current values: ./scripts/deploy.sh distribution (clear stale CDK context first: npx cdk context --clear).',
    }));
  }
  if (!out.length) out.push(pass('ALB_OIDC_CONFIG_MISMATCH', { title: `Issuer, endpoints and client id agree with ${discovery ? 'discovery and SSM' : 'SSM'}`, evidence: { issuer: a.issuer ?? null, client_id: a.clientId ?? null, discovery_checked: Boolean(discovery) } }));
  return out;
}

/** ALB_OIDC_UNAUTHENTICATED_ACTION: deny → 401 for anyone without a session cookie; allow → no claims. */
export function checkUnauthenticated(a: OidcActionFact): Finding {
  const v = a.onUnauthenticatedRequest ?? 'authenticate';
  const evidence = { on_unauthenticated_request: v };
  if (v === 'authenticate') return pass('ALB_OIDC_UNAUTHENTICATED_ACTION', { title: 'Unauthenticated requests are sent to the IdP to log in', evidence });
  if (v === 'deny') {
    return fail('ALB_OIDC_UNAUTHENTICATED_ACTION', {
      title: 'OnUnauthenticatedRequest is deny: every request without a valid session cookie gets HTTP 401',
      detail: 'With deny, the ALB never redirects to the IdP; a browser without the AWSELBAuthSessionCookie gets 401 Unauthorized (the share-viewer 401).',
      evidence,
      fix: 'Set OnUnauthenticatedRequest to authenticate for browser paths (the default), or keep deny only on API paths called with an existing session.',
    });
  }
  return warn('ALB_OIDC_UNAUTHENTICATED_ACTION', { title: 'OnUnauthenticatedRequest is allow: unauthenticated requests reach the target without x-amzn-oidc-* headers', detail: 'A backend that requires x-amzn-oidc-data then answers 401 itself.', evidence, fix: 'Use authenticate unless the backend handles anonymous users.' });
}

/** ALB_OIDC_CALLBACK: the redirect URLs the IdP app must allow, compared with the allowed list when given. */
export function checkCallback(domains: readonly string[], allowed: readonly string[] | undefined): Finding {
  const wanted = [...new Set(domains.filter(Boolean).map((d) => `https://${d.toLowerCase().replace(/\.$/, '')}/oauth2/idpresponse`))];
  const evidence = { callback_urls: wanted, allowed: allowed ?? null };
  if (!wanted.length) return skip('ALB_OIDC_CALLBACK', { title: 'No domain known for the distribution ALB (SSM web/dns-name, alb/oidc/dns-name)', evidence });
  if (!allowed) {
    return skip('ALB_OIDC_CALLBACK', {
      title: `Not verified: the IdP app must allow ${wanted.join(' and ')}`,
      detail: 'The IdP\'s allowed callback list is not readable through the ALB; pass allowed_callback_urls (e.g. the Cognito app client\'s CallbackURLs) to compare.',
      evidence,
      fix: `Add ${wanted[0]} to the IdP app's allowed callback (redirect) URLs.`,
    });
  }
  const norm = new Set(allowed.map((u) => u.trim()));
  const users = wanted[0]!;
  if (norm.has(users)) return pass('ALB_OIDC_CALLBACK', { title: `The IdP allows ${users}`, evidence });
  return fail('ALB_OIDC_CALLBACK', {
    title: `The IdP app does not allow ${users}`,
    detail: `Allowed: ${[...norm].join(', ') || 'none'}. After login the IdP refuses to redirect back to the ALB (redirect_mismatch / invalid redirect_uri).`,
    evidence,
    fix: `Add ${users} to the IdP app's callback URLs exactly (scheme, host, path; no trailing slash).`,
  });
}

export interface EndpointDns {
  endpoint: string;
  url: string;
  host: string;
  port: number;
  ipv4: string[] | undefined;
  ipv6: string[] | undefined;
  /** DNS error code (ENOTFOUND, ETIMEOUT…), when the lookup failed. */
  error?: string | undefined;
}

/** ALB_OIDC_IDP_IPV4: each IdP endpoint needs an A record (or an IPv4 literal), on port 443. */
export function checkIpv4(rows: readonly EndpointDns[]): Finding[] {
  return rows.map((r) => {
    const evidence = { endpoint: r.endpoint, host: r.host, port: r.port, ipv4: r.ipv4 ?? null, ipv6: r.ipv6 ?? null, error: r.error ?? null };
    if (r.error && !r.ipv4?.length) {
      return error('ALB_OIDC_IDP_IPV4', { title: `${r.endpoint}: ${r.host} did not resolve (${r.error})`, detail: 'The IdP\'s DNS must be publicly resolvable for the ALB.', evidence, fix: `dig +short A ${r.host}` });
    }
    if (!r.ipv4?.length) {
      return fail('ALB_OIDC_IDP_IPV4', {
        title: `${r.endpoint}: ${r.host} has no IPv4 address${r.ipv6?.length ? ' (IPv6 only)' : ''}`,
        detail: 'Application Load Balancers reach the IdP token and user info endpoints over IPv4 only; an IPv6-only endpoint makes the login fail with HTTP 500 from the ALB after the IdP redirect.',
        evidence,
        fix: `Publish an A record for ${r.host} (dual-stack), or use an IdP endpoint reachable over IPv4.`,
      });
    }
    if (r.port !== 443) {
      return warn('ALB_OIDC_IDP_IPV4', { title: `${r.endpoint} uses port ${r.port}, not 443`, detail: 'AWS documents egress to the IdP endpoints on HTTPS 443; another port needs its own security-group and network-ACL rules (assumption: the stack opens 443 only), else the login ends in HTTP 500.', evidence, fix: 'Serve the IdP endpoint on 443, or add an egress rule for the port.' });
    }
    return pass('ALB_OIDC_IDP_IPV4', { title: `${r.endpoint}: ${r.host} has IPv4 (${r.ipv4.slice(0, 2).join(', ')}) on 443`, evidence });
  });
}

/** The host and port of an endpoint URL, and its IP literal family (4, 6 or 0). */
export function hostOf(url: string): { host: string; port: number; literal: number } | undefined {
  try {
    const u = new URL(url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { host, port: u.port ? Number(u.port) : 443, literal: isIP(host) };
  } catch {
    return undefined;
  }
}
