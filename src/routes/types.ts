import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import type { ResearchContext } from '../research/withdrawal.js';

/** The app as routes see it: TypeBox schemas type their request and reply. */
export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteDeps {
  db: Kysely<Database>;
  research: ResearchContext;
}

export const ingestRoles = ['ingest', 'admin'] as const;
export const readerRoles = ['researcher', 'admin'] as const;
export const adminRoles = ['admin'] as const;
