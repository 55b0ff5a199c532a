/**
 * The OpenCode distribution ALB in moto: an HTTPS listener whose rule 10 is authenticate-oidc
 * (Order 1, with a ClientSecret canary — DescribeRules echoes it back) then forward, and the
 * SSM parameters the distribution and auth stacks write (alb/oidc/*, web/dns-name,
 * oidc/alb-client-id, oidc/issuer). `oidc` overrides what the rule holds.
 */
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client, type AuthenticateOidcActionConfig,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { defaultSubnets, importCertificate } from './opencode-world.js';

export const OIDC_CLIENT_SECRET_CANARY = 'oidc-client-secret-CANARY-7f3k9q2m';

export interface OidcWorld {
  listenerArn: string;
  loadBalancerArn: string;
  dnsName: string;
  prefix: string;
}

export async function buildOidcWorld(endpoint: string, o: { env?: string; issuer: string; albClientId: string; oidc?: Partial<AuthenticateOidcActionConfig>; webDomain?: string; omit?: string[] }): Promise<OidcWorld> {
  const env = o.env ?? 'dev';
  const region = 'us-east-1';
  const cfg = { endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  const elb = new ElasticLoadBalancingV2Client(cfg);
  const ssm = new SSMClient(cfg);
  const { vpcId, subnets } = await defaultSubnets(endpoint, region);
  const certificateArn = await importCertificate(endpoint, region);
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: `opencode-oidc-${env}`, Subnets: subnets, Type: 'application', Scheme: 'internet-facing' }))).LoadBalancers![0]!;
  const tg = (await elb.send(new CreateTargetGroupCommand({ Name: `opencode-web-${env}`, Protocol: 'HTTP', Port: 3000, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0]!;
  const listener = (await elb.send(new CreateListenerCommand({
    LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: certificateArn }],
    DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not found' } }],
  }))).Listeners![0]!;
  const oidc: AuthenticateOidcActionConfig = {
    Issuer: o.issuer, AuthorizationEndpoint: `${o.issuer}/oauth2/authorize`, TokenEndpoint: `${o.issuer}/oauth2/token`, UserInfoEndpoint: `${o.issuer}/oauth2/userInfo`,
    ClientId: o.albClientId, ClientSecret: OIDC_CLIENT_SECRET_CANARY, OnUnauthenticatedRequest: 'authenticate', Scope: 'openid email', ...o.oidc,
  };
  await elb.send(new CreateRuleCommand({
    ListenerArn: listener.ListenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
    Actions: [{ Type: 'authenticate-oidc', Order: 1, AuthenticateOidcConfig: oidc }, { Type: 'forward', Order: 2, TargetGroupArn: tg.TargetGroupArn }],
  }));
  const prefix = `/opencode/${env}/`;
  const values: Record<string, string> = {
    'alb/oidc/listener-arn': listener.ListenerArn!, 'alb/oidc/arn': lb.LoadBalancerArn!, 'alb/oidc/dns-name': lb.DNSName ?? `opencode-oidc-${env}.elb.amazonaws.com`,
    'web/dns-name': o.webDomain ?? 'opencode.example.com', 'oidc/alb-client-id': o.albClientId, 'oidc/issuer': o.issuer,
  };
  for (const [k, v] of Object.entries(values)) {
    if (o.omit?.includes(k)) continue;
    await ssm.send(new PutParameterCommand({ Name: prefix + k, Value: v, Type: 'String', Overwrite: true }));
  }
  return { listenerArn: listener.ListenerArn!, loadBalancerArn: lb.LoadBalancerArn!, dnsName: values['alb/oidc/dns-name']!, prefix };
}
