/**
 * `node --import bench/count-files.mjs <entry> …`: prints to stderr at exit how many files
 * (ES modules through a loader hook, CommonJS through require.cache) the process loaded, and
 * their size. LIST=1 adds a count per package.
 */
import { register, createRequire } from 'node:module';
import { statSync, writeSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';

const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (u) => seen.add(u));
port1.unref();
const hook = `let p;export function initialize(d){p=d.port}export async function load(u,c,n){if(u.startsWith('file:'))p.postMessage(u);return n(u,c)}`;
register('data:text/javascript,' + encodeURIComponent(hook), { data: { port: port2 }, transferList: [port2] });
const req = createRequire(import.meta.url);

process.on('exit', () => {
  const files = new Set([...seen].map((u) => new URL(u).pathname));
  for (const f of Object.keys(req.cache)) files.add(f);
  let bytes = 0;
  for (const f of files) {
    try {
      bytes += statSync(f).size;
    } catch {
      /* gone */
    }
  }
  if (process.env.LIST) {
    const by = {};
    for (const f of files) {
      const tail = f.includes('node_modules/') ? f.split('node_modules/').pop() : '(project)';
      const pkg = tail.startsWith('@') ? tail.split('/').slice(0, 2).join('/') : tail.split('/')[0];
      by[pkg] = (by[pkg] ?? 0) + 1;
    }
    writeSync(2, JSON.stringify(by) + '\n');
  }
  writeSync(2, `files loaded: ${files.size}, ${(bytes / 1e6).toFixed(2)} MB\n`);
});
