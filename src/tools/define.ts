/**
 * A tool is a declarative record — name, title, description, input and output
 * schemas, its kind — plus a short handler: sources → checks → result.
 *
 * The server (MCP) and the CLI both run tools through `runTool` in ./run.ts, which
 * validates, redacts and renders once for all; annotations are derived from `type`
 * and `network` in one place (`annotationsOf`).
 */
import { z } from 'zod';
import { findingSchema, worstFirst, type Finding } from '../checks/finding.js';
import { UsageError } from '../sources/errors.js';
import type { GatherContext } from '../gather/context.js';

export type ToolType =
  /** Reads only (Get/List/Describe/Filter, HTTP GET, kubectl get/logs). */
  | 'readOnly'
  /** Makes one call that is not a read (the opt-in STS probe): not read-only, not destructive. */
  | 'probe';

/** A tool call's context: what every gatherer gets (src/gather/context.ts). */
export type ToolContext = GatherContext;

/**
 * Tool families an MCP client can add with `--toolsets` / JWT_TRIAGE_TOOLSETS. `default` marks
 * the tools listed without any flag: the diagnosis and what its playbooks reach for first.
 */
export const TOOLSETS = ['default', 'token', 'keys', 'opencode', 'web-identity', 'cluster'] as const;
export type Toolset = (typeof TOOLSETS)[number];

/** The toolset names `--toolsets` accepts. */
export const TOOLSET_CHOICES = [...TOOLSETS, 'all'] as const;

/** Parses `token,keys` (flag or JWT_TRIAGE_TOOLSETS) into toolset names; throws UsageError naming a bad one. */
export function parseToolsets(value: string | undefined): (Toolset | 'all')[] {
  if (value === undefined) return [];
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !(TOOLSET_CHOICES as readonly string[]).includes(n));
  if (bad.length) throw new UsageError(`Unknown toolset ${bad.map((b) => `"${b}"`).join(', ')}.`, `Use a comma-separated list of: ${TOOLSET_CHOICES.join(', ')}.`);
  return names as (Toolset | 'all')[];
}

export interface CliSpec<I> {
  /** `jwt-triage <command>`. */
  command: string;
  /** One line for `jwt-triage --help`. */
  summary: string;
  /** Lines shown under "Examples" in `jwt-triage <command> --help`. */
  examples?: string[];
  /** An input field that may also be given as the first positional argument. */
  positional?: keyof I & string;
}

export interface ToolDef<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  /** The families this tool belongs to (`default`: listed without --toolsets). */
  toolsets: readonly Toolset[];
  title: string;
  /** Written for an assistant choosing tools: what it answers, when to use it, what it needs. */
  description: string;
  input: I;
  output: O;
  type: ToolType;
  /** Whether the tool reaches a network (HTTP, AWS, a cluster): sets `openWorldHint`. */
  network: boolean;
  cli: CliSpec<z.infer<I>>;
  /** Returns the output without `verdict`: runTool derives it from the findings, in one place. */
  handle(input: z.infer<I>, ctx: ToolContext): Promise<Omit<z.infer<O>, 'verdict'>>;
  /** Tool-specific lines of the human text, printed above the findings. */
  text?(output: z.infer<O>): string[];
  /** The text() lines already say everything (a rendered report): do not list the findings again. */
  textReplacesFindings?: boolean;
}

/**
 * A record as written: `input` and `output` may be functions that build the schema, so a process
 * builds only the schemas it uses (`jwt-triage decode` builds decode_token's, not all 28 tools').
 */
export type ToolSpec<I extends z.ZodObject, O extends z.ZodObject> = Omit<ToolDef<I, O>, 'input' | 'output'> & {
  input: I | (() => I);
  output: O | (() => O);
};

export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(spec: ToolSpec<I, O>): ToolDef<I, O> {
  const { input, output, ...rest } = spec;
  const record = rest as ToolDef<I, O>;
  // Built on first read, then kept: every reader (runTool, the CLI's flags, tools/list) sees one schema object.
  lazily(record, 'input', input);
  lazily(record, 'output', output);
  return record;
}

function lazily<T extends object>(record: object, key: string, value: T | (() => T)): void {
  if (typeof value !== 'function') {
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
    return;
  }
  let built: T | undefined;
  Object.defineProperty(record, key, { get: () => (built ??= (value as () => T)()), enumerable: true, configurable: true });
}

// A list of tools of different schemas: the handler types are checked inside each record.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTool = ToolDef<any, any>;

export interface ToolAnnotationsOut {
  title: string;
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** The one place annotations are derived. */
export function annotationsOf(tool: AnyTool): ToolAnnotationsOut {
  return {
    title: tool.title,
    readOnlyHint: tool.type === 'readOnly',
    destructiveHint: false,
    idempotentHint: tool.type === 'readOnly',
    openWorldHint: tool.network,
  };
}

/** Every tool's output has these three members, then its own. */
export function resultSchema<S extends z.ZodRawShape>(shape: S) {
  return z.object({
    verdict: z.enum(['pass', 'fail', 'error']).describe('Derived from the findings: fail if any fails (it explains a rejection), else error if a check could not run, else pass.'),
    summary: z.string().describe('One sentence: the most important finding.'),
    findings: z.array(findingSchema),
  }).extend(shape);
}

export type Findings = Finding[];

/** An optional ISO-8601 or epoch-seconds instant, for reproducible time checks. */
export const nowInput = z
  .string()
  .optional()
  .describe('Judge times as of this instant (ISO 8601 or epoch seconds), not now.');

export const regionInputShape = {
  region: z.string().optional().describe('AWS region (default AWS_REGION).'),
  profile: z.string().optional().describe('AWS profile (default AWS_PROFILE).'),
};

/** Resolves the `now` input (ISO 8601 or epoch seconds) or falls back to the call's clock. */
export function parseNow(value: string | undefined, fallback: Date): Date {
  if (value === undefined) return fallback;
  const d = /^\d+(\.\d+)?$/.test(value.trim()) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new UsageError(`now "${value}" is not a date.`, 'Pass an ISO 8601 instant (2026-09-21T12:00:00Z) or epoch seconds.');
  return d;
}

/**
 * summary + findings (runTool derives the verdict): the summary is the worst non-passing finding's title (with
 * `context` in parentheses), or `fallback` when nothing is wrong.
 */
export function resultOf(findings: Finding[], fallback: string, context?: string) {
  const top = worstFirst(findings)[0];
  const bad = top && top.status !== 'pass' && top.status !== 'skip';
  const summary = bad ? `${top.title.replace(/\.$/, '')}${context ? ` (${context})` : ''}.` : fallback;
  return { summary, findings };
}
