/**
 * How a tool record is published in MCP `tools/list`: compact, because an assistant pays for
 * the whole list in every conversation before it asks anything.
 *
 * - Input schemas are published whole (their field descriptions are what help a model call
 *   the tool correctly), minus the `$schema` line.
 * - Output schemas keep what a client needs to validate `structuredContent` and a model needs
 *   to read it: every top-level member with its type, the finding shape (findings[],
 *   root_cause) by its required members (described once, in the instructions), nested members by type only; `required` names the three members
 *   every result has (verdict, summary, findings).
 *   Per-field prose, nested members, `additionalProperties: false` and other `required` lists are left out: the
 *   published schema only ever accepts MORE than the record's zod schema, which the server
 *   still enforces on every result (runTool). Finding codes are plain strings; their
 *   catalogue is the `jwt-triage://codes` resource, not a 73-value enum in every tool.
 */
import { z } from 'zod';
import { annotationsOf, type AnyTool, type ToolAnnotationsOut } from './define.js';

type Json = Record<string, unknown>;

export interface PublishedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Json;
  outputSchema: Json;
  annotations: Omit<ToolAnnotationsOut, 'title'>;
}

/** Members whose published schema keeps every detail: the finding shape. */
const EXACT = new Set(['findings', 'root_cause']);
/** How many object levels below the top keep their member names. */
const DEPTH = 0;

export function publishTool(tool: AnyTool): PublishedTool {
  const { title: _title, ...annotations } = annotationsOf(tool);
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: byReference(portable(withoutDialect(z.toJSONSchema(tool.input as z.ZodObject, { target: 'draft-7', io: 'input' }) as Json)) as Json),
    outputSchema: compactOutput(z.toJSONSchema(tool.output as z.ZodObject, { target: 'draft-7', io: 'output' }) as Json),
    annotations,
  };
}

/**
 * Tokens are taken by reference (token_file, token_env): the inline `token` field is still accepted
 * (a CLI or script may use it) but not advertised to assistants, so a token never has to enter the chat.
 */
function byReference(schema: Json): Json {
  const props = schema.properties as Json | undefined;
  if (!props || !('token' in props) || !('token_file' in props)) return schema;
  const { token: _inline, ...rest } = props;
  return { ...schema, properties: rest };
}

function withoutDialect(schema: Json): Json {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

function compactOutput(schema: Json): Json {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const out: Json = { type: 'object', properties: {} };
  for (const [k, v] of Object.entries(props)) (out.properties as Json)[k] = EXACT.has(k) ? finding(v) : shallow(v, DEPTH);
  // The contract every tool keeps; which of its own members are always present is in the record, not repeated here.
  out.required = ['verdict', 'summary', 'findings'].filter((k) => k in props);
  return portable(out) as Json;
}

/**
 * Spellings every client maps (checked by the MCP Inspector's `--strict` portability report):
 * a free-form map is `{type: object}` or `additionalProperties: true`, never the empty schema
 * `{}`; a nullable value is `anyOf` of single types, not a type array.
 */
function portable(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(portable);
  if (!o || typeof o !== 'object') return o;
  const r: Json = {};
  for (const [k, v] of Object.entries(o as Json)) {
    if (k === 'additionalProperties' && v && typeof v === 'object' && Object.keys(v).length === 0) r[k] = true;
    else if (k === 'type' && Array.isArray(v)) r.anyOf = v.map((t) => ({ type: t }));
    else r[k] = portable(v);
  }
  if (r.type === 'object' && r.additionalProperties === true && !r.properties) delete r.additionalProperties;
  return r;
}

/**
 * The finding shape, described once: `{code, status, title, detail, evidence, fix}` is spelled out in
 * the server's instructions and the `jwt-triage://codes` resource, so each tool's schema names only
 * the members every finding has.
 */
const FINDING_MEMBERS = ['code', 'status', 'title', 'detail', 'evidence'];

function finding(s: Json): Json {
  const compact = (o: unknown): unknown => {
    if (Array.isArray(o)) return o.map(compact);
    if (!o || typeof o !== 'object') return o;
    const j = o as Json;
    const props = j.properties as Json | undefined;
    // The members this tool's findings always have (the diagnosis' other findings carry no evidence).
    if (props && 'code' in props && 'status' in props) return { type: 'object', required: FINDING_MEMBERS.filter((k) => ((j.required as string[] | undefined) ?? []).includes(k)) };
    const r: Json = {};
    for (const [k, v] of Object.entries(j)) {
      if (k === 'propertyNames' || (k === 'additionalProperties' && v === false) || k === 'description') continue;
      r[k] = compact(v);
    }
    return r;
  };
  return compact(s) as Json;
}

/** A schema with object members kept `depth` levels down; below that, only `type`. */
function shallow(s: Json, depth: number): Json {
  const r: Json = {};
  for (const k of ['type', 'enum', 'const'] as const) if (s[k] !== undefined) r[k] = s[k];
  if (Array.isArray(s.anyOf)) r.anyOf = (s.anyOf as Json[]).map((x) => shallow(x, depth));
  if (s.properties && depth > 0) {
    r.properties = Object.fromEntries(Object.entries(s.properties as Record<string, Json>).map(([k, v]) => [k, shallow(v, depth - 1)]));
  }
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) r.items = shallow(s.items as Json, depth);
  if (s.additionalProperties && typeof s.additionalProperties === 'object' && depth > 0) r.additionalProperties = shallow(s.additionalProperties as Json, depth - 1);
  if (Object.keys(r).length === 0) return {};
  return r;
}
