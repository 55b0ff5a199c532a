/**
 * A test CA and a server certificate for 127.0.0.1/localhost, generated with openssl at
 * test time (nothing binary is committed). Cached per process.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  dir: string;
  caCert: string;
  caCertPath: string;
  cert: string;
  key: string;
  /** A certificate for the wrong name (CN/SAN other.invalid), signed by the same CA. */
  wrongNameCert: string;
  wrongNameKey: string;
}

let cached: TestPki | undefined;

function ossl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

export function testPki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'jwt-triage-pki-'));
  ossl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=jwt-triage-test-ca']);
  const leaf = (name: string, cn: string, san: string) => {
    ossl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    ossl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`]);
  };
  leaf('srv', 'localhost', 'IP:127.0.0.1,DNS:localhost');
  leaf('wrong', 'other.invalid', 'DNS:other.invalid');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  cached = {
    dir,
    caCert: read('ca.crt'),
    caCertPath: join(dir, 'ca.crt'),
    cert: read('srv.crt'),
    key: read('srv.key'),
    wrongNameCert: read('wrong.crt'),
    wrongNameKey: read('wrong.key'),
  };
  return cached;
}
