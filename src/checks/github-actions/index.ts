/**
 * The GitHub Actions findings of the github-actions preset: audience and sub explained in
 * GitHub's terms, on top of the shared web-identity checks (provider, trust engine, lint).
 */
import type { Finding } from '../finding.js';
import type { TrustEvaluation } from '../trust/evaluate.js';
import { checkGithubAudience } from './audience.js';
import { checkGithubSub } from './subject.js';

export { checkGithubAudience } from './audience.js';
export { checkGithubSub } from './subject.js';

export function githubFindings(claims: Record<string, unknown>, input: { ev?: TrustEvaluation | undefined; providerUrl: string; region?: string | undefined; audience?: string | undefined }): Finding[] {
  return [checkGithubAudience(claims, input.region, input.audience), checkGithubSub(claims, input.ev, input.providerUrl)];
}
