/**
 * The MCP server: every tool record registered once, over stdio. Input and output schemas
 * come from the records, annotations from `annotationsOf`, and every result passes through
 * `runTool` (which redacts). Logs go to stderr only; stdout is the protocol.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { log } from './redact.js';
import { annotationsOf, type AnyTool } from './tools/define.js';
import { selectTools, type ToolFilter } from './tools/index.js';
import { publishTool } from './tools/publish.js';
import { registerPrompts } from './mcp/prompts.js';
import { registerResources } from './mcp/resources.js';
import { runTool, type RunOptions } from './tools/run.js';
import { VERSION } from './version.js';

export interface ServerOptions extends ToolFilter {
  http?: RunOptions['http'];
}

export function createServer(options: ServerOptions = {}): McpServer {
  const server = new McpServer(
    { name: 'jwt-triage', title: 'jwt-triage', version: VERSION },
    {
      instructions:
        'Diagnoses why a request is rejected: a 401/403 at an AWS ALB that validates JWTs (preset opencode: the OpenCode Stack), or an ' +
        'STS AssumeRoleWithWebIdentity failure (preset web-identity: Kubernetes service-account tokens, EKS; preset github-actions). ' +
        'Start with diagnose_rejection: it runs every check under a deadline and names one root cause with its fix; then use the ' +
        'single-purpose tools to confirm it (more with --toolsets). Every result has verdict (pass|fail|error), summary and findings; ' +
        'a finding is {code, status (pass|fail|warn|skip|error), title, detail, evidence, fix?} (diagnose_rejection: evidence on root_cause only); ' +
        'codes: resource jwt-triage://codes. ' +
        'Pass tokens and API keys by reference (token_file, token_env, api_key_file, api_key_env) so they never enter the chat; ' +
        'output names a token only by a sha256 fingerprint. Every tool is read-only except probe_assume_role, which needs confirm: true.',
    },
  );
  const tools = selectTools(options);
  for (const tool of tools) register(server, tool, options);
  // tools/list publishes compact schemas (./tools/publish.ts); calls are still validated against the full records.
  const listed = tools.map(publishTool);
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listed }));
  registerPrompts(server);
  registerResources(server);
  return server;
}

function register(server: McpServer, tool: AnyTool, options: ServerOptions): void {
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input as z.ZodObject,
      outputSchema: tool.output as z.ZodObject,
      annotations: annotationsOf(tool),
    },
    async (args, extra): Promise<CallToolResult> => {
      const token = extra._meta?.progressToken;
      const progress = (value: number, total?: number, message?: string) => {
        if (token === undefined) return;
        extra
          .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: value, ...(total !== undefined ? { total } : {}), ...(message ? { message } : {}) } })
          .catch(() => undefined);
      };
      const started = performance.now();
      const result = await runTool(tool, args, { signal: extra.signal, progress, ...(options.http ? { http: options.http } : {}) });
      log('debug', 'tool call', { tool: tool.name, ok: result.ok, ms: Math.round(performance.now() - started) });
      if (!result.ok) {
        // Never structuredContent on an error: clients validate it against outputSchema.
        return { isError: true, content: [{ type: 'text', text: result.message }] };
      }
      return { content: [{ type: 'text', text: result.text }], structuredContent: result.output };
    },
  );
}

/**
 * Serves MCP on stdio until the session ends; resolves with the exit code for the entry file.
 * Ends on: stdin closed (in-flight calls are aborted at once, exit 0); a stdin message over the
 * SDK's 10 MiB limit (one stderr line, exit 1); stdout closed by the client (EPIPE: one stderr
 * line, exit 0, no stack trace).
 */
export async function serveStdio(options: ServerOptions = {}): Promise<number> {
  const server = createServer(options);
  const transport = new StdioServerTransport();
  let code = 0;
  let done: (code: number) => void = () => undefined;
  const ended = new Promise<number>((resolve) => (done = resolve));
  let closing = false;
  const end = (why: string | undefined, exitCode: number) => {
    if (closing) return;
    closing = true;
    code = exitCode;
    if (why) process.stderr.write(`jwt-triage: ${why}\n`);
    // Closing the server aborts every in-flight handler's signal (the SDK's Protocol._onclose).
    server.close().catch(() => undefined).finally(() => done(code));
  };
  await server.connect(transport);
  server.server.onerror = (err: Error) => {
    if (/ReadBuffer exceeded maximum size/.test(err.message)) {
      end(`a message on stdin is larger than the MCP SDK's 10 MiB limit (${err.message}); closing the session.`, 1);
    } else {
      log('warn', 'MCP protocol error', { error: err });
    }
  };
  server.server.onclose = () => end(undefined, code);
  process.stdin.once('end', () => end(undefined, 0));
  process.stdin.once('close', () => end(undefined, 0));
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') end('stdout was closed by the client (EPIPE); exiting.', 0);
    else end(`cannot write to stdout (${err.code ?? err.message}); exiting.`, 1);
  });
  log('info', 'jwt-triage MCP server ready on stdio', { tools: selectTools(options).length });
  return ended;
}
