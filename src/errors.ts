/** An error the client caused or may act on; its status, code and message are safe to send. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; rule?: string } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A value broke a rule: names the field (a dotted path) and the rule. */
export class ValidationError extends AppError {
  constructor(field: string, rule: string, message: string) {
    super(400, 'invalid_field', `${field}: ${message}`, { field, rule });
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'a valid API key is required in the X-API-Key header') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string) {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'not_found', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** The database cannot be reached right now; the client should retry after a pause. */
export class UnavailableError extends AppError {
  constructor(options?: ErrorOptions) {
    super(
      503,
      'database_unavailable',
      'the database cannot be reached; try again shortly',
      {},
      options,
    );
  }
}

// SQLSTATE class 08 (connection exception), 57P01–57P03 (admin or crash
// shutdown, cannot connect now), and the socket errors of a server that is gone.
const unavailableStates = /^(08...|57P0[123])$/;
const unavailableSocketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

interface PgError {
  code: string;
  constraint?: string;
}

function isPgError(error: unknown): error is PgError {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code)
  );
}

/**
 * Turns the PostgreSQL errors that a client can cause into AppErrors, by
 * SQLSTATE and constraint name; everything else stays a server error.
 */
export function fromDatabaseError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && unavailableSocketCodes.has(code)) {
    return new UnavailableError({ cause: error });
  }
  if (!isPgError(error)) return error;
  if (unavailableStates.test(error.code)) return new UnavailableError({ cause: error });
  switch (error.code) {
    case '23505':
      return new ConflictError(
        'already_exists',
        `a record with that ${conflictField(error)} exists`,
      );
    case '23503':
      return new AppError(
        409,
        'in_use',
        'the record is referenced by other records',
        {},
        { cause: error },
      );
    default:
      return error;
  }
}

function conflictField(error: PgError): string {
  if (error.constraint === 'studies_pkey') return 'study id';
  if (error.constraint === 'api_keys_hash_key') return 'key';
  return 'value';
}
