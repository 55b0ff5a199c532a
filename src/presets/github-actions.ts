/**
 * GitHub Actions → AWS (AssumeRoleWithWebIdentity): issuer forms, audiences and the grammar of
 * the `sub` claim. Data and pure functions only.
 *
 * Sources (GitHub docs, "OpenID Connect reference" and "Configuring OpenID Connect in Amazon
 * Web Services"; configure-aws-credentials README):
 * - issuer `https://token.actions.githubusercontent.com`; with an enterprise custom issuer
 *   `https://token.actions.githubusercontent.com/<enterpriseSlug>`; GHE.com data residency
 *   `https://token.actions.<subdomain>.ghe.com`; GHES `https://HOST/_services/token`. The IAM
 *   provider URL (and so the condition-key prefix) is the issuer without `https://`.
 * - `aud`: GitHub's default is the URL of the repository owner; configure-aws-credentials
 *   requests `sts.amazonaws.com` (`sts.amazonaws.com.cn` in the China regions).
 * - `sub`: `repo:ORG/REPO:environment:NAME` when the job references an environment, else
 *   `repo:ORG/REPO:pull_request` for pull_request events, else `repo:ORG/REPO:ref:refs/heads/B`
 *   or `…:ref:refs/tags/T`; a `:` inside a value is written `%3A`. A customization template
 *   (`include_claim_keys`) replaces the whole format with `key:value` pairs.
 * - Repositories created (or renamed / transferred, or opted in) on GitHub.com from 2026-07-15
 *   use the immutable form `repo:OWNER@OWNER_ID/REPO@REPO_ID:…`; a policy written with names no
 *   longer matches.
 */

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const IMMUTABLE_SUB_SINCE = '2026-07-15';

export type GithubIssuerForm = 'github.com' | 'enterprise' | 'ghe.com' | 'ghes';

export interface GithubIssuer {
  form: GithubIssuerForm;
  /** The IAM provider URL / condition-key prefix: the issuer without `https://`. */
  providerUrl: string;
  enterpriseSlug?: string;
  subdomain?: string;
  host?: string;
}

/** Which GitHub issuer form an `iss` is (undefined: not a GitHub Actions issuer). */
export function parseGithubIssuer(iss: string): GithubIssuer | undefined {
  const m = /^https:\/\/([^/]+)(\/.*)?$/.exec(iss);
  if (!m) return undefined;
  const host = m[1]!.toLowerCase();
  const path = m[2] ?? '';
  const providerUrl = iss.slice('https://'.length);
  if (host === 'token.actions.githubusercontent.com') {
    if (path === '') return { form: 'github.com', providerUrl };
    const slug = /^\/([^/]+)$/.exec(path)?.[1];
    return slug ? { form: 'enterprise', providerUrl, enterpriseSlug: slug } : undefined;
  }
  const ghe = /^token\.actions\.([^.]+)\.ghe\.com$/.exec(host);
  if (ghe && path === '') return { form: 'ghe.com', providerUrl, subdomain: ghe[1]! };
  if (path === '/_services/token') return { form: 'ghes', providerUrl, host: m[1]! };
  return undefined;
}

/** The audience configure-aws-credentials requests for a region. */
export function stsAudienceFor(region: string | undefined): string {
  return region?.startsWith('cn-') ? 'sts.amazonaws.com.cn' : 'sts.amazonaws.com';
}

/** A value inside the sub: `:` becomes `%3A`. */
export function escapeSubValue(v: string): string {
  return v.replace(/:/g, '%3A');
}

export type SubContext =
  | { kind: 'environment'; environment: string }
  | { kind: 'pull_request' }
  | { kind: 'ref'; ref: string }
  | { kind: 'other'; rest: string };

export interface ParsedSub {
  /** `repo:` + owner/repo (names or the immutable `@ID` form); undefined for a custom template. */
  owner?: string;
  repo?: string;
  ownerId?: string;
  repoId?: string;
  immutable: boolean;
  /** The default grammar (`repo:O/R:<context>`); false: a customization template. */
  standard: boolean;
  context?: SubContext;
}

/** Reads a sub (or a policy pattern) in GitHub's grammar. */
export function parseGithubSub(sub: string): ParsedSub {
  const m = /^repo:([^/:@]+)(?:@(\d+))?\/([^/:@]+)(?:@(\d+))?:(.*)$/.exec(sub);
  if (!m) return { immutable: false, standard: false };
  const [, owner, ownerId, repo, repoId, rest] = m;
  const out: ParsedSub = { owner: owner!, repo: repo!, immutable: ownerId !== undefined && repoId !== undefined, standard: true };
  if (ownerId) out.ownerId = ownerId;
  if (repoId) out.repoId = repoId;
  const env = /^environment:(.+)$/.exec(rest!);
  if (env) out.context = { kind: 'environment', environment: env[1]! };
  else if (rest === 'pull_request') out.context = { kind: 'pull_request' };
  else if (/^ref:/.test(rest!)) out.context = { kind: 'ref', ref: rest!.slice(4) };
  else {
    out.context = { kind: 'other', rest: rest! };
    out.standard = false;
  }
  return out;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The sub GitHub's default template gives a job with these claims (environment → pull_request
 * → ref), in the names form or, when `immutable`, the `OWNER@ID/REPO@ID` form.
 */
export function defaultSubFor(claims: Record<string, unknown>, immutable = false): string | undefined {
  const repository = str(claims.repository);
  if (!repository) return undefined;
  let head = `repo:${repository}`;
  if (immutable) {
    const [owner, name] = repository.split('/');
    const ownerId = str(claims.repository_owner_id) ?? (typeof claims.repository_owner_id === 'number' ? String(claims.repository_owner_id) : undefined);
    const repoId = str(claims.repository_id) ?? (typeof claims.repository_id === 'number' ? String(claims.repository_id) : undefined);
    if (!ownerId || !repoId) return undefined;
    head = `repo:${owner}@${ownerId}/${name}@${repoId}`;
  }
  const environment = str(claims.environment);
  if (environment) return `${head}:environment:${escapeSubValue(environment)}`;
  if (claims.event_name === 'pull_request') return `${head}:pull_request`;
  const ref = str(claims.ref);
  return ref ? `${head}:ref:${escapeSubValue(ref)}` : undefined;
}

/** "environment prod" / "a pull_request event" / "ref refs/heads/main" / "a custom template". */
export function describeContext(p: ParsedSub): string {
  if (!p.standard || !p.context) return 'a custom sub template (include_claim_keys)';
  switch (p.context.kind) {
    case 'environment':
      return `environment ${p.context.environment}`;
    case 'pull_request':
      return 'a pull_request event';
    case 'ref':
      return `ref ${p.context.ref}`;
    default:
      return `"${p.context.rest}"`;
  }
}
