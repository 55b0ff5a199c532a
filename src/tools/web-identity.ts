/**
 * Web identity federation on the AWS side: the token against STS's requirements, the IAM OIDC
 * provider, the role's trust policy (evaluated the way IAM does), STS errors explained, the
 * STS answer predicted from gathered facts, and one opt-in live AssumeRoleWithWebIdentity.
 */
import { z } from 'zod';
import { type TokenFacts } from '../checks/token/inspect.js';
import { CONSUMER_ALGS } from '../checks/token/header.js';
import { verifyWithJwks } from '../checks/web-identity/keys.js';
import { lengthOutcome, outcomeFinding, predictStsOutcome, type StsWorld } from '../checks/web-identity/outcome.js';
import { audienceFinding, matchProvider, providerFinding, type ProviderFacts } from '../checks/web-identity/provider.js';
import { explainStsError, explanationFinding } from '../checks/web-identity/sts-errors.js';
import { audiencesOf, checkStsToken, STS_AUDIENCE } from '../checks/web-identity/token.js';
import { fail, pass, type Finding } from '../checks/finding.js';
import { UsageError } from '../sources/errors.js';
import { readJsonFile } from '../sources/oidc.js';
import { tokenInputShape } from '../sources/secret-ref.js';
import { assumeRoleWithWebIdentity } from '../sources/aws/sts.js';
import { gatherProvider, gatherProviders, gatherTrust } from '../gather/web-identity.js';
import { gatherIssuerKeys } from '../gather/keys.js';
import { hasToken, loadToken, tokenIdent } from './token-input.js';
import { defineTool, resultOf, nowInput, parseNow, regionInputShape, resultSchema, type ToolContext } from './define.js';
import { inputError } from '../gather/failure.js';

// ── shared helpers ────────────────────────────────────────────────────────────



const issOf = (t: TokenFacts) => (typeof t.claims.iss === 'string' ? t.claims.iss : undefined);
const subjectOf = (ns?: string, sa?: string) => {
  if ((ns === undefined) !== (sa === undefined)) throw new UsageError('namespace and service_account go together.', 'Pass both (e.g. namespace=apps service_account=uploader), or neither.');
  return ns === undefined ? undefined : `system:serviceaccount:${ns}:${sa}`;
};

const providerShape = z.object({ arn: z.string(), url: z.string(), client_ids: z.array(z.string()), thumbprints: z.array(z.string()) });
const providerOut = (p: ProviderFacts) => ({ arn: p.arn, url: p.url, client_ids: p.clientIds, thumbprints: p.thumbprints });
const THUMBPRINT_NOTE = 'AWS no longer uses thumbprints for IdPs whose certificate chains to a CA it trusts (Let\'s Encrypt, as used by Tailscale Funnel); they matter only for a private CA.';

const finishOf = <T extends object>(findings: Finding[], fallback: string, own: T) => ({ ...resultOf(findings, fallback), ...own });

// ── 1. check_web_identity_token ───────────────────────────────────────────────
const checkWebIdentityToken = defineTool({
  name: 'check_web_identity_token',
  toolsets: ['web-identity'],
  title: 'Check a token against STS web-identity requirements',
  description:
    'Does the token meet STS AssumeRoleWithWebIdentity\'s requirements? 4–20,000 characters, RS/ES 256/384/512 (a missing kid only warns), iss https and exactly expected_issuer, aud containing expected_audience (default sts.amazonaws.com), sub = system:serviceaccount:<namespace>:<service_account>, not expired beyond STS\'s 5-minute window. Offline.',
  input: () => z.object({
    ...tokenInputShape,
    expected_issuer: z.string().optional().describe('The issuer the IAM provider was created for, e.g. https://bridge.tail1234.ts.net.'),
    expected_audience: z.string().default(STS_AUDIENCE).describe('The audience STS expects in aud (default sts.amazonaws.com).'),
    namespace: z.string().optional().describe('Kubernetes namespace of the service account (with service_account).'),
    service_account: z.string().optional().describe('Kubernetes service account name (with namespace).'),
    skew_seconds: z.number().int().min(0).max(3600).default(300).describe('Clock-skew allowance for exp (STS documents a 5-minute window: default 300).'),
    now: nowInput,
  }),
  output: () => resultSchema({
    token_fingerprint: z.string(),
    token_source: z.string(),
    issuer: z.string().nullable(),
    audiences: z.array(z.string()),
    subject: z.string().nullable(),
    expected_subject: z.string().nullable(),
  }),
  type: 'readOnly',
  network: false,
  cli: { command: 'web-identity-token', summary: 'Check a token against what STS AssumeRoleWithWebIdentity requires', examples: ['jwt-triage web-identity-token --token-file /var/run/secrets/eks.amazonaws.com/serviceaccount/token --namespace apps --service-account uploader'] },
  async handle(input, ctx) {
    const expected = subjectOf(input.namespace, input.service_account);
    const t = await loadToken(input, ctx);
    const base = { ...tokenIdent(t), expected_subject: expected ?? null };
    if (!t.facts) return finishOf([t.malformed!], 'The token is malformed.', { ...base, issuer: null, audiences: [], subject: null });
    const findings = checkStsToken(t.facts, { issuer: input.expected_issuer, audience: input.expected_audience, subject: expected, skewSeconds: input.skew_seconds, tokenLength: t.raw.length }, parseNow(input.now, ctx.now));
    const sub = t.facts.claims.sub;
    return finishOf(findings, 'The token meets every STS requirement checked offline.', { ...base, issuer: issOf(t.facts) ?? null, audiences: audiencesOf(t.facts.claims), subject: typeof sub === 'string' ? sub : null });
  },
  text: (o) => [`iss ${o.issuer ?? '—'}  aud ${o.audiences.join(', ') || '—'}  sub ${o.subject ?? '—'}`],
});

