/**
 * IAM facts for web identity: the account's OIDC providers and a role's trust policy.
 * Read-only calls (iam:ListOpenIDConnectProviders, iam:GetOpenIDConnectProvider, iam:GetRole);
 * decides nothing. GetRole's AssumeRolePolicyDocument arrives URL-encoded: decoded here.
 */
import { GetOpenIDConnectProviderCommand, GetRoleCommand, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { awsCall, type AwsClients } from './aws.js';
import { SourceError } from './errors.js';

export interface OidcProvider {
  arn: string;
  /** As IAM stores it: host + path, no scheme. */
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createDate?: string | undefined;
}

export async function listOidcProviders(clients: AwsClients): Promise<OidcProvider[]> {
  const opts = clients.options;
  const list = await awsCall('iam:ListOpenIDConnectProviders', () => clients.iam.send(new ListOpenIDConnectProvidersCommand({})), opts);
  const arns = (list.OpenIDConnectProviderList ?? []).map((p) => p.Arn).filter((a): a is string => typeof a === 'string');
  return Promise.all(arns.map((arn) => getOidcProvider(clients, arn)));
}

export async function getOidcProvider(clients: AwsClients, arn: string): Promise<OidcProvider> {
  const p = await awsCall('iam:GetOpenIDConnectProvider', () => clients.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })), clients.options);
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

export async function getRole(clients: AwsClients, roleName: string): Promise<RoleFacts> {
  const r = await awsCall('iam:GetRole', () => clients.iam.send(new GetRoleCommand({ RoleName: roleName })), clients.options);
  const role = r.Role;
  if (!role?.Arn || !role.RoleName) throw new SourceError('SOURCE_AWS', `GetRole returned no role for ${roleName}.`, { kind: 'not_found', action: 'iam:GetRole' });
  return {
    arn: role.Arn,
    name: role.RoleName,
    maxSessionDuration: role.MaxSessionDuration,
    trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument ?? '{}'),
  };
}

/** `arn:aws:iam::123:role/path/name` → `name`. */
export function roleNameOf(roleArn: string): string | undefined {
  const m = /^arn:[^:]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return m?.[1];
}
