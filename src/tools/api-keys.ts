/** check_api_key: the router's API-key path, from the key's shape to its DynamoDB item. */
import { z } from 'zod';
import { apiKeyHash, checkApiKeyShape, checkBearerShadow, lookupSkipped, publicPrefix } from '../checks/opencode/api-key.js';
import type { Finding } from '../checks/finding.js';
import { gatherApiKey, stackOf } from '../gather/opencode.js';
import { resolveEnvironment } from '../presets/opencode.js';
import type { ItemValue } from '../sources/aws/dynamodb.js';
import { readSecret } from '../sources/secret-ref.js';
import { defineTool, resultOf, regionInputShape, resultSchema } from './define.js';

const envShape = z.object({ name: z.string(), source: z.string() });
const itemShape = z.object({
  key_prefix: z.string().optional(),
  status: z.string().optional(),
  user_sub: z.string().optional(),
  user_email: z.string().optional(),
  description: z.string().optional(),
  created_at: z.string().optional(),
  expires_at: z.string().optional(),
  last_used_at: z.string().optional(),
  revoked_at: z.string().optional(),
});

const ITEM_FIELDS = Object.keys(itemShape.shape) as Array<keyof z.infer<typeof itemShape>>;
const pick = (item: Record<string, ItemValue>) =>
  Object.fromEntries(ITEM_FIELDS.filter((k) => typeof item[k] === 'string').map((k) => [k, item[k] as string]));

const checkApiKey = defineTool({
  name: 'check_api_key',
  toolsets: ['default', 'opencode'],
  title: 'Check an OpenCode API key',
  description:
    'Answers "why is my X-API-Key rejected?" for the OpenCode Stack: checks the oc_ prefix and shape (no oc_ → the ALB\'s 403 default action), then looks the key\'s SHA-256 up in the DynamoDB table named in SSM, as the router does: unknown, revoked (300 s per-task cache), expired, or active with its owner and expiry. The key is read from a file or an environment variable only and never shown; its hash and public key_prefix may be.',
  input: () => z.object({
    api_key_file: z.string().optional().describe('Path to a file holding the API key (oc_…).'),
    api_key_env: z.string().optional().describe('Name of an environment variable (of the jwt-triage process) holding the API key.'),
    with_bearer: z.boolean().optional().describe('The same request also sends a Bearer token in the Authorization header (then the JWT rule wins).'),
    env: z.string().optional().describe('Stack environment name (default: ENVIRONMENT, then cdk.context.json, then dev).'),
    ...regionInputShape,
  }),
  output: () => resultSchema({
    environment: envShape,
    key_source: z.string().describe('Where the key was read from (file:… or env:…).'),
    key_prefix: z.string().optional().describe('The router\'s public id of the key: its first 10 characters.'),
    key_hash: z.string().describe('sha256(key) hex: the DynamoDB key_hash.'),
    table: z.object({ name: z.string(), source: z.string() }).optional(),
    item: itemShape.optional().describe('The DynamoDB item (no secrets in it).'),
  }),
  type: 'readOnly',
  network: true,
  cli: {
    command: 'api-key',
    summary: 'Check an OpenCode API key: prefix, shape, and its DynamoDB item (unknown, revoked, expired, active).',
    examples: ['jwt-triage api-key --api-key-file ~/.opencode/key --env prod', 'jwt-triage api-key --api-key-env OPENCODE_API_KEY --with-bearer'],
  },
  async handle(input, ctx) {
    const secret = await readSecret({ file: input.api_key_file, env: input.api_key_env }, 'API key', { file: 'api_key_file', env: 'api_key_env' }, ctx.env);
    ctx.secret(secret.value, 'api-key');
    const environment = resolveEnvironment(input.env, ctx.env, ctx.cwd);
    const key = secret.value;
    const keyHash = apiKeyHash(key);
    const findings: Finding[] = [...checkApiKeyShape(key), ...checkBearerShadow(input.with_bearer)];
    const base = { environment, key_source: secret.source, key_prefix: publicPrefix(key), key_hash: keyHash };
    if (!key.startsWith('oc_')) {
      findings.push(lookupSkipped('A key without oc_ never reaches the router, so its DynamoDB item does not matter.'));
      return { ...resultOf(findings, 'The API key is valid: the router accepts it.'), ...base };
    }
    const g = await gatherApiKey(ctx, stackOf(ctx, input), keyHash);
    findings.push(...g.findings);
    return { ...resultOf(findings, 'The API key is valid: the router accepts it.'), ...base, table: g.table, ...(g.item ? { item: pick(g.item) } : {}) };
  },
  text: (o) => [
    `key ${o.key_prefix ?? '(no oc_ prefix)'} from ${o.key_source}, key_hash ${o.key_hash}`,
    `environment ${o.environment.name} (from ${o.environment.source})${o.table ? `, table ${o.table.name} (from ${o.table.source})` : ''}`,
    ...(o.item ? [`owner ${o.item.user_sub ?? '?'} ${o.item.user_email ?? ''}, status ${o.item.status ?? '?'}, expires ${o.item.expires_at ?? 'never'}, last used ${o.item.last_used_at ?? 'never'}`] : []),
  ],
});

export default [checkApiKey];
