import type Router from '@koa/router';
import type { Runtime } from '../../runtime.js';
import { ALL_ROLES, requireStaff, type StaffState } from '../staff-auth.js';
import { endpoint } from '../endpoint.js';
import { openApiDocument, OpenApiDocumentView, type OpenApiDocument } from '../openapi.js';

/** The staff API contract's version (the document's `info.version`); raise it when a route changes shape. */
export const API_VERSION = '1.2.0';

/**
 * `GET /api/openapi.json`: the document, built once from the router on first request (when every
 * module has registered its routes). Behind the same guard as the rest — any staff role — so the
 * API's shape is not advertised to strangers and the auth tests hold for every `/api` route.
 */
export function registerOpenApiRoute(router: Router<StaffState>, rt: Runtime): void {
  let doc: OpenApiDocument | undefined;
  router.get(
    '/openapi.json',
    requireStaff(rt, { roles: ALL_ROLES }),
    endpoint(
      { tag: 'meta', summary: 'This API as an OpenAPI 3.1 document', response: OpenApiDocumentView },
      () => (doc ??= openApiDocument(router, API_VERSION)),
    ),
  );
}
