import { afterAll, beforeAll, expect, it } from 'vitest';

import { send } from './support/http.js';
import { openWorld, type World } from './support/world.js';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.close());

const path = '/api/v1/keys';

async function status(headers: Record<string, string | string[]>, at = path) {
  return (await send(world.url, { method: 'GET', path: at, headers })).status;
}

it('admits the admin key the CLI made before the server started', async () => {
  expect(await status({ 'x-api-key': world.admin })).toBe(200);
});

it.each([
  ['no key', {}],
  ['an empty key', { 'x-api-key': '' }],
  ['a key of the wrong shape', { 'x-api-key': 'not-a-key' }],
  ['a well-formed key nobody issued', { 'x-api-key': `wt_admin_${'A'.repeat(43)}` }],
  ['SQL for a key', { 'x-api-key': "' OR 1=1 --" }],
])('answers 401 for %s', async (_name, headers) => {
  expect(await status(headers)).toBe(401);
});

it('answers 401 for a real key with its role word changed', async () => {
  const forged = world.a.ingest.replace('wt_ingest_', 'wt_admin_');

  expect(await status({ 'x-api-key': forged })).toBe(401);
});

it('answers 401 for a real key in another case', async () => {
  expect(await status({ 'x-api-key': world.admin.toUpperCase() })).toBe(401);
});

it('takes the key from X-API-Key only, never from the URL or an Authorization header', async () => {
  expect(await status({}, `${path}?api_key=${world.admin}`)).toBe(401);
  expect(await status({ authorization: `Bearer ${world.admin}` })).toBe(401);
});

it('does not let a second X-API-Key header lift a weaker key', async () => {
  expect(await status({ 'x-api-key': [world.a.ingest, world.admin] })).not.toBe(200);
});

it('answers 401 once a key is revoked, at once', async () => {
  const made = await world.newKey('admin', null);
  expect(await status({ 'x-api-key': made.key })).toBe(200);

  await world.call('POST', `/api/v1/keys/${made.id}/revoke`);

  expect(await status({ 'x-api-key': made.key })).toBe(401);
});

it('answers 401 once a key has expired', async () => {
  const expiresAt = new Date(Date.now() + 1_500);
  const made = await world.newKey('admin', null, expiresAt.toISOString());
  expect(await status({ 'x-api-key': made.key })).toBe(200);

  await new Promise((resolve) => setTimeout(resolve, expiresAt.getTime() - Date.now() + 100));

  expect(await status({ 'x-api-key': made.key })).toBe(401);
});

it('never lists a key or its hash', async () => {
  const res = await world.call('GET', path);

  expect(res.text).not.toMatch(/wt_(admin|ingest|researcher)_[A-Za-z0-9_-]{43}/);
  expect(res.json().keys[0]).not.toHaveProperty('hash');
});
