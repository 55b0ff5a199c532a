/**
 * Gathers the AWS side of web identity for one token — the IAM OIDC provider STS would pick
 * and the role's trust policy evaluated for the token — for the web-identity tools and for
 * the `sts` preset of the diagnosis.
 */
import type { Finding } from '../checks/finding.js';
import type { TokenFacts } from '../checks/token/inspect.js';
import { providerArnFor, providerUrlOf } from '../checks/trust/context.js';
import type { TrustEvaluation } from '../checks/trust/evaluate.js';
import { judgeWebIdentityTrust } from '../checks/trust/web-identity.js';
import { parseTrustPolicy } from '../checks/trust/policy.js';
import { audienceFinding, matchProvider, providerFinding, type ProviderFacts } from '../checks/web-identity/provider.js';
import { audiencesOf } from '../checks/web-identity/token.js';
import { UsageError } from '../sources/errors.js';
import { getRole, listOidcProviders, roleNameOf, type OidcProvider, type RoleFacts } from '../sources/aws/iam.js';
import { awsOf, once, profileOf, type AwsInput, type GatherContext } from './context.js';
import { failureFinding } from './failure.js';

export interface TrustIn { role_name?: string | undefined; role_arn?: string | undefined; trust_policy?: string | undefined; provider_arn?: string | undefined; region?: string | undefined; profile?: string | undefined }

/** The role (ARN, trust policy), read once per call. */
export function gatherRole(ctx: GatherContext, name: string, aws: AwsInput): Promise<{ role?: RoleFacts; findings: Finding[] }> {
  return once(ctx, `iam-role:${name}:${aws.profile ?? ''}`, async () => {
    try {
      return { role: await getRole(awsOf(ctx, aws), name), findings: [] };
    } catch (e) {
      return { findings: [failureFinding(e, { profile: profileOf(ctx, aws) })] };
    }
  });
}

/** Every IAM OIDC provider of the account, read once per call. */
export function gatherProviders(ctx: GatherContext, aws: AwsInput): Promise<{ all?: OidcProvider[]; findings: Finding[] }> {
  return once(ctx, `iam-providers:${aws.profile ?? ''}`, async () => {
    try {
      return { all: await listOidcProviders(awsOf(ctx, aws)), findings: [] };
    } catch (e) {
      return { findings: [failureFinding(e, { profile: profileOf(ctx, aws) })] };
    }
  });
}

export async function gatherTrust(ctx: GatherContext, input: TrustIn, iss: string, claims: Record<string, unknown>, offline: boolean) {
  let roleArn = input.role_arn;
  let doc: unknown = input.trust_policy;
  let role: { name?: string | undefined; tags?: Record<string, string> | undefined } = { name: input.role_name ?? (roleArn ? roleNameOf(roleArn) : undefined) };
  const findings: Finding[] = [];
  if (doc === undefined && !offline) {
    const name = input.role_name ?? (roleArn ? roleNameOf(roleArn) : undefined);
    if (!name) return undefined;
    const got = await gatherRole(ctx, name, input);
    if (!got.role) return { findings: got.findings, roleArn, providerArn: undefined, ev: undefined, decision: undefined };
    roleArn = got.role.arn;
    doc = got.role.trustPolicy;
    role = { name: got.role.name, tags: got.role.tags };
  }
  if (doc === undefined) return undefined;
  // parseTrustPolicy URL-decodes a GetRole-style document itself and names a malformed escape.
  const parsed = parseTrustPolicy(doc);
  if (!parsed.ok) throw new UsageError(`The trust policy cannot be read: ${parsed.problem}`, 'Pass the role\'s AssumeRolePolicyDocument JSON (aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument).');
  const url = providerUrlOf(iss);
  const providerArn = input.provider_arn ?? (roleArn ? providerArnFor(roleArn, url) : undefined);
  if (!providerArn) throw new UsageError('The provider ARN is unknown.', 'Pass role_arn (its account gives the provider ARN) or provider_arn.');
  // The decision STS acts on: AssumeRoleWithWebIdentity, and sts:TagSession when the token carries session tags.
  const judged = judgeWebIdentityTrust(parsed.statements, { providerArn, providerUrl: url, claims, role });
  const ev: TrustEvaluation = judged.ev;
  findings.push(...judged.findings);
  return { findings, roleArn, providerArn, ev, decision: judged.decision };
}

export async function gatherProvider(ctx: GatherContext, iss: string, input: { provider_arn?: string | undefined; provider_client_ids?: string[] | undefined; provider_thumbprints?: string[] | undefined; offline: boolean; region?: string | undefined; profile?: string | undefined }) {
  if (input.provider_client_ids) {
    if (!input.provider_arn) throw new UsageError('provider_client_ids needs provider_arn.', 'Pass provider_arn (arn:aws:iam::<account>:oidc-provider/<url>) with it.');
    const url = input.provider_arn.replace(/^arn:[^:]+:iam::\d+:oidc-provider\//, '');
    const p: ProviderFacts = { arn: input.provider_arn, url, clientIds: input.provider_client_ids, thumbprints: input.provider_thumbprints ?? [] };
    return { provider: { match: matchProvider(iss, [p]).match, count: 1 }, all: [p], findings: [] as Finding[] };
  }
  if (input.offline) return { provider: undefined, findings: [] as Finding[] };
  const got = await gatherProviders(ctx, input);
  if (!got.all) return { provider: undefined, findings: got.findings };
  return { provider: { match: matchProvider(iss, got.all).match, count: got.all.length }, all: got.all, findings: [] as Finding[] };
}

/** The provider STS would pick for this token, judged: its existence and its audiences. */
export async function providerFindingsFor(ctx: GatherContext, t: TokenFacts, aws: AwsInput): Promise<Finding[]> {
  const iss = typeof t.claims.iss === 'string' ? t.claims.iss : undefined;
  if (!iss) return [];
  const prov = await gatherProvider(ctx, iss, { offline: false, ...aws });
  return prov.provider
    ? [providerFinding(iss, matchProvider(iss, prov.all ?? []), prov.provider.count), audienceFinding(prov.provider.match, audiencesOf(t.claims))]
    : prov.findings;
}
