/**
 * What kind of token is this? OIDC ID token, OAuth access token, or Kubernetes
 * service-account token — from its claims and header, with the reasons. And
 * TOKEN_WRONG_TYPE when it is not the kind the caller expects.
 *
 * Strong signals decide alone (Cognito `token_use`, `typ: at+jwt`, a
 * `system:serviceaccount:` subject or a `kubernetes.io` claim); otherwise weak
 * signals are counted (nonce / at_hash / c_hash → id; scope / scp / client_id without
 * aud → access). `auth_time` is no signal: Cognito puts it in both kinds.
 */
import { fail, pass, warn, type Finding } from '../finding.js';

export const TOKEN_KINDS = ['id', 'access', 'service_account', 'github'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

export interface KindGuess {
  kind: TokenKind | 'unknown';
  reasons: string[];
}

const KIND_NAME: Record<TokenKind | 'unknown', string> = {
  id: 'an OIDC ID token',
  access: 'an OAuth access token',
  service_account: 'a Kubernetes service-account token',
  github: 'a GitHub Actions OIDC token',
  unknown: 'a token of unknown kind',
};

const SA_SUB = /^system:serviceaccount:[^:]+:[^:]+$/;

export function classifyToken(header: Record<string, unknown>, claims: Record<string, unknown>): KindGuess {
  const sa: string[] = [];
  if (typeof claims.sub === 'string' && SA_SUB.test(claims.sub)) sa.push(`sub is "${claims.sub}"`);
  if (claims['kubernetes.io'] !== undefined) sa.push('has a "kubernetes.io" claim (namespace, service account, pod)');
  if (sa.length) return { kind: 'service_account', reasons: sa };

  // GitHub Actions: a repo:… subject with the Actions claims (repository, job_workflow_ref, run_id…).
  const gh: string[] = [];
  if (typeof claims.sub === 'string' && /^repo:[^/]+\/[^:]+:/.test(claims.sub)) gh.push(`sub is "${claims.sub}"`);
  const ghClaims = ['job_workflow_ref', 'repository', 'run_id', 'runner_environment'].filter((c) => claims[c] !== undefined);
  if (ghClaims.length >= 2) gh.push(`has GitHub Actions claims (${ghClaims.join(', ')})`);
  if (gh.length && ghClaims.length >= 2) return { kind: 'github', reasons: gh };

  if (claims.token_use === 'id') return { kind: 'id', reasons: ['Cognito token_use is "id"', ...(claims.aud !== undefined ? ['has aud (the app client id)'] : [])] };
  if (claims.token_use === 'access') {
    return { kind: 'access', reasons: ['Cognito token_use is "access"', ...(claims.client_id !== undefined ? ['has client_id'] : []), ...(claims.aud === undefined ? ['has no aud'] : [])] };
  }
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ === 'at+jwt' || typ === 'application/at+jwt') return { kind: 'access', reasons: [`header typ is "${header.typ}" (RFC 9068 access token)`] };

  const id: string[] = [];
  const access: string[] = [];
  for (const c of ['nonce', 'at_hash', 'c_hash'] as const) if (claims[c] !== undefined) id.push(`has ${c}`);
  if (claims.scope !== undefined) access.push('has scope');
  if (claims.scp !== undefined) access.push('has scp');
  if (claims.client_id !== undefined && claims.aud === undefined) access.push('has client_id and no aud');
  if (id.length > access.length) return { kind: 'id', reasons: claims.aud !== undefined ? [...id, 'has aud'] : id };
  if (access.length > id.length) return { kind: 'access', reasons: access };
  const why = id.length ? [...id, ...access, 'signals point both ways'] : ['no nonce, at_hash, token_use, scope, typ or service-account subject'];
  return { kind: 'unknown', reasons: why };
}

const FIX: Record<TokenKind, string> = {
  id: 'Send the ID token (id_token), not the access token: the OpenCode ALB checks aud against the CLI client id, and a Cognito access token has no aud. Re-authenticate with `opencode-auth login` and use the id_token it stores.',
  access: 'Send the access token (access_token) from the same login, not the id_token.',
  github: 'Use the token the workflow requests from GitHub (aws-actions/configure-aws-credentials with permissions: id-token: write), not another identity provider\'s token.',
  service_account: 'Use the projected service-account token (a serviceAccountToken volume with audience sts.amazonaws.com, or `kubectl create token <sa> -n <namespace> --audience sts.amazonaws.com` to test).',
};

export function checkExpectedKind(guess: KindGuess, expected: TokenKind): Finding {
  const evidence = { expected_kind: expected, kind: guess.kind, reasons: [...guess.reasons] };
  if (guess.kind === expected) return pass('TOKEN_WRONG_TYPE', { title: `The token is ${KIND_NAME[expected]}, as expected`, evidence });
  if (guess.kind === 'unknown') {
    return warn('TOKEN_WRONG_TYPE', {
      title: `Cannot tell whether this is ${KIND_NAME[expected]}`,
      detail: `The claims carry no decisive signal (${guess.reasons.join('; ')}).`,
      evidence,
      fix: FIX[expected],
    });
  }
  return fail('TOKEN_WRONG_TYPE', {
    title: `Expected ${KIND_NAME[expected]}, got ${KIND_NAME[guess.kind]}`,
    detail: `It looks like ${KIND_NAME[guess.kind]}: ${guess.reasons.join('; ')}.${guess.kind === 'access' && expected === 'id' && guess.reasons.some((r) => r.includes('no aud')) ? ' With no aud it fails any audience check (ALB: aud = the CLI client id).' : ''}`,
    evidence,
    fix: FIX[expected],
  });
}

export function kindName(kind: TokenKind | 'unknown'): string {
  return KIND_NAME[kind];
}
