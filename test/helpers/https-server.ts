/**
 * A loopback HTTPS server whose routes a test sets and changes: it plays an OIDC issuer
 * (discovery + JWKS) and every network fault (slow, 5xx, huge body, redirect, hang,
 * not JSON).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { testPki } from './tls.js';

export type Route =
  | { status?: number; json: unknown; delayMs?: number; headers?: Record<string, string> }
  | { status?: number; body: string; delayMs?: number; headers?: Record<string, string> }
  | { redirect: string; status?: number }
  | { hang: true }
  | ((req: IncomingMessage, res: ServerResponse) => void);

export interface TestHttpsServer {
  /** https://127.0.0.1:<port> */
  origin: string;
  port: number;
  caCert: string;
  caCertPath: string;
  routes: Map<string, Route>;
  /** Requests seen, by path. */
  hits: string[];
  /** TLS handshakes completed (one per new connection; a reused keep-alive connection adds none). */
  handshakes(): number;
  close(): Promise<void>;
}

export async function startHttpsServer(routes: Record<string, Route> = {}, opts: { wrongName?: boolean } = {}): Promise<TestHttpsServer> {
  const pki = testPki();
  const table = new Map(Object.entries(routes));
  const hits: string[] = [];
  const sockets = new Set<Duplex>();
  const server = createServer(
    { cert: opts.wrongName ? pki.wrongNameCert : pki.cert, key: opts.wrongName ? pki.wrongNameKey : pki.key },
    (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      hits.push(path);
      const route = table.get(path);
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      if (typeof route === 'function') return route(req, res);
      if ('hang' in route) return; // never answers
      if ('redirect' in route) {
        res.writeHead(route.status ?? 302, { location: route.redirect }).end();
        return;
      }
      const send = () => {
        if ('json' in route) {
          res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers }).end(JSON.stringify(route.json));
        } else {
          res.writeHead(route.status ?? 200, { 'content-type': 'text/plain', ...route.headers }).end(route.body);
        }
      };
      if (route.delayMs) setTimeout(send, route.delayMs);
      else send();
    },
  );
  let handshakes = 0;
  server.on('secureConnection', () => void handshakes++);
  server.on('connection', (s: Duplex) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `https://127.0.0.1:${port}`,
    port,
    caCert: pki.caCert,
    caCertPath: pki.caCertPath,
    routes: table,
    hits,
    handshakes: () => handshakes,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
