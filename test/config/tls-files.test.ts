import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { run } from '../../src/cli/main.js';
import { ConfigError } from '../../src/config/config.js';
import { readTlsFiles } from '../../src/config/tls-files.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { onServer, openTestDatabase } from '../helpers/database.js';
import { makeTempDir, useTempDataDir } from '../helpers/temp-dir.js';
import { makeSelfSignedCert } from '../helpers/tls.js';

/** GET over HTTPS trusting only `ca`; resolves with status and headers. */
function httpsGet(url: string, ca: Buffer) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request(url, { ca }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

function readError(overrides: Parameters<typeof testConfig>[0]): ConfigError {
  try {
    readTlsFiles(testConfig(overrides));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('TLS files', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let pair: ReturnType<typeof makeSelfSignedCert>;
  let other: ReturnType<typeof makeSelfSignedCert>;
  beforeAll(() => {
    folder = makeTempDir('webtics-tls');
    pair = makeSelfSignedCert(folder.path);
    other = makeSelfSignedCert(folder.path, 'other');
  });
  afterAll(() => folder.remove());

  it('are not needed: neither file set means plain HTTP', () => {
    expect(readTlsFiles(testConfig())).toBeUndefined();
  });

  it('reads a matching certificate and key', () => {
    const files = readTlsFiles(
      testConfig({ tlsCertFile: pair.certFile, tlsKeyFile: pair.keyFile }),
    );

    expect(files?.cert.toString()).toContain('BEGIN CERTIFICATE');
  });

  it('refuses a certificate without a key, naming TLS_KEY_FILE', () => {
    expect(readError({ tlsCertFile: pair.certFile }).variable).toBe('TLS_KEY_FILE');
  });

  it('refuses a key without a certificate, naming TLS_CERT_FILE', () => {
    expect(readError({ tlsKeyFile: pair.keyFile }).variable).toBe('TLS_CERT_FILE');
  });

  it('names the variable and the path of a file it cannot read', () => {
    const missing = join(folder.path, 'missing.pem');

    const error = readError({ tlsCertFile: pair.certFile, tlsKeyFile: missing });

    expect(error.variable).toBe('TLS_KEY_FILE');
    expect(error.message).toContain(missing);
    expect(error.message).toContain('ENOENT');
  });

  it('refuses a certificate file that holds no certificate', () => {
    const junk = join(folder.path, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');

    expect(readError({ tlsCertFile: junk, tlsKeyFile: pair.keyFile }).variable).toBe(
      'TLS_CERT_FILE',
    );
  });

  it('refuses a key that belongs to another certificate', () => {
    const error = readError({ tlsCertFile: pair.certFile, tlsKeyFile: other.keyFile });

    expect(error.variable).toBe('TLS_KEY_FILE');
  });

  it('stop `webtics serve` with a message naming the variable', async () => {
    const dataDir = useTempDataDir();
    process.env.TLS_CERT_FILE = join(folder.path, 'missing.pem');
    process.env.TLS_KEY_FILE = pair.keyFile;
    const err: string[] = [];

    const code = await run(['node', 'webtics', 'serve'], {
      out: () => undefined,
      err: (text) => err.push(text),
    });
    dataDir.restore();

    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(
      /configuration error: TLS_CERT_FILE: cannot read .*missing\.pem/,
    );
  });
});

describe('a server terminating TLS itself', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let database: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  let ca: Buffer;
  let running: RunningServer;
  beforeAll(async () => {
    folder = makeTempDir('webtics-tls');
    const pair = makeSelfSignedCert(folder.path);
    ca = readFileSync(pair.certFile);
    if (onServer) database = await openTestDatabase();
    const config = testConfig({
      environment: 'production',
      port: 0,
      dataDir: folder.path,
      databaseUrl: database?.url,
      secretKey: randomBytes(48).toString('base64url'),
      tlsCertFile: pair.certFile,
      tlsKeyFile: pair.keyFile,
    });
    running = await startServer(config, pino({ level: 'silent' }), () => undefined);
  });
  afterAll(async () => {
    await running.stop();
    await database?.close();
    folder.remove();
  });

  it('says https:// in the address it prints', () => {
    expect(running.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers over HTTPS, with no redirect, since the socket is TLS', async () => {
    const res = await httpsGet(`${running.url}/api/v1/health`, ca);

    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('is not trusted by a client without its certificate', async () => {
    await expect(fetch(`${running.url}/api/v1/health`)).rejects.toThrow();
  });
});
