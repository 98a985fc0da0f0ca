import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface RawRequest {
  method: string;
  /** Sent exactly as given: no normalising of `..`, backslashes or percent-escapes. */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Send the body with chunked transfer encoding and no Content-Length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed; untyped like Fastify's inject().json(), since tests read any shape. */
  json<T = ReturnType<typeof JSON.parse>>(): T;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const timeoutMs = 15_000;

/**
 * One HTTP request over a socket to the server under test. Node's fetch would
 * resolve dot segments and backslashes before sending, which is exactly what
 * the path-traversal tests must not let happen.
 */
export function send(base: string, spec: RawRequest): Promise<RawResponse> {
  const url = new URL(base);
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  const headers: Record<string, string | string[] | number> = { ...spec.headers };
  if (body !== undefined && !spec.chunked) headers['content-length'] = body.length;
  if (spec.chunked) headers['transfer-encoding'] = 'chunked';

  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    if (body !== undefined && spec.chunked) {
      // Several chunks, so a server that only checks the first one would be caught.
      const step = 64 * 1024;
      for (let offset = 0; offset < body.length; offset += step) {
        req.write(body.subarray(offset, offset + step));
      }
    } else if (body !== undefined) {
      req.write(body);
    }
    req.end();
  });
}

/** JSON headers with a key, or without one when `key` is undefined. */
export function jsonHeaders(key?: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (key !== undefined) headers['x-api-key'] = key;
  return headers;
}
