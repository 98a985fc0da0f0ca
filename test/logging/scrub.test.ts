import { describe, expect, it } from 'vitest';

import { generateApiKey } from '../../src/auth/api-key.js';
import { scrubSecrets } from '../../src/logging/scrub.js';
import { generateWithdrawalCode } from '../../src/research/withdrawal-code.js';
import { safeError } from '../../src/logger.js';

describe('scrubSecrets', () => {
  it('replaces every key in a text and keeps its kind', () => {
    const ingest = generateApiKey('ingest').key;
    const admin = generateApiKey('admin').key;

    const text = scrubSecrets(`tried ${ingest}, then "${admin}".`);

    expect(text).toBe('tried wt_ingest_[redacted], then "wt_admin_[redacted]".');
  });

  it('replaces a withdrawal code however it was typed', () => {
    const code = generateWithdrawalCode();
    const typed = code.toLowerCase().replace(/-/g, '');

    expect(scrubSecrets(`unknown code ${code}`)).toBe('unknown code [redacted withdrawal code]');
    expect(scrubSecrets(`"${typed}" refused`)).toBe('"[redacted withdrawal code]" refused');
  });

  it('replaces the password of a connection URL, not the user or host', () => {
    const text = scrubSecrets('connect postgresql://webtics:s3cr:et@db.local:5432/webtics failed');

    expect(text).toBe('connect postgresql://webtics:[redacted]@db.local:5432/webtics failed');
  });

  it('leaves ordinary text, prefixes of keys and URLs without a password alone', () => {
    const text =
      'key wt_admin_Ab12 of study demo; see http://127.0.0.1:8013/api/v1/health; ' +
      'request 6f1c2f8e-8b9a-4b7e-9d57-2b1f0c9e0a11, hash ' +
      'a3f1c2e4b5d6a7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f70';

    expect(scrubSecrets(text)).toBe(text);
  });
});

describe('safeError', () => {
  it('scrubs a key quoted in the message, the stack and the cause', () => {
    const key = generateApiKey('researcher').key;
    const error = new Error(`no access with ${key}`, { cause: new Error(`inner ${key}`) });

    const logged = JSON.stringify(safeError(error));

    expect(logged).not.toContain(key);
    expect(logged).toContain('no access with wt_researcher_[redacted]');
  });

  it('scrubs what is thrown when it is not an Error', () => {
    const key = generateApiKey('ingest').key;

    expect(safeError(`bad ${key}`)).toEqual({ message: 'bad wt_ingest_[redacted]' });
  });
});
