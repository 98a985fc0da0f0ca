import type { Endpoint, Prepared } from './endpoints.js';

/** One request derived from an endpoint's valid request, with one value swapped. */
export interface Variant {
  where: string;
  path: string;
  body: unknown;
  /** The value replaced was a number: a string in its place must be refused. */
  wasNumber: boolean;
  /** The name of the field in a JSON answer, when the value was a body field. */
  field?: string;
}

function withQueryValue(path: string, name: string, value: string): string {
  const [base = '', query = ''] = path.split('?');
  const params = new URLSearchParams(query);
  params.set(name, value);
  return `${base}?${params.toString()}`;
}

/** Path segments of the real path that stand for `:param` segments of the route. */
function paramSegments(route: string, path: string): { name: string; index: number }[] {
  const routeParts = route.split('/');
  return routeParts
    .map((part, index) => ({ name: part.slice(1), index, isParam: part.startsWith(':') }))
    .filter((part) => part.isParam)
    .map(({ name, index }) => ({ name, index }))
    .filter(({ index }) => path.split('?')[0]!.split('/')[index] !== undefined);
}

function bodyVariants(prepared: Prepared, value: unknown): Variant[] {
  const body = prepared.body;
  const item = Array.isArray(body) ? body[0] : body;
  if (typeof item !== 'object' || item === null) return [];
  return Object.entries(item as Record<string, unknown>).map(([name, original]) => {
    const changed = { ...(item as Record<string, unknown>), [name]: value };
    return {
      where: `body.${name}`,
      path: prepared.path,
      body: Array.isArray(body) ? [changed, ...body.slice(1)] : changed,
      wasNumber: typeof original === 'number',
      field: name,
    };
  });
}

/**
 * Every place a client puts a value into a request of this endpoint — each
 * body field, query parameter and path parameter — with `value` put there
 * in turn, the rest of the request left valid.
 */
export function variantsOf(endpoint: Endpoint, prepared: Prepared, value: string): Variant[] {
  const [base = '', query = ''] = prepared.path.split('?');
  const queryVariants = [...new URLSearchParams(query).keys()].map((name) => ({
    where: `query.${name}`,
    path: withQueryValue(prepared.path, name, value),
    body: prepared.body,
    wasNumber: true,
  }));
  const pathVariants = paramSegments(endpoint.route, prepared.path).map(({ name, index }) => {
    const parts = base.split('/');
    parts[index] = encodeURIComponent(value);
    return {
      where: `path.${name}`,
      path: parts.join('/') + (query === '' ? '' : `?${query}`),
      body: prepared.body,
      wasNumber: name === 'id',
    };
  });
  return [...bodyVariants(prepared, value), ...queryVariants, ...pathVariants];
}
