/**
 * The API answers only through its CloudFront distribution (infra/web.ts). The distribution adds a
 * secret header to every request it sends to the API (a custom origin header); the handler refuses
 * any request without it, before anything else, so the HTTP API's own endpoint
 * (`<id>.execute-api.<region>.amazonaws.com`), which stays reachable, serves nobody who goes around
 * the distribution, its WAF rules and its headers.
 *
 * Behind the distribution the request's source address is CloudFront's, not the client's: the
 * client's is in `CloudFront-Viewer-Address` (address:port), which the distribution adds (its origin
 * request policy). That header is believed only on a request that carries the right secret: anyone
 * else could send it. No CDK, no SDK import.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { HttpProblem } from './problem.ts';

/** The header carrying the origin secret (the distribution sets it on the API's origin). */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';
/** The header carrying the viewer's address and port (CloudFront adds it when its origin request policy includes it). */
export const VIEWER_ADDRESS_HEADER = 'cloudfront-viewer-address';

/** What this module reads of an API Gateway payload-v2 event. */
export interface OriginEvent {
  headers?: Record<string, string | undefined> | undefined;
  requestContext: { http: { sourceIp: string } };
}

/** A header by name, whatever its case (API Gateway lower-cases them; a test or a proxy may not). */
function header(event: OriginEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

/** Compares in constant time (for strings of one length): the time taken says nothing about how much of the secret was right. */
function sameSecret(given: string, secret: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(secret, 'utf8');
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the work the same.
  return timingSafeEqual(a.length === b.length ? a : b, b) && a.length === b.length;
}

/**
 * The address of the API's client, refusing (403 problem+json) a request that did not come through
 * the distribution when an origin secret is configured. With the secret and the right header: the
 * viewer's address from `CloudFront-Viewer-Address` (the source address if CloudFront sent none);
 * without a configured secret (a stack or a local system without a distribution): the source
 * address, and `CloudFront-Viewer-Address` is ignored, since nothing vouches for it.
 */
export function clientAddress(event: OriginEvent, originSecret: string | undefined): string {
  const sourceIp = event.requestContext.http.sourceIp;
  if (!originSecret) return sourceIp;
  const given = header(event, ORIGIN_VERIFY_HEADER);
  if (given === undefined || !sameSecret(given, originSecret)) {
    throw new HttpProblem(403, 'Forbidden', 'This API answers only through its own site (its CloudFront distribution).');
  }
  return viewerAddress(header(event, VIEWER_ADDRESS_HEADER)) ?? sourceIp;
}

/**
 * The address of a `CloudFront-Viewer-Address` value: `198.51.100.10:46532`, or an IPv6 address and
 * the port (`2001:db8::1:46532`: the port is after the last colon). Undefined when it is not one.
 */
export function viewerAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const at = value.lastIndexOf(':');
  if (at <= 0 || !/^\d{1,5}$/.test(value.slice(at + 1))) return undefined;
  const address = value.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return isIP(address) ? address : undefined;
}
