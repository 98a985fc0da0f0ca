import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A throw-away self-signed certificate for 127.0.0.1, made with the system's
 * openssl in `folder` at test time, so no key material lives in the repository.
 */
export function makeSelfSignedCert(folder: string, name = 'server') {
  const certFile = join(folder, `${name}-cert.pem`);
  const keyFile = join(folder, `${name}-key.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'pipe' },
  );
  return { certFile, keyFile };
}
