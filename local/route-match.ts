/** The local gateway's routing: a request's method and path to a route of the table (shared/http/routes.ts), as API Gateway matches them. */
import { ROUTES, type Route } from '../shared/http/routes.ts';

/**
 * A path segment, percent-decoded; one that is not valid percent-encoded UTF-8 (`%E0%A4%A`) is
 * passed on as it came, for the handler to refuse as a bad parameter rather than fail here.
 */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Finds the route for a request, returning it with the path parameters. Literal segments must
 * match exactly; `{name}` matches one non-empty segment.
 */
export function matchRoute<R extends Pick<Route, 'method' | 'path'> = Route>(
  method: string,
  path: string,
  routes: readonly R[] = ROUTES as unknown as readonly R[],
): { route: R; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/');
  for (const route of routes) {
    if (route.method !== method.toUpperCase()) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i]!;
      const s = segments[i]!;
      const param = /^\{(\w+)\}$/.exec(p);
      if (param) {
        if (s === '') ok = false;
        else pathParameters[param[1]!] = decodePathSegment(s);
      } else if (p !== s) ok = false;
    }
    if (ok) return { route, pathParameters };
  }
  return undefined;
}
