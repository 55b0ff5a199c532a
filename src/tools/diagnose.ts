import { z } from 'zod';
import { findingSchema, verdictOf } from '../checks/finding.js';
import { runPlaybook } from '../diagnose/playbook.js';
import { expectationsFor, PRESETS } from '../diagnose/presets.js';
import { renderDiagnosis, summarize } from '../diagnose/render.js';
import { tokenInputShape } from '../sources/secret-ref.js';
import { loadToken } from './token-input.js';
import { defineTool, nowInput, parseNow, regionInputShape, resultSchema } from './define.js';

const diagnose = defineTool({
  name: 'diagnose_rejection',
  title: 'Diagnose a rejected token',
  description:
    'The one-call answer to "why is my request rejected (401/403, or AssumeRoleWithWebIdentity failing)?". Runs every relevant ' +
    'check in parallel — token form, kind, algorithm, kid, times, claims against what the verifier expects, discovery, JWKS, ' +
    'signature, consumer limits, and for a preset the AWS side (opencode: SSM values and the ALB jwt-validation config; sts: the ' +
    'IAM OIDC provider and the role trust policy) — and ranks the findings into ONE root cause with its fix. Use it first; use the ' +
    'single-purpose tools to dig into a finding. Pass the token as token_file or token_env.',
  input: z.object({
    ...tokenInputShape,
    preset: z.enum(PRESETS).default('generic').describe('generic: expectations from the inputs; opencode: the OpenCode Stack ALB (expected iss/aud from SSM, consumer alb); sts: STS web identity (aud sts.amazonaws.com, consumer sts); github-actions: a GitHub Actions OIDC token → STS (aud sts.amazonaws.com, sub explained in GitHub\'s terms).'),
    expected_issuer: z.string().optional().describe('The issuer the verifier is configured with (default: the preset\'s, else the token\'s iss).'),
    expected_audience: z.string().optional().describe('The audience the verifier requires (opencode: the CLI client id from SSM; sts: sts.amazonaws.com).'),
    expected_subject: z.string().optional().describe('The subject the verifier requires, e.g. system:serviceaccount:<ns>:<sa>.'),
    expected_kind: z.enum(['id', 'access', 'service_account', 'github']).optional().describe('The kind of token the verifier needs (opencode: id; sts: service_account).'),
    consumer: z.enum(['alb', 'sts', 'bridge', 'generic']).optional().describe('Whose limits apply (default by preset: opencode → alb, sts → sts).'),
    issuer: z.string().optional().describe('Issuer whose discovery document to fetch (default: the expected issuer, else the token\'s iss).'),
    jwks_url: z.string().optional().describe('A JWKS URL to use instead of discovery\'s jwks_uri.'),
    env: z.string().optional().describe('opencode preset: the environment name (default: $ENVIRONMENT, cdk.context.json, dev).'),
    role_arn: z.string().optional().describe('sts preset: the role being assumed, to evaluate its trust policy.'),
    ...regionInputShape,
    skew_seconds: z.number().int().min(0).max(3600).optional().describe('Clock-skew allowance for exp/nbf/iat (default: 300 for the STS presets, AWS\'s documented window; else 60).'),
    now: nowInput,
    offline: z.boolean().optional().describe('Judge the token only: no discovery, JWKS or AWS calls.'),
  }),
  output: resultSchema({
    token_summary: z
      .object({ fingerprint: z.string(), form: z.string(), alg: z.string().optional(), kid: z.string().optional(), kind: z.string(), iss: z.string().optional(), status_text: z.string().optional() })
      .optional(),
    expectations: z.object({ iss: z.string().optional(), aud: z.string().optional(), sub: z.string().optional(), kind: z.string().optional(), from: z.string() }),
    root_cause: findingSchema.optional(),
    sections: z.array(z.object({ label: z.string(), line: z.string().optional(), status: z.enum(['pass', 'fail', 'warn', 'skip', 'error']) })),
    report: z.string().describe('The rendered diagnosis, as the CLI prints it.'),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'diagnose',
    summary: 'One root cause for a rejected token: token, claims, discovery, JWKS, signature, and the AWS side per preset',
    examples: [
      'jwt-triage diagnose --token-file ./id_token --expected-audience 5r2kq8vd1mh3example --consumer alb',
      'jwt-triage diagnose --token-env OPENCODE_TOKEN --preset opencode --env dev',
      'jwt-triage diagnose --token-file /var/run/secrets/tokens/sts --preset sts --role-arn arn:aws:iam::123456789012:role/app',
      'jwt-triage diagnose --token-file ./gha.jwt --preset github-actions --role-arn arn:aws:iam::123456789012:role/deploy --json',
    ],
  },
  async handle(input, ctx) {
    const tok = await loadToken(input, ctx);
    const { raw, source } = tok;
    const now = parseNow(input.now, ctx.now);
    const prepared = await expectationsFor({ ...input, token_length: raw.length }, tok.facts, { ...ctx, now });
    const result = await runPlaybook(
      { raw, expected: prepared.expected, consumer: prepared.consumer, issuer: input.issuer, jwksUrl: input.jwks_url ?? prepared.jwksUrl, skewSeconds: input.skew_seconds ?? prepared.skewSeconds ?? 60, offline: input.offline, extra: prepared.extra },
      { now, http: ctx.http, signal: ctx.signal, progress: ctx.progress },
    );
    const rank = { pass: 0, skip: 1, warn: 2, error: 3, fail: 4 } as const;
    return {
      verdict: verdictOf(result.findings),
      summary: summarize(result),
      findings: result.findings,
      ...(result.token ? { token_summary: result.token } : {}),
      expectations: prepared.expected,
      ...(result.ranked.root ? { root_cause: result.ranked.root } : {}),
      sections: result.sections.map((s) => ({
        label: s.label,
        ...(s.line ? { line: s.line } : {}),
        status: s.findings.reduce<'pass' | 'fail' | 'warn' | 'skip' | 'error'>((w, f) => (rank[f.status] > rank[w] ? f.status : w), 'pass'),
      })),
      report: renderDiagnosis(result, `jwt-triage diagnosis (${input.preset}, token from ${source})`),
    };
  },
  text: (out) => [out.report],
  textReplacesFindings: true,
});

export default [diagnose];
