/**
 * Which token claims IAM turns into `<provider>:<claim>` condition keys for
 * AssumeRoleWithWebIdentity, per issuer. One table; the trust engine builds the request
 * context from it, so a condition on any other claim finds no key and can never match.
 *
 * Sources (AWS IAM User Guide):
 * - "IAM and AWS STS condition context keys" → "Available keys for OIDC federation": for an
 *   OIDC provider the keys are `<url>:aud`, `<url>:sub` and `<url>:amr` (amr for Cognito
 *   identity pools); for Google (`accounts.google.com`) also `:oaud`, and `:aud` carries the
 *   token's `azp` when the token has one (its `aud` then appears as `:oaud`).
 * - Same page, GitHub (added January 2026): for `token.actions.githubusercontent.com` also
 *   `actor`, `actor_id`, `job_workflow_ref`, `repository`, `repository_id`, `workflow`, `ref`,
 *   `environment`, `enterprise_id`.
 * - GitHub's AWS guide: "Support for custom claims for OIDC is unavailable in AWS."
 *
 * Whether the GitHub keys also exist for an enterprise custom issuer
 * (`token.actions.githubusercontent.com/<slug>`), a GHE.com (`token.actions.<sub>.ghe.com`) or a
 * GHES (`HOST/_services/token`) provider is not documented. Assuming they do NOT could name a
 * false root cause; so they are assumed to exist, and a condition that relies on one gets a
 * warning saying it is an assumption (row `documented: false`).
 */

export interface IssuerKeys {
  /** Short name for findings. */
  name: string;
  /** Claims that become condition keys. */
  claims: readonly string[];
  /** Condition-key claim → the token claim it is read from, when they differ (Google: aud ← azp). */
  mapped?: Readonly<Record<string, string>>;
  /** Keys that may hold several values (aud for a token with several audiences, amr). */
  multiValued: readonly string[];
  /** The table row rests on documentation (false: an assumption, said in findings). */
  documented: boolean;
}

const GENERIC: IssuerKeys = { name: 'generic OIDC provider', claims: ['aud', 'sub', 'amr'], multiValued: ['aud', 'amr'], documented: true };

export const GITHUB_KEY_CLAIMS = ['actor', 'actor_id', 'job_workflow_ref', 'repository', 'repository_id', 'workflow', 'ref', 'environment', 'enterprise_id'] as const;

export const CONDITION_KEYS = {
  generic: GENERIC,
  google: { name: 'Google (accounts.google.com)', claims: ['aud', 'sub', 'amr', 'oaud'], mapped: { aud: 'azp', oaud: 'aud' }, multiValued: ['aud', 'oaud', 'amr'], documented: true },
  github: { name: 'GitHub Actions (token.actions.githubusercontent.com)', claims: ['aud', 'sub', 'amr', ...GITHUB_KEY_CLAIMS], multiValued: ['aud', 'amr'], documented: true },
  github_other: { name: 'GitHub Enterprise (custom issuer, GHE.com or GHES) — GitHub keys assumed', claims: ['aud', 'sub', 'amr', ...GITHUB_KEY_CLAIMS], multiValued: ['aud', 'amr'], documented: false },
} as const satisfies Record<string, IssuerKeys>;

export type IssuerKind = keyof typeof CONDITION_KEYS;

/** The table row for a provider URL (host + path, no scheme). */
export function issuerKindOf(providerUrl: string): IssuerKind {
  const url = providerUrl.replace(/^https:\/\//i, '').toLowerCase();
  if (url === 'accounts.google.com') return 'google';
  if (url === 'token.actions.githubusercontent.com') return 'github';
  // The enterprise custom issuer (same host, /<slug>), GHE.com and GHES: not in AWS's list.
  if (url.startsWith('token.actions.githubusercontent.com/') || /^token\.actions\.[^./]+\.ghe\.com$/.test(url) || /\/_services\/token$/.test(url)) return 'github_other';
  return 'generic';
}

export function conditionKeysFor(providerUrl: string): IssuerKeys {
  return CONDITION_KEYS[issuerKindOf(providerUrl)];
}

/** The token claim a condition-key claim is read from (undefined: IAM has no such key for this issuer). */
export function claimForKey(keys: IssuerKeys, keyClaim: string): string | undefined {
  const k = keyClaim.toLowerCase();
  const found = keys.claims.find((c) => c.toLowerCase() === k);
  if (!found) return undefined;
  return keys.mapped?.[found] ?? found;
}
