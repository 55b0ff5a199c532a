/**
 * IAM facts for web identity: the account's OIDC providers and a role's trust policy.
 * Read-only calls (iam:ListOpenIDConnectProviders, iam:GetOpenIDConnectProvider, iam:GetRole);
 * decides nothing. GetRole's AssumeRolePolicyDocument arrives URL-encoded: decoded here.
 */
import type { GetOpenIDConnectProviderCommandOutput, GetRoleCommandOutput, ListOpenIDConnectProvidersCommandOutput } from '@aws-sdk/client-iam';
import { SourceError } from '../errors.js';
import { loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-iam');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-iam');
// IAM is global: no region needed (the session falls back to us-east-1).
const client = (aws: AwsSession) => aws.client('iam', sdk().IAMClient, { global: true });

export interface OidcProvider {
  arn: string;
  /** As IAM stores it: host + path, no scheme. */
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createDate?: string | undefined;
}

export async function listOidcProviders(aws: AwsSession): Promise<OidcProvider[]> {
  const list = await aws.send<ListOpenIDConnectProvidersCommandOutput>('iam:ListOpenIDConnectProviders', client(aws), new (sdk().ListOpenIDConnectProvidersCommand)({}));
  const arns = (list.OpenIDConnectProviderList ?? []).map((p) => p.Arn).filter((a): a is string => typeof a === 'string');
  return Promise.all(arns.map((arn) => getOidcProvider(aws, arn)));
}

export async function getOidcProvider(aws: AwsSession, arn: string): Promise<OidcProvider> {
  const p = await aws.send<GetOpenIDConnectProviderCommandOutput>('iam:GetOpenIDConnectProvider', client(aws), new (sdk().GetOpenIDConnectProviderCommand)({ OpenIDConnectProviderArn: arn }));
  return {
    arn,
    url: p.Url ?? arn.replace(/^arn:[^:]+:iam::\d+:oidc-provider\//, ''),
    clientIds: p.ClientIDList ?? [],
    thumbprints: p.ThumbprintList ?? [],
    createDate: p.CreateDate?.toISOString(),
  };
}

export interface RoleFacts {
  arn: string;
  name: string;
  maxSessionDuration?: number | undefined;
  /** The role's tags (GetRole returns them), key → value. */
  tags?: Record<string, string> | undefined;
  /** The trust policy document, decoded and parsed. */
  trustPolicy: unknown;
}

/** The JSON text of a policy document: URL-decoded when it is (GetRole), parsed. */
export function decodePolicyDocument(doc: string): unknown {
  try {
    const text = doc.trim().startsWith('%7B') || doc.trim().startsWith('%7b') ? decodeURIComponent(doc) : doc;
    return JSON.parse(text);
  } catch {
    throw new SourceError('SOURCE_NOT_JSON', 'The role\'s trust policy document is not JSON (or has a malformed URL escape).', {});
  }
}

export async function getRole(aws: AwsSession, roleName: string): Promise<RoleFacts> {
  const r = await aws.send<GetRoleCommandOutput>('iam:GetRole', client(aws), new (sdk().GetRoleCommand)({ RoleName: roleName }));
  const role = r.Role;
  if (!role?.Arn || !role.RoleName) throw new SourceError('SOURCE_AWS', `GetRole returned no role for ${roleName}.`, { kind: 'not_found', action: 'iam:GetRole' });
  return {
    arn: role.Arn,
    name: role.RoleName,
    maxSessionDuration: role.MaxSessionDuration,
    tags: Object.fromEntries((role.Tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ''])),
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument ?? '{}'),
  };
}

/** `arn:aws:iam::123:role/path/name` → `name`. */
export function roleNameOf(roleArn: string): string | undefined {
  const m = /^arn:[^:]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return m?.[1];
}
