import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

import { ConfigError, type Config } from './config.js';

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
}

function readOne(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ConfigError(variable, `cannot read ${path} (${code})`);
  }
}

/** Fails here, naming the variable, rather than deep inside the server with an OpenSSL code. */
function checkPem(files: TlsFiles): void {
  try {
    createSecureContext({ cert: files.cert });
  } catch {
    throw new ConfigError('TLS_CERT_FILE', 'is not a PEM certificate');
  }
  try {
    createSecureContext(files);
  } catch {
    throw new ConfigError('TLS_KEY_FILE', 'is not a PEM private key matching TLS_CERT_FILE');
  }
}

/**
 * The certificate and key the server terminates TLS with, or undefined to
 * serve plain HTTP (behind a proxy that terminates TLS). Both or neither.
 */
export function readTlsFiles(config: Config): TlsFiles | undefined {
  const { tlsCertFile, tlsKeyFile } = config;
  if (tlsCertFile === undefined && tlsKeyFile === undefined) return undefined;
  if (tlsCertFile === undefined) {
    throw new ConfigError('TLS_CERT_FILE', 'must be set when TLS_KEY_FILE is');
  }
  if (tlsKeyFile === undefined) {
    throw new ConfigError('TLS_KEY_FILE', 'must be set when TLS_CERT_FILE is');
  }

  const files = {
    cert: readOne('TLS_CERT_FILE', tlsCertFile),
    key: readOne('TLS_KEY_FILE', tlsKeyFile),
  };
  checkPem(files);
  return files;
}
