/**
 * Second build step (after tsc): the bin, dist/cli.js, becomes a small bundled entry plus a few
 * chunks (esbuild ESM code splitting), so start-up reads a few files instead of ~330 and each
 * command evaluates only what it needs:
 *
 * - dist/cli.js (src/cli/bin.ts, a few KB): `--help` and `--version` print text rendered here at
 *   build time, by the CLI's own `main`, from the tool records — nothing else is loaded;
 * - the CLI chunk (src/cli.ts, the tool records, checks, zod, jose): every tool command;
 * - the server chunk (src/server.ts, the MCP SDK and its ajv): `serve` only; the demo: `demo` only;
 * - left in node_modules, loaded on first use: undici (the first fetch) and every @aws-sdk/*
 *   package (the first AWS call, src/sources/aws/client.ts);
 * - inlined packages are all MIT; their licence notices are kept (`legalComments: 'eof'`);
 * - zod's translated error messages are left out (`z.locales` holds only `en`, the one zod
 *   configures and the one this project uses): ≈ 300 KB less to compile on every start;
 * - no source map in the start-up path (tsc's per-module maps stay beside the unbundled files).
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// The help text and version, rendered by the tsc output of the CLI before the bundle replaces it.
async function bake() {
  const { main } = await import(pathToFileURL(join(ROOT, 'dist/cli.js')).href);
  const say = async (argv) => {
    let text = '';
    const io = { out: (t) => void (text += t), err: (t) => void (text += t), isTTY: false, env: {} };
    const code = await main(argv, io);
    if (code !== 0) throw new Error(`jwt-triage ${argv.join(' ')} exited ${code} at build time: ${text}`);
    return text;
  };
  return { help: await say(['--help']), version: await say(['--version']), toolIndex: await toolIndex() };
}

// Which tools (name and command) a lone module holds, so `decode` imports src/tools/token.ts only.
async function toolIndex() {
  const { TOOL_MODULES } = await import(pathToFileURL(join(ROOT, 'dist/cli/tool-loader.js')).href);
  const index = {};
  for (const [key, load] of Object.entries(TOOL_MODULES)) {
    for (const t of (await load()).default) index[t.name] = index[t.cli.command] = key;
  }
  return index;
}

/** `export * as locales` in zod/v4/classic keeps every translation; only `en` is ever configured. */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    const en = createRequire(import.meta.url).resolve('zod/v4/locales/en.js');
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]v4[\\/](classic|core|mini)$/.test(args.resolveDir) ? { path: 'zod-locales', namespace: 'zod-english-only' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({ contents: `export { default as en } from ${JSON.stringify(en)};`, loader: 'js', resolveDir: dirname(en) }));
  },
};

const baked = await bake();

const result = await build({
  entryPoints: [{ in: 'src/cli/bin.ts', out: 'cli' }],
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['undici', '@aws-sdk/*', '@smithy/*'],
  define: { __JWT_TRIAGE_HELP__: JSON.stringify(baked.help), __JWT_TRIAGE_VERSION__: JSON.stringify(baked.version), __JWT_TRIAGE_TOOL_INDEX__: JSON.stringify(JSON.stringify(baked.toolIndex)) },
  metafile: true,
  plugins: [zodEnglishOnly],
  // Bundled CommonJS dependencies call require() for Node built-ins; ESM has none.
  banner: { js: "import { createRequire as __jwtTriageRequire } from 'node:module';\nconst require = __jwtTriageRequire(import.meta.url);" },
  legalComments: 'eof',
  minifySyntax: true,
  minifyWhitespace: true,
  sourcemap: false,
  logLevel: 'warning',
});
if (process.env.BUNDLE_REPORT) {
  for (const [file, o] of Object.entries(result.metafile.outputs)) {
    const by = {};
    for (const [k, v] of Object.entries(o.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(k);
      const key = m ? m[1] : k.split('/').slice(0, 2).join('/');
      by[key] = (by[key] ?? 0) + v.bytesInOutput;
    }
    const top = Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${(v / 1024).toFixed(0)}K`);
    console.log(`${file} ${(o.bytes / 1024).toFixed(0)}K imports ${o.imports.filter((i) => !i.external).map((i) => i.path).join(',')}: ${top.join(', ')}`);
  }
}
