/**
 * Gathers the AWS side of web identity for one token — the IAM OIDC provider STS would pick
 * and the role's trust policy evaluated for the token — for the web-identity tools and for
 * the `sts` preset of the diagnosis.
 */
import { awsFailure } from '../checks/source-failure.js';
import type { Finding } from '../checks/finding.js';
import type { TokenFacts } from '../checks/token/inspect.js';
import { providerArnFor, providerUrlOf, webIdentityRequest } from '../checks/trust/context.js';
import { evaluateTrust, type TrustEvaluation } from '../checks/trust/evaluate.js';
import { trustFindings } from '../checks/trust/findings.js';
import { parseTrustPolicy } from '../checks/trust/policy.js';
import { audienceFinding, matchProvider, providerFinding, type ProviderFacts } from '../checks/web-identity/provider.js';
import { audiencesOf } from '../checks/web-identity/token.js';
import { awsClients } from '../sources/aws.js';
import { SourceError, UsageError } from '../sources/errors.js';
import { getRole, listOidcProviders, roleNameOf } from '../sources/iam.js';
import type { Section } from './playbook.js';

/** An AWS source failure becomes its finding; anything else is rethrown. */
export const failed = (e: unknown, profile?: string) => {
  if (e instanceof SourceError && e.code === 'SOURCE_AWS') return awsFailure(e, { profile });
  throw e;
};

export interface TrustIn { role_name?: string | undefined; role_arn?: string | undefined; trust_policy?: string | undefined; provider_arn?: string | undefined; region?: string | undefined; profile?: string | undefined }

export async function gatherTrust(input: TrustIn, iss: string, claims: Record<string, unknown>, offline: boolean) {
  let roleArn = input.role_arn;
  let doc: unknown = input.trust_policy;
  const findings: Finding[] = [];
  if (doc === undefined && !offline) {
    const name = input.role_name ?? (roleArn ? roleNameOf(roleArn) : undefined);
    if (!name) return undefined;
    try {
      const role = await getRole(awsClients({ region: input.region, profile: input.profile }), name);
      roleArn = role.arn;
      doc = role.trustPolicy;
    } catch (e) {
      return { findings: [failed(e, input.profile)], roleArn, providerArn: undefined, ev: undefined };
    }
  }
  if (doc === undefined) return undefined;
  const parsed = parseTrustPolicy(doc); // URL-decodes a GetRole document itself (a malformed escape is a problem, not a throw)
  if (!parsed.ok) throw new UsageError(`The trust policy cannot be read: ${parsed.problem}`, 'Pass the role\'s AssumeRolePolicyDocument JSON (aws iam get-role --role-name <role> --query Role.AssumeRolePolicyDocument).');
  const url = providerUrlOf(iss);
  const providerArn = input.provider_arn ?? (roleArn ? providerArnFor(roleArn, url) : undefined);
  if (!providerArn) throw new UsageError('The provider ARN is unknown.', 'Pass role_arn (its account gives the provider ARN) or provider_arn.');
  const ev: TrustEvaluation = evaluateTrust(parsed.statements, webIdentityRequest(providerArn, url, claims));
  findings.push(...trustFindings(ev, { providerArn, providerUrl: url }));
  return { findings, roleArn, providerArn, ev };
}


export async function gatherProvider(iss: string, input: { provider_arn?: string | undefined; provider_client_ids?: string[] | undefined; provider_thumbprints?: string[] | undefined; offline: boolean; region?: string | undefined; profile?: string | undefined }) {
  if (input.provider_client_ids) {
    if (!input.provider_arn) throw new UsageError('provider_client_ids needs provider_arn.', 'Pass provider_arn (arn:aws:iam::<account>:oidc-provider/<url>) with it.');
    const url = input.provider_arn.replace(/^arn:[^:]+:iam::\d+:oidc-provider\//, '');
    const p: ProviderFacts = { arn: input.provider_arn, url, clientIds: input.provider_client_ids, thumbprints: input.provider_thumbprints ?? [] };
    return { provider: { match: matchProvider(iss, [p]).match, count: 1 }, all: [p], findings: [] as Finding[] };
  }
  if (input.offline) return { provider: undefined, findings: [] as Finding[] };
  try {
    const all = await listOidcProviders(awsClients({ region: input.region, profile: input.profile }));
    return { provider: { match: matchProvider(iss, all).match, count: all.length }, all, findings: [] as Finding[] };
  } catch (e) {
    return { provider: undefined, findings: [failed(e, input.profile)] };
  }
}


/** The `sts` preset's AWS sections: the provider STS would pick, and the role's trust policy. */
export async function webIdentitySections(t: TokenFacts, input: { role_arn?: string | undefined; region?: string | undefined; profile?: string | undefined }): Promise<Section[]> {
  const iss = typeof t.claims.iss === 'string' ? t.claims.iss : undefined;
  if (!iss) return [];
  const [prov, trust] = await Promise.all([
    gatherProvider(iss, { offline: false, region: input.region, profile: input.profile }),
    input.role_arn ? gatherTrust({ role_arn: input.role_arn, region: input.region, profile: input.profile }, iss, t.claims, false) : undefined,
  ]);
  const providerFindings: Finding[] = prov.provider
    ? [providerFinding(iss, matchProvider(iss, prov.all ?? []), prov.provider.count), audienceFinding(prov.provider.match, audiencesOf(t.claims))]
    : prov.findings;
  const sections: Section[] = [{ label: 'IAM provider', findings: providerFindings }];
  if (trust) sections.push({ label: 'Role trust', line: trust.roleArn, findings: trust.findings });
  return sections;
}
