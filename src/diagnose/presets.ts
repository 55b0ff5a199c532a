/**
 * What the verifier expects, per preset, and the AWS-side findings that go with it.
 *
 * - generic: the inputs only.
 * - opencode: the ALB's LIVE jwt-validation config (rule 5) decides what passes, so the
 *   expected issuer / aud / JWKS come from it; SSM (what the stack says) is compared with it
 *   for staleness. Falls back to SSM, then the inputs, when AWS cannot be read.
 * - sts: aud sts.amazonaws.com, a service-account token, RS/ES 256/384/512, skew 300 s; with a role ARN, the IAM
 *   OIDC provider and the role's trust policy are judged for this token.
 */
import type { Finding } from '../checks/finding.js';
import { awsFailure, type SourceFailure } from '../checks/source-failure.js';
import type { Consumer } from '../checks/jwks/consumer.js';
import { audClaimOf, checkAlbClaimLimits, checkAlbJwtConfig, jwtConfigsOf } from '../checks/opencode/alb-jwt.js';
import type { TokenKind } from '../checks/token/kind.js';
import { JWT_RULE_PRIORITIES, REDEPLOY, resolveEnvironment, ssmPath } from '../presets/opencode.js';
import { awsClients } from '../sources/aws.js';
import { describeRules, ssmByNames } from '../sources/opencode.js';
import type { TokenFacts } from '../checks/token/inspect.js';
import type { Expectations, Section } from './playbook.js';
import { webIdentitySections } from './web-identity.js';
import { githubFindings } from '../checks/github-actions/index.js';
import type { TrustEvaluation } from '../checks/trust/evaluate.js';
import { checkTokenLength, STS_SKEW_SECONDS } from '../checks/web-identity/token.js';
import { stsAudienceFor } from '../presets/github-actions.js';

export const PRESETS = ['generic', 'opencode', 'sts', 'github-actions'] as const;
export type Preset = (typeof PRESETS)[number];

export interface PresetInput {
  preset: Preset;
  expected_issuer?: string | undefined;
  expected_audience?: string | undefined;
  expected_subject?: string | undefined;
  expected_kind?: TokenKind | undefined;
  consumer?: Consumer | undefined;
  env?: string | undefined;
  role_arn?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
  offline?: boolean | undefined;
  /** The raw token's length (STS checks 4..20,000 characters first). */
  token_length?: number | undefined;
}

export interface PresetEnv {
  env: NodeJS.ProcessEnv;
  cwd: string;
  now: Date;
}

export interface Prepared {
  expected: Expectations;
  consumer: Consumer;
  /** The consumer's clock-skew window when the caller gives none (STS: 300 s). */
  skewSeconds?: number | undefined;
  jwksUrl?: string | undefined;
  extra: Section[];
}

function fromInputs(input: PresetInput, defaults: Partial<Expectations> = {}): Expectations {
  return {
    iss: input.expected_issuer ?? defaults.iss,
    aud: input.expected_audience ?? defaults.aud,
    sub: input.expected_subject ?? defaults.sub,
    kind: input.expected_kind ?? defaults.kind,
    from: defaults.from ?? 'the inputs',
  };
}

