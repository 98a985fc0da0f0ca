import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { AppError, fromDatabaseError } from '../errors.js';
import { issueFromAjv } from '../validation/ajv.js';

interface ErrorReply {
  status: number;
  code: string;
  message: string;
  field?: string;
  rule?: string;
  /** Set only where the status alone does not tell. */
  retryable?: boolean;
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
    return { status, code: codeForStatus[status] ?? 'bad_request', message: plainMessage(error) };
  }
  return undefined;
}

const codeForStatus: Record<number, string> = {
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  414: 'uri_too_long',
  431: 'headers_too_large',
};

/** Fastify's messages may quote the request; keep ours free of anything the client sent. */
function plainMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_BAD_URL') return 'the URL is not valid (bad percent-encoding?)';
  if (error.statusCode === 414) return 'the URL is too long';
  return error.message.replace(/'[^']*'/g, "'…'").slice(0, 200);
}

function toReply(raw: unknown): ErrorReply | undefined {
  const error = fromDatabaseError(raw);
  if (error instanceof AppError) {
    return { status: error.status, code: error.code, message: error.message, ...error.details };
  }
  return fromFastifyError(error as FastifyError);
}

/** Answers a client may get by sending the same request again later; all carry Retry-After. */
export const retryableStatuses: ReadonlySet<number> = new Set([429, 503]);

function send(reply: FastifyReply, request: FastifyRequest, body: ErrorReply) {
  const { status, retryable: flagged, ...details } = body;
  const retryable = flagged ?? retryableStatuses.has(status);
  if (retryable && reply.getHeader('retry-after') === undefined) reply.header('retry-after', '5');
  const error = { ...details, retryable };
  return reply.status(status).type('application/json').send({ error, request_id: request.id });
}

/**
 * Errors Fastify meets before routing (a malformed URL, say) skip the hooks,
 * so this answer sets the security headers itself.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const known = fromFastifyError(error) ?? {
    status: 400,
    code: 'bad_request',
    message: 'the request is not valid',
  };
  reply.headers(baselineHeaders).header('x-request-id', request.id);
  void send(reply, request, known);
}

const baselineHeaders = {
  'content-security-policy': "default-src 'self'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/** One place turns every error into an answer; a 5xx says only that something went wrong. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((raw, request, reply) => {
    const known = toReply(raw);
    if (known !== undefined) {
      if (known.status >= 500) request.log.warn({ err: raw }, 'database unavailable');
      // The field is left out: its name may come from the client's payload.
      request.log.info({ code: known.code, rule: known.rule }, 'request refused');
      return send(reply, request, known);
    }
    request.log.error({ err: raw }, 'request failed');
    const retryable = (raw as { retryable?: boolean }).retryable === true;
    if (retryable && reply.getHeader('retry-after') === undefined) {
      reply.header('retry-after', '5');
    }
    return send(reply, request, {
      status: 500,
      retryable,
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
