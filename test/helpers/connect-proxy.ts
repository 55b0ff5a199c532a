/**
 * A real HTTP CONNECT proxy on loopback for the proxy tests: a TCP server that reads the
 * CONNECT request head, then tunnels bytes to the target — or plays a proxy fault: demand
 * Proxy-Authorization (407), refuse (any status), accept and never answer (hang).
 * It records every CONNECT it saw (target and the Proxy-Authorization it carried).
 */
import { connect as tcpConnect, createServer, type AddressInfo, type Socket } from 'node:net';

export type ProxyMode = { kind: 'tunnel' } | { kind: 'refuse'; status: number } | { kind: 'hang' };

export interface ConnectSeen {
  target: string;
  proxyAuthorization?: string | undefined;
}

export interface TestConnectProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** Every CONNECT request head, in order. */
  connects: ConnectSeen[];
  /** TCP connections accepted. */
  connections(): number;
  mode: ProxyMode;
  /** When set, a CONNECT without exactly `Basic base64(user:pass)` gets 407. */
  requireAuth?: { user: string; pass: string } | undefined;
  close(): Promise<void>;
}

export async function startConnectProxy(opts: { requireAuth?: { user: string; pass: string } } = {}): Promise<TestConnectProxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const proxy: TestConnectProxy = {
    url: '',
    port: 0,
    connects: [],
    connections: () => connections,
    mode: { kind: 'tunnel' },
    requireAuth: opts.requireAuth,
    close: () => Promise.resolve(),
  };
  const server = createServer((client) => {
    connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      const lines = head.subarray(0, end).toString('latin1').split('\r\n');
      const rest = head.subarray(end + 4);
      const [method, target = ''] = lines[0]!.split(' ');
      const auth = lines.find((l) => /^proxy-authorization:/i.test(l))?.replace(/^[^:]+:\s*/, '');
      proxy.connects.push({ target, proxyAuthorization: auth });
      if (method !== 'CONNECT') return void client.end('HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n');
      const mode = proxy.mode;
      if (mode.kind === 'hang') return; // accepted, never answers
      if (mode.kind === 'refuse') return void client.end(`HTTP/1.1 ${mode.status} Refused\r\ncontent-length: 0\r\n\r\n`);
      const need = proxy.requireAuth;
      if (need && auth !== `Basic ${Buffer.from(`${need.user}:${need.pass}`).toString('base64')}`) {
        return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nproxy-authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n');
      }
      const i = target.lastIndexOf(':');
      const upstream = tcpConnect({ host: target.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(target.slice(i + 1)) });
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => {
        if (!client.writableEnded) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      });
      upstream.on('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (rest.length) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.url = `http://127.0.0.1:${proxy.port}`;
  proxy.close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return proxy;
}

/** Runs `fn` with these environment variables set (undefined = unset), then restores them. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) delete process.env[k];
      else process.env[k] = x;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}
