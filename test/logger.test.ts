import { describe, expect, it } from 'vitest';

import { safeError } from '../src/logger.js';

describe('safeError', () => {
  it('keeps what explains an error and drops the query parameters a driver attached', () => {
    const error = Object.assign(new Error('insert failed'), {
      code: '22008',
      params: ['wt_ingest_secret', '{"diagnosis":"ADHD"}'],
      query: 'insert into events …',
    });

    const logged = safeError(error);

    expect(logged).toMatchObject({ type: 'Error', message: 'insert failed', code: '22008' });
    expect(JSON.stringify(logged)).not.toMatch(/secret|diagnosis|insert into/);
  });

  it('follows the cause the same way', () => {
    const error = new Error('outer', {
      cause: Object.assign(new Error('inner'), { params: ['x-secret'] }),
    });

    expect(JSON.stringify(safeError(error))).not.toContain('x-secret');
    expect(safeError(error).cause).toMatchObject({ message: 'inner' });
  });
});
