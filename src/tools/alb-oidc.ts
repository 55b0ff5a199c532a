/**
 * The OpenCode distribution ALB (authenticate-oidc): check_alb_oidc reads rule 10 and judges
 * it; verify_alb_oidc_data verifies an x-amzn-oidc-data header a user captured.
 */
import { z } from 'zod';
import { checkOidcDataExp, checkOidcDataSignature, checkSigner, parseOidcData, verifyOidcData } from '../checks/opencode/alb-oidc-data.js';
import type { Finding } from '../checks/finding.js';
import { gatherAlbOidc } from '../gather/alb-oidc.js';
import { resolveEnvironment } from '../presets/opencode.js';
import { albKeysBase, fetchAlbPublicKey } from '../sources/alb-keys.js';
import { UsageError } from '../sources/errors.js';
import { readSecret } from '../sources/secret-ref.js';
import { fingerprint } from '../redact.js';
import { defineTool, nowInput, parseNow, regionInputShape, resultOf, resultSchema } from './define.js';
import { attempt } from '../gather/failure.js';

const checkAlbOidc = defineTool({
  name: 'check_alb_oidc',
  toolsets: ['opencode'],
  title: 'Check the OpenCode distribution ALB\'s authenticate-oidc rule',
  description:
    'For share-viewer / web UI 401s at the OpenCode distribution ALB: reads its rule 10 authenticate-oidc action (listener from SSM; the ClientSecret is never read out) and checks issuer and endpoints against discovery, the client id against SSM oidc/alb-client-id, OnUnauthenticatedRequest, the /oauth2/idpresponse callback (with allowed_callback_urls), and that the IdP\'s token and user-info endpoints have IPv4 on 443 (the ALB cannot use IPv6 to the IdP).',
  input: () => z.object({
    env: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional().describe('Environment name (default: $ENVIRONMENT, then "environment" in ./cdk.context.json, then "dev").'),
    listener_arn: z.string().optional().describe('The distribution ALB\'s HTTPS listener (default: SSM /opencode/<env>/alb/oidc/listener-arn).'),
    allowed_callback_urls: z.array(z.string()).max(100).optional().describe('The IdP app\'s allowed callback/redirect URLs (e.g. the Cognito app client\'s CallbackURLs), to compare with the ALB\'s.'),
    ...regionInputShape,
  }),
  output: () => resultSchema({
    env: z.string(),
    listener_arn: z.string().nullable(),
    rule_priority: z.union([z.number(), z.literal('default')]).nullable(),
    issuer: z.string().nullable(),
    client_id: z.string().nullable(),
    on_unauthenticated_request: z.string().nullable(),
    callback_urls: z.array(z.string()).describe('The redirect URLs the IdP app must allow.'),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'alb-oidc', summary: 'The distribution ALB\'s authenticate-oidc rule vs discovery, SSM, callback and IPv4', examples: ['jwt-triage alb-oidc --env prod', 'jwt-triage alb-oidc --listener-arn arn:aws:elasticloadbalancing:…:listener/app/opencode-oidc-prod/…'] },
  async handle(input, ctx) {
    const env = resolveEnvironment(input.env, ctx.env, ctx.cwd);
    const r = await gatherAlbOidc({ env: env.name, listenerArn: input.listener_arn, allowedCallbackUrls: input.allowed_callback_urls, region: input.region, profile: input.profile, http: ctx.http, signal: ctx.signal });
    return { ...resultOf(r.findings, `Rule ${r.rule_priority ?? '?'}'s authenticate-oidc agrees with discovery and SSM.`), env: env.name, ...r, findings: r.findings };
  },
  text: (o) => [`env ${o.env}  listener ${o.listener_arn ?? '—'}  rule ${o.rule_priority ?? '—'}  issuer ${o.issuer ?? '—'}  client ${o.client_id ?? '—'}  unauthenticated: ${o.on_unauthenticated_request ?? '—'}`, ...o.callback_urls.map((u) => `callback ${u}`)],
});

const verifyAlbOidcData = defineTool({
  name: 'verify_alb_oidc_data',
  toolsets: ['opencode'],
  title: 'Verify an x-amzn-oidc-data header',
  description:
    'Verifies the x-amzn-oidc-data header an ALB authenticate action adds (captured by the user at the target; pass it by file or env var): ES256 signature with the ALB public key named by its kid (https://public-keys.auth.elb.<region>.amazonaws.com/<kid>, region from the signer ARN unless given), signer = the expected ALB ARN, exp. Tolerates the base64 padding AWS documents for this header (some JWT libraries reject it). Never returns the value; shows the header fields and the claim names.',
  input: () => z.object({
    data: z.string().optional().describe('The header value itself. Prefer data_file or data_env.'),
    data_file: z.string().optional().describe('Path to a file holding the header value.'),
    data_env: z.string().optional().describe('Name of an environment variable (of the server process) holding the header value.'),
    expected_signer: z.string().optional().describe('The ALB ARN the signer must equal (e.g. SSM /opencode/<env>/alb/oidc/arn).'),
    region: z.string().optional().describe('The ALB\'s region (default: from the signer ARN, then AWS_REGION).'),
    keys_url: z.string().optional().describe('Base URL of the public keys instead of https://public-keys.auth.elb.<region>.amazonaws.com (tests, mirrors).'),
    now: nowInput,
  }),
  output: () => resultSchema({
    data_fingerprint: z.string(),
    data_source: z.string(),
    header: z.object({ alg: z.string().nullable(), kid: z.string().nullable(), signer: z.string().nullable(), iss: z.string().nullable(), client: z.string().nullable(), exp: z.number().nullable() }),
    claim_names: z.array(z.string()),
    padded: z.boolean().describe('The value carried base64 padding (as AWS documents).'),
    key_url: z.string().nullable(),
  }),
  type: 'readOnly',
  network: true,
  cli: { command: 'verify-alb-oidc-data', summary: 'Verify a captured x-amzn-oidc-data header (ES256, kid key, signer, exp)', examples: ['jwt-triage verify-alb-oidc-data --data-file oidc-data.txt --expected-signer arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/opencode-oidc-prod/50dc6c495c0c9188'] },
  async handle(input, ctx) {
    const ref = await readSecret({ inline: input.data, file: input.data_file, env: input.data_env }, 'x-amzn-oidc-data value', { inline: 'data', file: 'data_file', env: 'data_env' }, ctx.env);
    ctx.secret(ref.value, 'x-amzn-oidc-data');
    const base = { data_fingerprint: fingerprint(ref.value), data_source: ref.source };
    const parsed = parseOidcData(ref.value);
    const none = { header: { alg: null, kid: null, signer: null, iss: null, client: null, exp: null }, claim_names: [], padded: false, key_url: null };
    if (!parsed.ok) return { ...resultOf([parsed.finding], 'The value is malformed.'), ...base, ...none };
    const h = parsed.parts.header;
    const s = (v: unknown) => (typeof v === 'string' ? v : null);
    const signer = s(h.signer);
    const region = input.region ?? (signer ? /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):/.exec(signer)?.[1] : undefined) ?? ctx.env.AWS_REGION;
    const findings: Finding[] = [];
    let keyUrl: string | null = null;
    let result: { verified: boolean; form?: 'as_received' | 'unpadded' } | undefined;
    if (h.alg === 'ES256' && typeof h.kid === 'string' && h.kid) {
      if (!region && !input.keys_url) throw new UsageError('The ALB region is unknown (no signer ARN in the header).', 'Pass region (the ALB\'s region).');
      const key = await attempt(findings, () => fetchAlbPublicKey(h.kid as string, input.keys_url ?? albKeysBase(region!), ctx.http, ctx.signal), { fetch: { code: 'JWKS_UNREACHABLE', what: `The ALB public key ${h.kid}` } });
      if (key) {
        keyUrl = key.url;
        result = verifyOidcData(parsed.parts, key.pem);
      }
    }
    findings.push(checkOidcDataSignature(h, result, keyUrl ?? undefined), checkSigner(h, input.expected_signer), checkOidcDataExp(h, parseNow(input.now, ctx.now)));
    return {
      ...resultOf(findings, 'The x-amzn-oidc-data header verifies: ES256 with the ALB key, signer and exp.'),
      ...base,
      header: { alg: s(h.alg), kid: s(h.kid), signer, iss: s(h.iss), client: s(h.client), exp: typeof h.exp === 'number' ? h.exp : null },
      claim_names: Object.keys(parsed.parts.payload).slice(0, 50),
      padded: parsed.parts.padded,
      key_url: keyUrl,
    };
  },
  text: (o) => [`kid ${o.header.kid ?? '—'}  signer ${o.header.signer ?? '—'}  exp ${o.header.exp ?? '—'}  padded ${o.padded}`, `claims: ${o.claim_names.join(', ') || '—'}`],
});

export default [checkAlbOidc, verifyAlbOidcData];
