/** The one tool list, and the one filter over it. */
import { type AnyTool, type Toolset } from './define.js';
import apiKeys from './api-keys.js';
import cluster from './cluster.js';
import diagnose from './diagnose.js';
import keys from './keys.js';
import logs from './logs.js';
import opencode from './opencode.js';
import token from './token.js';
import webIdentity from './web-identity.js';
import eks from './eks.js';
import cloudtrail from './cloudtrail.js';
import albOidc from './alb-oidc.js';

export const ALL_TOOLS: readonly AnyTool[] = [...diagnose, ...token, ...keys, ...opencode, ...apiKeys, ...logs, ...webIdentity, ...cluster, ...eks, ...cloudtrail, ...albOidc];

export interface ToolFilter {
  /** Only tools whose type is readOnly (drops the opt-in STS probe). Wins over everything. */
  readOnly?: boolean;
  /**
   * Families to list besides `default` (`all` = every tool). Undefined = every tool: the CLI and
   * tests see the whole list; the MCP server passes the parsed `--toolsets` (default: []).
   */
  toolsets?: readonly (Toolset | 'all')[];
}

export function selectTools(filter: ToolFilter = {}, tools: readonly AnyTool[] = ALL_TOOLS): AnyTool[] {
  const sets = filter.toolsets;
  const wanted = (t: AnyTool) => sets === undefined || sets.includes('all') || t.toolsets.some((s) => s === 'default' || sets.includes(s));
  return tools.filter((t) => wanted(t) && (!filter.readOnly || t.type === 'readOnly'));
}

export function findTool(name: string, tools: readonly AnyTool[] = ALL_TOOLS): AnyTool | undefined {
  return tools.find((t) => t.name === name || t.cli.command === name);
}
