/**
 * GITHUB_AUDIENCE_NOT_STS: a GitHub Actions token must be requested for the STS audience.
 * GitHub's default `aud` is the URL of the repository owner (core.getIDToken() without an
 * audience); aws-actions/configure-aws-credentials requests `sts.amazonaws.com`
 * (`sts.amazonaws.com.cn` in the China regions). The IAM provider's client id list and any
 * `:aud` condition must hold the same value.
 */
import { stsAudienceFor } from '../../presets/github-actions.js';
import { fail, pass, type Finding } from '../finding.js';
import { audiencesOf } from '../web-identity/token.js';

export function checkGithubAudience(claims: Record<string, unknown>, region: string | undefined, expected = stsAudienceFor(region)): Finding {
  const auds = audiencesOf(claims);
  const evidence = { aud: claims.aud ?? null, expected, region: region ?? null };
  if (auds.includes(expected)) return pass('GITHUB_AUDIENCE_NOT_STS', { title: `The token was requested for ${expected}`, evidence });
  const owner = typeof claims.repository_owner === 'string' ? claims.repository_owner : undefined;
  const isOwnerUrl = auds.some((a) => /^https:\/\/[^/]+\/[^/]+$/.test(a) && (!owner || a.toLowerCase().endsWith(`/${owner.toLowerCase()}`)));
  const otherPartition = auds.find((a) => a === 'sts.amazonaws.com' || a === 'sts.amazonaws.com.cn');
  const why = isOwnerUrl
    ? `aud is ${JSON.stringify(claims.aud)}: GitHub's default audience (the repository owner's URL). The token was requested without an audience — e.g. core.getIDToken() or a curl to ACTIONS_ID_TOKEN_REQUEST_URL without &audience=, or a custom step instead of configure-aws-credentials.`
    : otherPartition
      ? `aud is ${otherPartition}, but ${expected} is needed${region ? ` in ${region}` : ''} (configure-aws-credentials picks sts.amazonaws.com.cn in the China regions).`
      : `aud is ${JSON.stringify(claims.aud)}, not ${expected}.`;
  return fail('GITHUB_AUDIENCE_NOT_STS', {
    title: `The GitHub token's aud is not ${expected}`,
    detail: `${why} STS answers "InvalidIdentityToken: Incorrect token audience" unless the IAM provider lists the token's aud.`,
    evidence,
    fix: `Use aws-actions/configure-aws-credentials (it requests ${expected}), or request the token with audience ${expected} (core.getIDToken('${expected}') / "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${expected}"); keep ${expected} in the provider's client id list.`,
  });
}
