/** A real MCP client (the SDK's Client + StdioClientTransport) spawning the BUILT server, as assistants do. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** The node that runs the built server and CLI: this one, or JWT_TRIAGE_E2E_NODE (the Node 22/24 runs, test/e2e/node-versions.*.test.ts). */
export const nodeBinary = (): string => process.env.JWT_TRIAGE_E2E_NODE || process.execPath;

export async function connect(args: string[] = [], env: Record<string, string> = {}): Promise<{ client: Client; stderr: () => string; close: () => Promise<void> }> {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` (npm test does it first).');
  const transport = new StdioClientTransport({
    command: nodeBinary(),
    args: [CLI, ...args],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', JWT_TRIAGE_LOG: 'warn', ...env },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const client = new Client({ name: 'jwt-triage-e2e', version: '0.0.0' });
  await client.connect(transport);
  return { client, stderr: () => err, close: () => client.close() };
}
