import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';

import type { Config } from '../config/config.js';
import { originsProblem } from '../config/production-check.js';

/** Answers browsers may read besides the body: when to retry, and which request to quote. */
const exposedHeaders = ['Retry-After', 'X-Request-Id'];

/** `https://Games.Example.org:443` and `https://games.example.org` are one origin. */
function normalise(origin: string): string {
  return origin === '*' ? origin : new URL(origin).origin;
}

/**
 * Lets the pages of ALLOWED_ORIGINS call the API from a browser: the SDK posts
 * JSON with an X-API-Key header, which needs a preflight. No cookies are ever
 * involved, so credentials stay off. An origin not listed gets no
 * Access-Control-Allow-Origin and the browser withholds the answer. The same
 * list governs who may import /sdk/webtics.js, since module scripts are
 * fetched with CORS.
 */
export async function registerCors(app: FastifyInstance, config: Config): Promise<void> {
  const problem = originsProblem(config);
  if (problem !== undefined) throw problem;

  await app.register(cors, {
    origin: config.allowedOrigins.map(normalise),
    methods: ['GET', 'HEAD', 'POST'],
    allowedHeaders: ['Content-Type', 'X-API-Key', 'X-Client-Sent-At'],
    exposedHeaders,
    credentials: false,
    maxAge: 600,
  });
}
