/**
 * What every gatherer gets: the call's clock, environment, cancellation, HTTP policy,
 * progress and secret registration — and a per-call memo, so that one tool call or one
 * diagnosis fetches each fact once (one discovery fetch, one DescribeRules, one
 * GetParametersByPath per path…). The memo lives as long as the call; it is not a cache.
 */
import { awsSession, type AwsSession } from '../sources/aws/client.js';
import type { HttpPolicy } from '../sources/http.js';
import { SourceError } from '../sources/errors.js';

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
  /**
   * Replay: the facts a snapshot recorded, by memo key. When set, nothing is fetched: a fact the
   * snapshot lacks is a SOURCE_BLOCKED failure ("not in the snapshot"), never a network call.
   */
  replay?: ReadonlyMap<string, unknown> | undefined;
}

/** Runs `fn` once per key within this call; later callers share its promise (and its failure). */
export function once<T>(ctx: Pick<GatherContext, 'memo' | 'replay'>, key: string, fn: () => Promise<T>): Promise<T> {
  let p = ctx.memo.get(key) as Promise<T> | undefined;
  if (!p) {
    if (ctx.replay) {
      p = ctx.replay.has(key)
        ? Promise.resolve(ctx.replay.get(key) as T)
        : Promise.reject(new SourceError('SOURCE_BLOCKED', `Not in the snapshot: ${key.split(':')[0]} (it was not gathered when the snapshot was taken).`, { key }));
    } else {
      p = fn();
    }
    ctx.memo.set(key, p);
  }
  return p;
}

/** Memo keys that hold live objects, not facts: never recorded in a snapshot. */
export const LIVE_KEY = /^aws:/;

/** Every fact this call gathered, by memo key, for a snapshot (facts that failed to settle are left out). */
export async function recordedFacts(ctx: Pick<GatherContext, 'memo'>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [key, p] of ctx.memo) {
    if (LIVE_KEY.test(key)) continue;
    try {
      out[key] = await p;
    } catch {
      /* a rejected fact is re-derived as its failure on replay */
    }
  }
  return out;
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
