import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AppError, fromDatabaseError } from '../errors.js';
import { issueFromAjv } from '../validation/ajv.js';

interface ErrorReply {
  status: number;
  code: string;
  message: string;
  field?: string;
  rule?: string;
}

// Fastify's own client errors, by code: the status it chose, our code and a plain sentence.
const fastifyErrors: Record<
  string,
  { code: string; message: string; field?: string; rule?: string }
> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'body_too_large',
    message: 'the request body is larger than 1 MB',
    field: 'body',
    rule: 'max_bytes',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'send the body as JSON with Content-Type: application/json',
    field: 'content-type',
    rule: 'application_json',
  },
};

function fromFastifyError(error: FastifyError): ErrorReply | undefined {
  if (error.validation !== undefined) {
    const first = error.validation[0];
    const context = error.validationContext ?? 'body';
    const issue = first === undefined ? undefined : issueFromAjv(first as never);
    const field =
      issue === undefined || context === 'body'
        ? issue?.field
        : issue.field.replace(/^body$/, context);
    return {
      status: 400,
      code: 'invalid_field',
      message: `${field ?? context}: ${issue?.message ?? 'is not valid'}`,
      field: field ?? context,
      rule: issue?.rule ?? 'schema',
    };
  }
  const known = error.code === undefined ? undefined : fastifyErrors[error.code];
  if (known !== undefined) return { status: error.statusCode ?? 400, ...known };
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, code: 'bad_request', message: error.message };
  }
  return undefined;
}

function toReply(raw: unknown): ErrorReply | undefined {
  const error = fromDatabaseError(raw);
  if (error instanceof AppError) {
    return { status: error.status, code: error.code, message: error.message, ...error.details };
  }
  return fromFastifyError(error as FastifyError);
}

function send(reply: FastifyReply, request: FastifyRequest, body: ErrorReply) {
  const { status, ...error } = body;
  if (status === 503) reply.header('retry-after', '5');
  return reply.status(status).type('application/json').send({ error, request_id: request.id });
}

/** One place turns every error into an answer; a 5xx says only that something went wrong. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((raw, request, reply) => {
    const known = toReply(raw);
    if (known !== undefined) {
      if (known.status >= 500) request.log.warn({ err: raw }, 'database unavailable');
      request.log.info(
        { code: known.code, field: known.field, rule: known.rule },
        'request refused',
      );
      return send(reply, request, known);
    }
    request.log.error({ err: raw }, 'request failed');
    if (
      reply.getHeader('retry-after') === undefined &&
      (raw as { retryable?: boolean }).retryable
    ) {
      reply.header('retry-after', '5');
    }
    return send(reply, request, {
      status: 500,
      code: 'internal_error',
      message: 'something went wrong on the server; quote the request id when reporting it',
    });
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, request, {
      status: 404,
      code: 'not_found',
      message: `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
    }),
  );
}