async function opencode(input: PresetInput, env: PresetEnv): Promise<Prepared> {
  const resolved = resolveEnvironment(input.env, env.env, env.cwd);
  const e = resolved.name;
  const base = { consumer: 'alb' as const, extra: [] as Section[] };
  if (input.offline) return { ...base, expected: fromInputs(input, { kind: 'id', from: 'the inputs (offline)' }) };
  const aws = awsClients({ region: input.region, profile: input.profile });
  const names = ['oidc/issuer', 'oidc/jwks-url', 'oidc/cli-client-id', 'alb/jwt/listener-arn'].map((s) => ssmPath(e, s));
  const findings: Finding[] = [];
  let ssm: Record<string, string | undefined> = {};
  try {
    const r = await ssmByNames(aws, names);
    ssm = Object.fromEntries(r.parameters.map((p) => [p.name.slice(`/opencode/${e}/`.length), p.value]));
  } catch (err) {
    findings.push(awsFailure(err as SourceFailure, { profile: input.profile }));
  }
  const ssmValues = { issuer: ssm['oidc/issuer'], jwksUrl: ssm['oidc/jwks-url'], cliClientId: ssm['oidc/cli-client-id'] };
  let alb: { iss?: string; aud?: string; jwks?: string } | undefined;
  const listener = ssm['alb/jwt/listener-arn'];
  if (listener) {
    try {
      const { rules } = await describeRules(aws, listener);
      const configs = jwtConfigsOf(rules, JWT_RULE_PRIORITIES);
      findings.push(...checkAlbClaimLimits(configs), ...checkAlbJwtConfig(configs, ssmValues, `Refresh the cached SSM values and redeploy: in the stack repo, \`npx cdk context --clear\` then \`${REDEPLOY.api}\`.`));
      const rule5 = configs.find((c) => c.priority === 5)?.config;
      if (rule5) alb = { iss: rule5.issuer, aud: audClaimOf(rule5)?.values[0], jwks: rule5.jwksEndpoint };
    } catch (err) {
      findings.push(awsFailure(err as SourceFailure, { profile: input.profile }));
    }
  }
  const from = alb ? `the live ALB rule 5 (listener from SSM /opencode/${e}/, env from ${resolved.source})` : listener || ssmValues.issuer ? `SSM /opencode/${e}/oidc/* (env from ${resolved.source})` : 'the inputs (AWS not readable)';
  const expected = fromInputs(input, { iss: alb?.iss ?? ssmValues.issuer, aud: alb?.aud ?? ssmValues.cliClientId, kind: 'id', from });
  return { consumer: 'alb', jwksUrl: alb?.jwks ?? ssmValues.jwksUrl, expected, extra: findings.length ? [{ label: 'AWS (ALB, SSM)', findings }] : [] };
}

/** STS validates the WebIdentityToken's length (4..20,000) before anything else. */
const stsRequest = (input: PresetInput): Section[] => (input.token_length === undefined ? [] : [{ label: 'STS request', findings: [checkTokenLength(input.token_length)] }]);

/** Expectations and AWS-side findings for the chosen preset. Never throws for AWS failures. */
/** `token` is the inspected token, undefined when it is malformed. */
export async function expectationsFor(input: PresetInput, token: TokenFacts | undefined, env: PresetEnv): Promise<Prepared> {
  switch (input.preset) {
    case 'opencode':
      return opencode(input, env);
    case 'sts': {
      const expected = fromInputs(input, { aud: 'sts.amazonaws.com', kind: 'service_account', from: 'STS web identity (aud sts.amazonaws.com)' });
      const extra = [...stsRequest(input), ...(!input.offline && token ? await webIdentitySections(token, input) : [])];
      return { consumer: input.consumer ?? 'sts', expected, extra, skewSeconds: STS_SKEW_SECONDS };
    }
    case 'github-actions': {
      // aud: what configure-aws-credentials requests (sts.amazonaws.com, .com.cn in China regions).
      const aud = input.expected_audience ?? stsAudienceFor(input.region ?? env.env.AWS_REGION);
      const expected = fromInputs(input, { aud, kind: 'github', from: `GitHub Actions → STS (aud ${aud})` });
      const github = (r: { ev?: TrustEvaluation | undefined; providerUrl: string }): Section[] => (token ? [{ label: 'GitHub Actions', line: typeof token.claims.sub === 'string' ? `sub ${token.claims.sub}` : undefined, findings: githubFindings(token.claims, { ...r, region: input.region ?? env.env.AWS_REGION, audience: aud }) }] : []);
      const extra = [...stsRequest(input), ...(!input.offline && token ? await webIdentitySections(token, input, github) : token ? github({ providerUrl: String(token.claims.iss ?? '').replace(/^https:\/\//, '') }) : [])];
      return { consumer: input.consumer ?? 'sts', expected, extra, skewSeconds: STS_SKEW_SECONDS };
    }
    default:
      return { consumer: input.consumer ?? 'generic', expected: fromInputs(input), extra: [] };
  }
}
