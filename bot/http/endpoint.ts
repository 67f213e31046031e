import type { Middleware } from 'koa';
import type { z } from 'zod';
import type { ErrorCode } from '../../handlers/errors.js';
import { parseBody, parseInput, parseQuery } from '../../handlers/input.js';
import type { ApiContext, StaffState } from './staff-auth.js';

/** What a route takes and answers: checked on every request and published in `/api/openapi.json`. */
export interface EndpointSpec {
  summary: string;
  description?: string;
  /** Groups routes in the document (`supplies`, `health`, …). */
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The answer; response schemas carry an `id` (`.meta({id})`) and become components. */
  response: z.ZodType;
  status?: 200 | 201;
  /**
   * The answer's media type when it is not JSON (an image: the use case returns its bytes). A
   * list when the route answers one of several (a file download in the format asked for); such a
   * route sets the type itself.
   */
  contentType?: string | readonly string[];
  /** Codes the route may answer besides 400 invalid_input and the guard's 401/403. */
  errors?: readonly ErrorCode[];
}

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;
export interface EndpointInput<S extends EndpointSpec> {
  params: Out<S['params']>;
  query: Out<S['query']>;
  body: Out<S['body']>;
}

export type Endpoint = Middleware<StaffState> & { spec: EndpointSpec };

/**
 * The last middleware of a route: parse params, query and body with the spec's schemas (400
 * `invalid_input` naming the field), run the use case, answer its result as JSON with the spec's
 * status. The spec rides on the middleware, so the OpenAPI document is read off the router.
 */
export function endpoint<S extends EndpointSpec>(
  spec: S,
  run: (ctx: ApiContext, input: EndpointInput<S>) => Promise<z.input<S['response']>> | z.input<S['response']>,
): Endpoint {
  const mw: Middleware<StaffState> = async (ctx) => {
    const input = {
      params: spec.params ? parseInput(spec.params, ctx.params, 'params') : undefined,
      query: spec.query ? parseQuery(spec.query, ctx.query) : undefined,
      body: spec.body ? parseBody(spec.body, ctx.request.body) : undefined,
    } as EndpointInput<S>;
    const result = await run(ctx as ApiContext, input);
    ctx.status = spec.status ?? 200;
    if (typeof spec.contentType === 'string') ctx.type = spec.contentType;
    ctx.body = result;
  };
  return Object.assign(mw, { spec });
}
