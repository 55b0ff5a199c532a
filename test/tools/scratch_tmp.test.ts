import { it } from 'vitest';
import { run } from './_keysctx.tmp.js';
import { startHttpsServer } from '../helpers/https-server.js';
import { jwksOf, mintToken, testKey } from '../helpers/tokens.js';
it('prints', async () => {
  const key = await testKey('key-1'); const other = await testKey('key-2');
  const srv = await startHttpsServer({});
  srv.routes.set('/.well-known/openid-configuration', { json: { issuer: srv.origin + '/', jwks_uri: `${srv.origin}/jwks` } });
  srv.routes.set('/jwks', { json: { keys: [key.jwk, key.privateJwk] } });
  const raw = await mintToken({ key: other, header: { kid: 'key-1' }, claims: { iss: srv.origin } });
  const opts = { http: { ca: srv.caCert }, env: { JWT: raw } };
  for (const [n, i] of [['check_discovery', { token_env: 'JWT', consumer: 'sts' }], ['check_jwks', { token_env: 'JWT', consumer: 'sts' }], ['compare_jwks', { a_url: `${srv.origin}/jwks`, b_issuer: srv.origin, token_env: 'JWT' }]] as const) {
    const r = await run(n, i, opts);
    console.log(r.ok ? r.text : r.message);
    if (n === 'check_jwks' && r.ok) console.log(JSON.stringify(r.output, null, 1).slice(0, 3000));
  }
  await srv.close();
});
