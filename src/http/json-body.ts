import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';

import { AppError } from '../errors.js';

function invalidJson(rule: string, message: string): AppError {
  return new AppError(400, 'invalid_json', `body: ${message}`, { field: 'body', rule });
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

/** The only body parser: JSON, refusing prototype-polluting keys. Other types get a 415. */
export function registerJsonBody(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
