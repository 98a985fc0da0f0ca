import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

import { AppError } from '../errors.js';

function invalidJson(rule: string, message: string): AppError {
  return new AppError(400, 'invalid_json', `body: ${message}`, { field: 'body', rule });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decode(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw invalidJson('utf8', 'is not valid UTF-8');
  }
}

function parseJson(text: string): unknown {
  // An empty body with a JSON content type is a request without a body
  // (POST …/close from clients that always send the header), not an error.
  if (text.trim() === '') return undefined;
  try {
    return secureJson.parse(text, null, { protoAction: 'error', constructorAction: 'error' });
  } catch (error) {
    if (error instanceof SyntaxError && /prototype|__proto__/i.test(error.message)) {
      throw invalidJson('forbidden_key', 'must not use __proto__ or constructor.prototype keys');
    }
    throw invalidJson('json', 'is not valid JSON');
  }
}

/** JSON is UTF-8 (RFC 8259); a body declared in another charset would be misread. */
function checkCharset(contentType: string | undefined): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError(415, 'unsupported_media_type', 'content-type: JSON must be sent as UTF-8', {
      field: 'content-type',
      rule: 'utf8',
    });
  }
}

/** The only body parser: JSON, refusing prototype-polluting keys. Other types get a 415. */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  // Compressed bodies are not accepted: a proxy may compress answers, not requests.
  app.addHook('onRequest', async (request) => {
    const encoding = request.headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      throw new AppError(
        415,
        'unsupported_media_type',
        'content-encoding: send the body uncompressed',
        {
          field: 'content-encoding',
          rule: 'identity',
        },
      );
    }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    try {
      checkCharset(request.headers['content-type']);
      done(null, parseJson(decode(body as Buffer)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
