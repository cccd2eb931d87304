/**
 * The route table: every route of the API, each lifecycle's from its own folder, and the few that
 * belong to no lifecycle (who am I, the OpenAPI document). The router, the OpenAPI document, the
 * CDK API and the local gateway read this one table.
 */
import { MeSchema } from '../app/me-view.ts';
import { GUEST_ROUTES } from '../guest/http/routes.ts';
import { O2_ROUTES } from '../o2/http/routes.ts';
import type { RouteSpec } from './route-spec.ts';
import * as S from './schemas.ts';

export * from './route-spec.ts';

export const ROUTES = [
  ...GUEST_ROUTES,
  {
    name: 'me',
    method: 'GET',
    path: '/v1/me',
    auth: true,
    operation: {
      summary: 'Who the caller is: roles, whether they may sponsor (and why not), the sponsors who named them delegate',
      success: { status: 200, description: 'The caller', schema: MeSchema },
      problems: [],
    },
  },
  // Labs and O2 accounts (issue 14): who may do what is the use cases' (shared/o2/app/o2.ts, shared/guest/domain/access.ts and shared/o2/domain/access.ts).
  ...O2_ROUTES,
  {
    name: 'openApi',
    method: 'GET',
    path: '/openapi.json',
    auth: false,
    operation: { summary: 'This document', success: { status: 200, description: 'OpenAPI 3.1', schema: S.OpenApiDocumentSchema }, problems: [] },
  },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof ROUTES)[number];
export type RouteName = Route['name'];
/** `METHOD path` of a declared route. */
export type RouteKey = Route extends infer R ? (R extends Route ? `${R['method']} ${R['path']}` : never) : never;
