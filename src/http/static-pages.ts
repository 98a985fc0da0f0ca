import { existsSync } from 'node:fs';
import { join } from 'node:path';

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

import { projectRoot } from '../version.js';

/** Built pages (see `npm run build`), each served under its own prefix. */
const pages = [
  { prefix: '/play/', folder: 'play' },
  { prefix: '/sdk/', folder: 'sdk' },
];

export async function registerStaticPages(app: FastifyInstance): Promise<void> {
  const root = join(projectRoot, 'dist', 'web', 'public');
  for (const page of pages) {
    const folder = join(root, page.folder);
    if (!existsSync(folder)) {
      app.log.warn({ folder }, 'web page not built; run npm run build');
      continue;
    }
    await app.register(fastifyStatic, {
      root: folder,
      prefix: page.prefix,
      decorateReply: false,
      index: ['index.html'],
      dotfiles: 'deny',
      serveDotFiles: false,
    });
  }
}