// ── 2. check_iam_oidc_provider ────────────────────────────────────────────────
const checkIamOidcProvider = defineTool({
  name: 'check_iam_oidc_provider',
  toolsets: ['default', 'web-identity'],
  title: 'Find the IAM OIDC provider STS would use',
  description:
    'Lists the account\'s IAM OIDC providers and finds the one whose URL equals the token\'s iss (or issuer) exactly — IAM stores host + path without https://, a trailing slash counts. Reports IAM_OIDC_PROVIDER_MISSING with near misses and how they differ, IAM_PROVIDER_AUDIENCE_MISSING when the client id list lacks the audience, and the thumbprints. Needs iam:ListOpenIDConnectProviders and iam:GetOpenIDConnectProvider.',
  input: () => z.object({
    ...tokenInputShape,
    issuer: z.string().optional().describe('The issuer URL to look up, when no token is given (e.g. https://bridge.tail1234.ts.net).'),
    expected_audience: z.string().optional().describe('The audience the client id list must hold (default: the token\'s aud, else sts.amazonaws.com).'),
    ...regionInputShape,
  }),
  output: () => resultSchema({
    issuer: z.string().nullable(),
    wanted_url: z.string().nullable(),
    provider: providerShape.nullable(),
    providers_count: z.number(),
    near_misses: z.array(z.object({ arn: z.string(), url: z.string(), difference: z.string() })),
    thumbprint_note: z.string(),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'iam-provider', summary: 'Find the IAM OIDC provider for a token\'s issuer', examples: ['jwt-triage iam-provider --token-file token.jwt', 'jwt-triage iam-provider --issuer https://bridge.tail1234.ts.net'] },
  async handle(input, ctx) {
    let issuer = input.issuer;
    let auds: string[] = input.expected_audience ? [input.expected_audience] : [];
    const empty = { issuer: issuer ?? null, wanted_url: null, provider: null, providers_count: 0, near_misses: [], thumbprint_note: THUMBPRINT_NOTE };
    if (hasToken(input)) {
      const t = await loadToken(input, ctx);
      if (!t.facts) return finishOf([t.malformed!], 'The token is malformed.', empty);
      issuer ??= issOf(t.facts);
      if (!input.expected_audience) auds = audiencesOf(t.facts.claims);
    }
    if (!issuer) throw new UsageError('No issuer to look up.', 'Pass token_file (a token with iss) or issuer.');
    if (!auds.length) auds = [STS_AUDIENCE];
    const got = await gatherProviders(ctx, input);
    if (!got.all) return finishOf(got.findings, 'IAM could not be read.', { ...empty, issuer });
    const providers = got.all;
    const m = matchProvider(issuer, providers);
    const findings = [providerFinding(issuer, m, providers.length), audienceFinding(m.match, auds)];
    return finishOf(findings, `IAM provider ${m.match?.arn} matches the issuer and lists the audience.`, {
      issuer, wanted_url: m.wanted, provider: m.match ? providerOut(m.match) : null, providers_count: providers.length, near_misses: m.nearMisses, thumbprint_note: THUMBPRINT_NOTE,
    });
  },
  text: (o) => [`looking for ${o.wanted_url ?? '—'} among ${o.providers_count} provider(s)`, ...(o.provider ? [`provider ${o.provider.arn}: client ids ${o.provider.client_ids.join(', ') || '—'}; thumbprints ${o.provider.thumbprints.length}`] : []), ...o.near_misses.map((n) => `near miss ${n.url}: ${n.difference}`)],
});

const trustInputShape = {
  role_name: z.string().optional().describe('The IAM role name (GetRole reads its trust policy).'),
  role_arn: z.string().optional().describe('The IAM role ARN (alternative to role_name; its account gives the provider ARN).'),
  trust_policy: z.string().optional().describe('The trust policy JSON itself (raw or URL-encoded), instead of reading it with GetRole.'),
  provider_arn: z.string().optional().describe('The IAM OIDC provider ARN for the token\'s issuer (default: derived from the role\'s account and iss).'),
};

const statementShape = z.object({
  index: z.number(),
  sid: z.string().optional(),
  effect: z.enum(['Allow', 'Deny']),
  applies: z.union([z.boolean(), z.literal('unknown')]),
  principal: z.object({ element: z.string(), values: z.array(z.string()), result: z.union([z.boolean(), z.literal('unknown')]) }),
  action: z.object({ element: z.string(), values: z.array(z.string()), result: z.union([z.boolean(), z.literal('unknown')]) }),
  conditions: z.array(z.object({ operator: z.string(), key: z.string(), policy_values: z.array(z.string()), request_values: z.array(z.string()).nullable(), result: z.union([z.boolean(), z.literal('unknown')]), literal_wildcards: z.array(z.string()) })),
});

// ── 3. check_role_trust ───────────────────────────────────────────────────────
const checkRoleTrust = defineTool({
  name: 'check_role_trust',
  toolsets: ['default', 'web-identity'],
  title: 'Evaluate a role\'s trust policy for a token',
  description:
    'Does the role\'s trust policy let this token in? Reads it (GetRole) or takes trust_policy, and evaluates it as IAM does: Principal.Federated = the provider for iss, sts:AssumeRoleWithWebIdentity (wildcards, NotAction), conditions on <provider>:sub/:aud/other keys with String* operators, ForAnyValue/ForAllValues, IfExists, Null; session tags need sts:TagSession. Per-statement results and the decision. The cause of STS "AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity".',
  input: () => z.object({ ...tokenInputShape, ...trustInputShape, ...regionInputShape }),
  output: () => resultSchema({
    role_arn: z.string().nullable(),
    provider_arn: z.string().nullable(),
    decision: z.enum(['allow', 'explicit_deny', 'implicit_deny', 'undetermined']).nullable(),
    statements: z.array(statementShape),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'role-trust', summary: 'Evaluate a role\'s trust policy for a token, statement by statement', examples: ['jwt-triage role-trust --role-name uploader --token-file token.jwt', 'jwt-triage role-trust --trust-policy "$(cat trust.json)" --role-arn arn:aws:iam::123456789012:role/uploader --token-file token.jwt'] },
  async handle(input, ctx) {
    if (!input.role_name && !input.role_arn && !input.trust_policy) throw new UsageError('No role given.', 'Pass role_name, role_arn or trust_policy.');
    const t = await loadToken(input, ctx);
    const none = { role_arn: input.role_arn ?? null, provider_arn: null, decision: null, statements: [] };
    if (!t.facts) return finishOf([t.malformed!], 'The token is malformed.', none);
    const iss = issOf(t.facts);
    if (!iss) throw new UsageError('The token has no iss, so the provider is unknown.', 'Check the token with check_web_identity_token.');
    const r = await gatherTrust(ctx, input, iss, t.facts.claims, false);
    if (!r) throw new UsageError('No trust policy to evaluate.', 'Pass role_name, role_arn or trust_policy.');
    const decision = r.ev?.decision ?? null;
    const fallback = decision === 'allow' ? `The trust policy allows this token (${r.ev!.statements.filter((s) => s.effect === 'Allow' && s.applies === true).map((s) => `statement ${s.index}`).join(', ')}).` : 'The trust policy could not be evaluated.';
    return finishOf(r.findings, fallback, { role_arn: r.roleArn ?? null, provider_arn: r.providerArn ?? null, decision, statements: r.ev?.statements ?? [] });
  },
  text: (o) => [`decision: ${o.decision ?? '—'} (provider ${o.provider_arn ?? '—'})`, ...o.statements.map((s) => `  statement ${s.index} ${s.effect}: applies=${s.applies} principal=${s.principal.result} action=${s.action.result}${s.conditions.map((c) => ` ${c.operator}(${c.key})=${c.result}`).join('')}`)],
});

// ── 4. explain_sts_error ──────────────────────────────────────────────────────
const explainStsErrorTool = defineTool({
  name: 'explain_sts_error',
  toolsets: ['default', 'web-identity'],
  title: 'Explain an STS AssumeRoleWithWebIdentity error',
  description:
    'Paste an STS error (CLI "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: …", SDK "InvalidIdentityTokenException: …", XML <Error>, or a JSON log line): returns which case it is, what it means, which tools confirm it and the fix — including "Couldn\'t retrieve verification key" (public reachability of discovery/JWKS, not claims) and "AccessDenied" (the role\'s TRUST policy, not its permissions). Offline; a token inside the text is never echoed.',
  input: () => z.object({ error_text: z.string().min(1).max(20000).describe('The error as printed (any form). A JWT inside it is removed before quoting.') }),
  output: () => resultSchema({
    case: z.string().nullable(),
    error_code: z.string().nullable(),
    form: z.enum(['cli', 'sdk', 'xml', 'json', 'plain']),
    message: z.string(),
    meaning: z.string().nullable(),
    confirm_with: z.array(z.string()),
    fix: z.string().nullable(),
    guide_correction: z.string().nullable(),
  }),
  type: 'readOnly',
  network: false,
  cli: { command: 'explain-sts-error', summary: 'Explain an STS AssumeRoleWithWebIdentity error message', positional: 'error_text', examples: ['jwt-triage explain-sts-error "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity"'] },
  async handle(input, ctx) {
    for (const jwt of input.error_text.match(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g) ?? []) ctx.secret(jwt, 'token');
    const e = explainStsError(input.error_text);
    const k = e.known;
    return finishOf([explanationFinding(e)], 'Not recognized as an STS web-identity error.', {
      case: k?.id ?? null, error_code: e.parsed.code ?? null, form: e.parsed.form, message: e.parsed.message,
      meaning: k?.meaning ?? null, confirm_with: k?.confirm_with ?? [], fix: k?.fix ?? null, guide_correction: k?.guide_correction ?? null,
    });
  },
  text: (o) => [`${o.error_code ?? '?'} (${o.case ?? 'unrecognized'}), read as ${o.form}`, ...(o.guide_correction ? [`note: ${o.guide_correction}`] : [])],
});

// ── 5. predict_sts_outcome ────────────────────────────────────────────────────
async function gatherKeys(raw: string, t: TokenFacts, input: { jwks_file?: string | undefined; reachability: string; offline: boolean }, ctx: ToolContext): Promise<{ keys: StsWorld['keys']; findings: Finding[]; jwks_origin: string | null }> {
  const kid = typeof t.header.kid === 'string' ? t.header.kid : undefined;
  const given = input.reachability === 'fetch' ? undefined : (input.reachability as 'reachable' | 'unreachable' | 'intermittent');
  if (input.jwks_file) {
    const jwks = await readJsonFile(input.jwks_file).catch((e: unknown) => { throw inputError(e, 'Point jwks_file at the public JWKS JSON.'); });
    const k = await verifyWithJwks(raw, kid, jwks.json, String(t.header.alg));
    return { keys: { reachability: given ?? 'reachable', kidServed: k.kidServed, signature: k.signature, pickedWithoutKid: k.pickedWithoutKid }, findings: [], jwks_origin: jwks.origin };
  }
  if (given || input.offline) return { keys: { reachability: given ?? 'unknown' }, findings: [], jwks_origin: null };
  const { discovery, jwks } = await gatherIssuerKeys(ctx, { issuer: issOf(t) ?? '', kid });
  if (!discovery?.doc) return { keys: { reachability: 'unreachable', detail: discovery?.findings[0]?.detail ?? 'no issuer' }, findings: [], jwks_origin: null };
  if (!discovery.jwksUri) return { keys: { reachability: 'unreachable', detail: 'the discovery document has no jwks_uri' }, findings: [], jwks_origin: null };
  if (!jwks?.doc) return { keys: { reachability: 'unreachable', detail: jwks?.findings[0]?.detail ?? 'the JWKS could not be fetched' }, findings: [], jwks_origin: null };
  const k = await verifyWithJwks(raw, kid, jwks.doc.json, String(t.header.alg));
  return { keys: { reachability: 'reachable', kidServed: k.kidServed, signature: k.signature, pickedWithoutKid: k.pickedWithoutKid, detail: `discovery ${discovery.doc.elapsedMs} ms, JWKS ${jwks.doc.elapsedMs} ms` }, findings: [], jwks_origin: jwks.doc.origin };
}

const predictStsOutcomeTool = defineTool({
  name: 'predict_sts_outcome',
  toolsets: ['web-identity'],
  title: 'Predict what STS AssumeRoleWithWebIdentity would answer',
  description:
    'Predicts STS\'s answer in its order of evaluation (provider → keys → expiry → audience → trust): success, or the exact error string ("InvalidIdentityToken: No OpenIDConnect provider found…"), from the token, public discovery/JWKS as AWS fetches them (or jwks_file/reachability), the IAM provider and the role\'s trust policy. offline touches no network or AWS; what was not gathered is listed as an assumption.',
  input: () => z.object({
    ...tokenInputShape,
    ...trustInputShape,
    provider_client_ids: z.array(z.string()).optional().describe('The provider\'s client id list (with provider_arn), instead of reading IAM.'),
    provider_thumbprints: z.array(z.string()).optional().describe('The provider\'s thumbprints (with provider_client_ids).'),
    tls_thumbprint: z.string().optional().describe('SHA-1 (hex) of the issuer\'s top intermediate CA certificate, to compare with the provider\'s thumbprints.'),
    jwks_file: z.string().optional().describe('The public JWKS as AWS would see it, from a file, instead of fetching it.'),
    reachability: z.enum(['fetch', 'reachable', 'unreachable', 'intermittent']).default('fetch').describe('fetch (default): fetch discovery and JWKS now; or state what is known about public reachability.'),
    offline: z.boolean().default(false).describe('Use only the facts given: no HTTP, no AWS calls.'),
    now: nowInput,
    ...regionInputShape,
  }),
  output: () => resultSchema({
    outcome: z.enum(['success', 'error', 'unknown']),
    stage: z.enum(['token', 'provider', 'keys', 'expiry', 'audience', 'trust', 'done']),
    error_code: z.string().nullable(),
    sts_response: z.string(),
    exact: z.boolean(),
    assumptions: z.array(z.string()),
    jwks_origin: z.string().nullable(),
    role_arn: z.string().nullable(),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'predict-sts', summary: 'Predict STS AssumeRoleWithWebIdentity\'s answer (success or the exact error)', examples: ['jwt-triage predict-sts --token-file token.jwt --role-name uploader', 'jwt-triage predict-sts --token-file token.jwt --offline --reachability unreachable'] },
  async handle(input, ctx) {
    const t = await loadToken(input, ctx);
    const now = parseNow(input.now, ctx.now);
    const own = { error_code: null, exact: false, assumptions: [], jwks_origin: null, role_arn: input.role_arn ?? null };
    const tooBig = lengthOutcome(t.raw.length);
    if (tooBig) return finishOf([outcomeFinding(tooBig)], tooBig.message, { ...own, outcome: 'error' as const, stage: 'token' as const, error_code: 'ValidationError', sts_response: tooBig.message });
    if (!t.facts) return finishOf([t.malformed!], 'The token is malformed; STS answers InvalidIdentityToken.', { ...own, outcome: 'error' as const, stage: 'token' as const, error_code: 'InvalidIdentityToken', sts_response: 'InvalidIdentityToken' });
    const iss = issOf(t.facts) ?? '';
    const prov = await gatherProvider(ctx, iss, input);
    const keys = await gatherKeys(t.raw, t.facts, input, ctx);
    const tp = input.tls_thumbprint?.toLowerCase().replace(/:/g, '');
    keys.keys.thumbprintMismatch = tp !== undefined && !!prov.provider?.match?.thumbprints.length && !prov.provider.match.thumbprints.some((x) => x.toLowerCase() === tp);
    const trust = iss ? await gatherTrust(ctx, input, iss, t.facts.claims, input.offline) : undefined;
    ctx.progress(3, 3, 'predicting');
    const o = predictStsOutcome({
      token: t.facts, now, provider: prov.provider, keys: keys.keys, acceptedAlgs: CONSUMER_ALGS.sts, tokenLength: t.raw.length,
      trust: trust?.ev && trust.decision ? { decision: trust.decision, role: trust.roleArn ?? input.role_name ?? 'the role' } : undefined,
    });
    const findings = [outcomeFinding(o), ...prov.findings, ...(trust?.findings ?? [])];
    return finishOf(findings, o.message, { outcome: o.result, stage: o.stage, error_code: o.error_code ?? null, sts_response: o.message, exact: o.exact, assumptions: o.assumptions, jwks_origin: keys.jwks_origin, role_arn: trust?.roleArn ?? input.role_arn ?? null });
  },
  text: (o) => [`STS would answer: ${o.sts_response}`, ...o.assumptions.map((a) => `assumed: ${a}`)],
});

// ── 6. probe_assume_role ──────────────────────────────────────────────────────
const probeAssumeRole = defineTool({
  name: 'probe_assume_role',
  toolsets: ['web-identity'],
  title: 'Probe: one real AssumeRoleWithWebIdentity (opt-in)',
  description:
    'OPT-IN, requires confirm=true. Makes ONE real, unsigned sts:AssumeRoleWithWebIdentity call with the token for role_arn (DurationSeconds 900). Not read-only (it mints short-lived credentials) but not destructive: the credentials are discarded immediately and never returned. Result: success (assumed-role ARN, expiry) or STS\'s error, explained as by explain_sts_error.',
  input: () => z.object({
    ...tokenInputShape,
    role_arn: z.string().describe('The role to assume, arn:aws:iam::<account>:role/<name>.'),
    role_session_name: z.string().regex(/^[\w+=,.@-]{2,64}$/).default('jwt-triage-probe').describe('RoleSessionName (default jwt-triage-probe).'),
    confirm: z.boolean().default(false).describe('Must be true: this makes one real STS call that issues (and discards) credentials.'),
    region: z.string().optional().describe('STS region (default: AWS_REGION, else us-east-1).'),
  }),
  output: () => resultSchema({
    role_arn: z.string(),
    result: z.enum(['success', 'rejected']),
    assumed_role_arn: z.string().nullable(),
    expiration: z.string().nullable(),
    credentials_discarded: z.boolean(),
    error_code: z.string().nullable(),
    case: z.string().nullable(),
  }),
  type: 'probe',
  network: true,
  cli: { command: 'probe-sts', summary: 'Opt-in: one real AssumeRoleWithWebIdentity call (credentials discarded)', examples: ['jwt-triage probe-sts --role-arn arn:aws:iam::123456789012:role/uploader --token-file token.jwt --confirm'] },
  async handle(input, ctx) {
    if (!input.confirm) throw new UsageError('probe_assume_role makes one real sts:AssumeRoleWithWebIdentity call, which issues short-lived credentials for the role (they are discarded at once and never shown).', 'Pass confirm=true (CLI: --confirm) to run it, or use predict_sts_outcome for an offline prediction.');
    const t = await loadToken(input, ctx);
    const r = await assumeRoleWithWebIdentity(input.role_arn, t.raw, input.role_session_name, { region: input.region });
    const base = { role_arn: input.role_arn, credentials_discarded: true };
    if (r.ok) {
      const f = pass('STS_PROBE', { title: `STS issued credentials for ${r.value.assumedRoleArn ?? input.role_arn} (discarded)`, detail: `Expiry ${r.value.expiration ?? 'unknown'}; the credentials were dropped without being stored or returned.`, evidence: { assumed_role_arn: r.value.assumedRoleArn ?? null, subject: r.value.subject ?? null, provider: r.value.provider ?? null, audience: r.value.audience ?? null } });
      return finishOf([f], f.title, { ...base, result: 'success' as const, assumed_role_arn: r.value.assumedRoleArn ?? null, expiration: r.value.expiration ?? null, error_code: null, case: null });
    }
    const e = explainStsError(`${r.rejection.code}: ${r.rejection.message}`);
    const ex = explanationFinding(e);
    const f = fail('STS_PROBE', { title: `STS rejected the token: ${e.parsed.code ?? r.rejection.code}: ${e.parsed.message}`, detail: ex.detail, evidence: { ...ex.evidence, http_status: r.rejection.httpStatus ?? null }, ...(ex.fix ? { fix: ex.fix } : {}) });
    return finishOf([f], f.title, { ...base, result: 'rejected' as const, assumed_role_arn: null, expiration: null, error_code: e.parsed.code ?? r.rejection.code, case: e.known?.id ?? null });
  },
  text: (o) => [o.result === 'success' ? `assumed ${o.assumed_role_arn} until ${o.expiration} — credentials discarded` : `rejected: ${o.error_code} (${o.case ?? 'unrecognized'})`],
});

export default [checkWebIdentityToken, checkIamOidcProvider, checkRoleTrust, explainStsErrorTool, predictStsOutcomeTool, probeAssumeRole];
