/**
 * The CloudFront Function on the pages' viewer requests (infra/site-routing.ts), run as CloudFront
 * runs it: its code evaluated on its own, called with CloudFront's event shape.
 */
import { describe, expect, it } from 'vitest';
import { SPA_ROUTING_FUNCTION } from '../../infra/site-routing.ts';

type Request = { uri: string; querystring: Record<string, { value: string }> };
const handler = new Function(`${SPA_ROUTING_FUNCTION}\nreturn handler;`)() as (event: { request: Request }) => Request;
const route = (uri: string, querystring: Request['querystring'] = {}) => handler({ request: { uri, querystring } });

describe('SPA routing at the edge', () => {
  it.each([
    ['/', '/index.html'],
    ['/guests/7c6a-41', '/index.html'],
    ['/activate', '/index.html'],
    ['/hms-it/guests/', '/index.html'],
    ['/assets/index-3f2a9c.js', '/assets/index-3f2a9c.js'],
    ['/assets/index-3f2a9c.css', '/assets/index-3f2a9c.css'],
    ['/favicon.ico', '/favicon.ico'],
    ['/config.json', '/config.json'],
    ['/index.html', '/index.html'],
  ])('%s → %s', (uri, expected) => {
    expect(route(uri).uri).toBe(expected);
  });

  it('keeps the query string of a deep link (the activation page reads accountId from it)', () => {
    expect(route('/activate', { accountId: { value: 'jd123' } })).toEqual({ uri: '/index.html', querystring: { accountId: { value: 'jd123' } } });
  });
});
