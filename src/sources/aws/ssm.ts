/**
 * SSM Parameter Store: parameters by path (paged) and by name (chunks of 10), never
 * decrypted. SecureString values are dropped here, by type, before anything else sees them.
 */
import type { Parameter } from '@aws-sdk/client-ssm';
import type { SsmParameterFact } from '../../checks/opencode/facts.js';
import { loadSdk, type AwsSession } from './client.js';

type Sdk = typeof import('@aws-sdk/client-ssm');
const sdk = () => loadSdk<Sdk>('@aws-sdk/client-ssm');
const client = (aws: AwsSession) => aws.client('ssm', sdk().SSMClient);

const MAX_PAGES = 50;

export function parameterFact(p: Parameter): SsmParameterFact {
  const fact: SsmParameterFact = { name: p.Name ?? '', type: p.Type ?? 'String' };
  if (p.Type !== 'SecureString' && p.Value !== undefined) fact.value = p.Value;
  if (p.Version !== undefined) fact.version = p.Version;
  if (p.LastModifiedDate) fact.lastModified = p.LastModifiedDate.toISOString();
  return fact;
}

export interface SsmPathResult {
  parameters: SsmParameterFact[];
  pages: number;
  /** True when the page cap stopped the listing. */
  truncated: boolean;
}

export async function ssmByPath(aws: AwsSession, path: string, opts: { recursive?: boolean; maxPages?: number } = {}): Promise<SsmPathResult> {
  const { GetParametersByPathCommand } = sdk();
  const parameters: SsmParameterFact[] = [];
  let token: string | undefined;
  let pages = 0;
  const maxPages = opts.maxPages ?? MAX_PAGES;
  do {
    const out = await aws.send<{ Parameters?: Parameter[]; NextToken?: string }>('ssm:GetParametersByPath', client(aws),
      new GetParametersByPathCommand({ Path: path, Recursive: opts.recursive ?? true, WithDecryption: false, MaxResults: 10, NextToken: token }));
    pages++;
    parameters.push(...(out.Parameters ?? []).map(parameterFact));
    token = out.NextToken;
  } while (token && pages < maxPages);
  return { parameters, pages, truncated: Boolean(token) };
}

export interface SsmNamesResult {
  parameters: SsmParameterFact[];
  /** Names SSM does not have. */
  missing: string[];
}

export async function ssmByNames(aws: AwsSession, names: readonly string[]): Promise<SsmNamesResult> {
  const { GetParametersCommand } = sdk();
  const parameters: SsmParameterFact[] = [];
  const missing: string[] = [];
  for (let i = 0; i < names.length; i += 10) {
    const chunk = names.slice(i, i + 10);
    const out = await aws.send<{ Parameters?: Parameter[]; InvalidParameters?: string[] }>('ssm:GetParameters', client(aws), new GetParametersCommand({ Names: chunk, WithDecryption: false }));
    parameters.push(...(out.Parameters ?? []).map(parameterFact));
    missing.push(...(out.InvalidParameters ?? []));
  }
  return { parameters, missing };
}

/** A String parameter's value, or undefined when it does not exist (or is a SecureString: never read). */
export async function ssmValue(aws: AwsSession, name: string): Promise<string | undefined> {
  const { parameters } = await ssmByNames(aws, [name]);
  return parameters[0]?.value;
}
