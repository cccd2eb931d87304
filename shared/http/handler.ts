/**
 * What a route's handler is, for any lifecycle's routes (no lifecycle named here): the request its
 * route declares, parsed with its schemas, and the answer its success schema types. Each lifecycle
 * writes the handlers of its own routes (shared/guest/http/handlers.ts, shared/o2/http/handlers.ts)
 * with the ports it uses; shared/http/api.ts joins them, one per route of the table.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type * as z from 'zod';
import { PreconditionFailedError, StaleWriteError } from '../core/domain/errors.ts';
import type { Caller } from '../core/domain/people.ts';
import type { RouteSpec } from './route-spec.ts';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

type Field<O, K extends string> = O extends { readonly [P in K]: infer V } ? V : undefined;
type Parsed<T> = T extends z.ZodType ? z.infer<T> : undefined;

/** What a route's handler gets (`R`: its route; `D`: the ports its lifecycle uses). */
export interface Request<R extends RouteSpec, D> {
  event: ApiEvent;
  deps: D;
  /** From the verified token's claims on routes behind the JWT authorizer; none on public routes. */
  caller: R['auth'] extends true ? Caller : undefined;
  /** The client's address: the viewer's behind the distribution (shared/http/origin.ts `clientAddress`). */
  client: string;
  params: Parsed<Field<R['operation'], 'params'>>;
  query: Parsed<Field<R['operation'], 'query'>>;
  body: Parsed<Field<Field<R['operation'], 'body'>, 'schema'>>;
  /** The If-Match version, on routes declaring `ifMatch`. */
  ifMatch: Field<R['operation'], 'ifMatch'> extends true ? number | undefined : undefined;
}

/** What a route answers on success: its success schema's type; `Otherwise` when it names none (a guest, for the guest routes). */
type Answer<R extends RouteSpec, Otherwise> = Field<R['operation']['success'], 'schema'> extends infer S ? (S extends z.ZodType ? z.output<S> : Otherwise) : never;

/** A handler's answer, typed by its route's success schema (the one the OpenAPI document declares); the status is its route's success status. */
export interface Reply<B = unknown> {
  body: B;
  headers?: Record<string, string>;
}

/** Exactly one handler per route of `R`, answering what its route declares: a route without one, a handler without a route, or another answer does not compile. */
export type HandlersOf<R extends RouteSpec, D, Otherwise = never> = { [N in R['name']]: (request: Request<Extract<R, { name: N }>, D>) => Promise<Reply<Answer<Extract<R, { name: N }>, Otherwise>>> };

/** An answer holding one versioned record: its view, and its version as the ETag (for If-Match). */
export function versioned<V>(view: V, version: number, headers: Record<string, string> = {}): Reply<V> {
  return { body: view, headers: { etag: `"${version}"`, ...headers } };
}

/**
 * Runs a write conditional on the If-Match header's version, if one was sent (routes declaring
 * `ifMatch` only): then losing a race to another writer after the check is 412 as well, never a
 * plain conflict.
 */
export async function conditional<T>(r: { ifMatch: number | undefined }, write: (version: number | undefined) => Promise<T>, what: string): Promise<T> {
  const version = r.ifMatch;
  try {
    return await write(version);
  } catch (err) {
    if (version !== undefined && err instanceof StaleWriteError) throw new PreconditionFailedError(`The ${what} changed since version ${version}; read it again.`);
    throw err;
  }
}
