import { describe, expect, it } from 'vitest';

import { cli, useCliDatabase } from '../helpers/cli.js';

describe('webtics studies', () => {
  useCliDatabase();

  it('creates a study and lists it as open', async () => {
    const created = await cli('studies', 'create', 'sleep-2025', '--title', 'Sleep and play');
    const listed = await cli('studies', 'list');

    expect(created).toMatchObject({ code: 0, out: ['created study sleep-2025: Sleep and play'] });
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('sleep-2025\topen\tSleep and play');
  });

  it('prints only the created study as one JSON object with --json', async () => {
    const { code, out, err } = await cli('studies', 'create', 'json-one', '--title', 'J', '--json');

    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({ id: 'json-one', title: 'J', active: true });
  });

  it('lists every study as one JSON array with --json', async () => {
    await cli('studies', 'create', 'json-two', '--title', 'Second');

    const { code, out } = await cli('studies', 'list', '--json');

    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const ids = (JSON.parse(out[0]!) as { id: string }[]).map((study) => study.id);
    expect(ids).toEqual(expect.arrayContaining(['json-one', 'json-two']));
  });

  it('keeps the first study and fails with exit 1 when the id is taken', async () => {
    await cli('studies', 'create', 'twice', '--title', 'First');

    const again = await cli('studies', 'create', 'twice', '--title', 'Again');
    const listed = await cli('studies', 'list');

    expect(again).toMatchObject({ code: 1, out: [] });
    expect(again.err).toBe('webtics: a record with that study id exists');
    expect(listed.out).toContain('twice\topen\tFirst');
  });

  it('refuses an id that is not a slug and creates nothing', async () => {
    const refused = await cli('studies', 'create', 'Not A Slug', '--title', 'Bad');
    const listed = await cli('studies', 'list', '--json');

    expect(refused).toMatchObject({ code: 1, out: [] });
    expect(refused.err).toMatch(/lowercase letters, digits/);
    expect(listed.out[0]).not.toContain('Not A Slug');
  });

  it('is a usage error (exit 2) to leave out --title, and says so', async () => {
    const result = await cli('studies', 'create', 'untitled');

    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--title/);
  });
});
