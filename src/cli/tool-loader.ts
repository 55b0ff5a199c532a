/**
 * The offline token commands (`jwt-triage decode`, `check-time`, `compare-claims`) load only
 * src/tools/token.ts and what it needs, not the AWS, cluster and diagnosis tools; every other
 * command loads all tools (one module graph, a few chunks: splitting per tool module made
 * dozens of files). scripts/bundle.mjs records at build time which tool lives in which module
 * below; unbundled (tests), every tool is loaded.
 */
import type { AnyTool } from '../tools/define.js';

interface ToolModule {
  default: readonly AnyTool[];
}

/** Modules under src/tools/ (default export: a list of tool records) that a command may load alone. */
export const TOOL_MODULES: Record<string, () => Promise<ToolModule>> = {
  token: () => import('../tools/token.js'),
};

/** Set by scripts/bundle.mjs: JSON of { tool name or command: TOOL_MODULES key }. */
declare const __JWT_TRIAGE_TOOL_INDEX__: string | undefined;

const index: Record<string, string> | undefined = typeof __JWT_TRIAGE_TOOL_INDEX__ === 'string' ? (JSON.parse(__JWT_TRIAGE_TOOL_INDEX__) as Record<string, string>) : undefined;

export async function allTools(): Promise<readonly AnyTool[]> {
  return (await import('../tools/index.js')).ALL_TOOLS;
}

/** The tool a command or tool name names, loading only its module when the build indexed it. */
export async function loadTool(name: string): Promise<AnyTool | undefined> {
  const key = index && Object.hasOwn(index, name) ? index[name] : undefined;
  const load = key !== undefined ? TOOL_MODULES[key] : undefined;
  const tools = load ? (await load()).default : await allTools();
  return tools.find((t) => t.name === name || t.cli.command === name);
}
