/**
 * What every gatherer gets: the call's clock, environment, cancellation, HTTP policy,
 * progress and secret registration — and a per-call memo, so that one tool call or one
 * diagnosis fetches each fact once (one discovery fetch, one DescribeRules, one
 * GetParametersByPath per path…). The memo lives as long as the call; it is not a cache.
 */
import { awsSession, type AwsSession } from '../sources/aws/client.js';
import type { HttpPolicy } from '../sources/http.js';

export interface GatherContext {
  now: Date;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  http: HttpPolicy;
  progress(progress: number, total?: number, message?: string): void;
  secret(value: string, label: string): void;
  /** Per-call memo of gathered facts (see `once`). */
  memo: Map<string, Promise<unknown>>;
}

/** Runs `fn` once per key within this call; later callers share its promise (and its failure). */
export function once<T>(ctx: Pick<GatherContext, 'memo'>, key: string, fn: () => Promise<T>): Promise<T> {
  let p = ctx.memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = fn();
    ctx.memo.set(key, p);
  }
  return p;
}

export interface AwsInput {
  region?: string | undefined;
  profile?: string | undefined;
}

/** The AWS session for this call and region/profile (one per call, so clients are shared). */
export function awsOf(ctx: GatherContext, input: AwsInput): AwsSession {
  const key = `aws:${input.region ?? ''}:${input.profile ?? ''}`;
  let s = ctx.memo.get(key) as unknown as AwsSession | undefined;
  if (!s) {
    s = awsSession({ region: input.region, profile: input.profile, signal: ctx.signal });
    ctx.memo.set(key, s as unknown as Promise<unknown>);
  }
  return s;
}

/** The profile named in messages and fixes: the input's, else AWS_PROFILE. */
export const profileOf = (ctx: GatherContext, input: AwsInput) => input.profile ?? ctx.env.AWS_PROFILE;
