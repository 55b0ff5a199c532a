/**
 * Which IAM OIDC provider STS would pick for a token: the one whose URL (stored by IAM without
 * the scheme: host + path, trailing slash kept) equals the token's `iss` minus `https://`,
 * byte for byte. Near misses are listed with how they differ. Then the provider's client id
 * list must hold one of the token's audiences.
 */
import { providerUrlOf } from '../trust/context.js';
import { describeDifference, editDistance } from '../token/difference.js';
import { fail, pass, skip, type Finding } from '../finding.js';

export interface ProviderFacts {
  arn: string;
  /** As IAM returns it: host + path, no scheme. */
  url: string;
  clientIds: string[];
  thumbprints: string[];
}

export interface NearMiss {
  arn: string;
  url: string;
  difference: string;
}

export interface ProviderMatch {
  /** The URL STS looks up: the issuer without https://. */
  wanted: string;
  match?: ProviderFacts;
  nearMisses: NearMiss[];
}

const hostOf = (u: string) => (u.split('/')[0] ?? '').toLowerCase();

export function matchProvider(issuer: string, providers: readonly ProviderFacts[]): ProviderMatch {
  const wanted = providerUrlOf(issuer);
  const match = /^https:\/\//i.test(issuer) ? providers.find((p) => p.url === wanted) : undefined;
  const nearMisses: NearMiss[] = [];
  for (const p of providers) {
    if (p === match) continue;
    const d = describeDifference(`https://${p.url}`, issuer);
    if (!d) continue;
    const close = d.kind !== 'host' || editDistance(hostOf(p.url), hostOf(wanted)) <= 3;
    if (close) nearMisses.push({ arn: p.arn, url: p.url, difference: d.text.replace(/\bactual\b/g, 'provider').replace(/\bexpected\b/g, 'iss') });
  }
  return match ? { wanted, match, nearMisses } : { wanted, nearMisses };
}

export function providerFinding(issuer: string, m: ProviderMatch, count: number): Finding {
  if (m.match) return pass('IAM_OIDC_PROVIDER_MISSING', { title: `IAM provider ${m.match.arn} matches iss`, evidence: { provider_arn: m.match.arn, url: m.match.url } });
  const near = m.nearMisses.length ? ` Near misses: ${m.nearMisses.map((n) => `${n.url} (${n.difference})`).join('; ')}.` : '';
  return fail('IAM_OIDC_PROVIDER_MISSING', {
    title: `No IAM OIDC provider for ${m.wanted}`,
    detail: `STS looks up the provider whose URL is exactly "${m.wanted}" (the token's iss without https://) among ${count} provider(s) and answers "No OpenIDConnect provider found in your account for ${issuer}".${near}`,
    evidence: { wanted_url: m.wanted, providers: count, near_misses: m.nearMisses },
    fix: /^https:\/\//i.test(issuer)
      ? `aws iam create-open-id-connect-provider --url ${issuer} --client-id-list sts.amazonaws.com (or make the issuer's iss equal an existing provider URL exactly)`
      : `The issuer must be an https URL: set --service-account-issuer=https://<host> and create the provider for it.`,
  });
}

/** The provider's client ids must include one of the audiences (the token's, or the expected one). */
export function audienceFinding(provider: ProviderFacts | undefined, audiences: readonly string[]): Finding {
  if (!provider) return skip('IAM_PROVIDER_AUDIENCE_MISSING', { title: 'No matching provider, so its client ids were not checked' });
  const evidence = { provider_arn: provider.arn, client_ids: provider.clientIds, audiences };
  if (audiences.some((a) => provider.clientIds.includes(a))) return pass('IAM_PROVIDER_AUDIENCE_MISSING', { title: 'The provider lists the token\'s audience', evidence });
  const aud = audiences[0] ?? 'sts.amazonaws.com';
  return fail('IAM_PROVIDER_AUDIENCE_MISSING', {
    title: `The provider's client id list lacks ${audiences.join(', ') || 'the audience'}`,
    detail: `ClientIDList is ${JSON.stringify(provider.clientIds)}; STS answers "Incorrect token audience".`,
    evidence,
    fix: `aws iam add-client-id-to-open-id-connect-provider --open-id-connect-provider-arn ${provider.arn} --client-id ${aud}`,
  });
}
