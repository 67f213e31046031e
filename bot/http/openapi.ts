/**
 * `GET /api/openapi.json`, read off the router: every route's endpoint carries its zod schemas
 * (params, query, body, answer) and its guard carries the roles, so the document lists exactly
 * the routes that exist and the checks they run. OpenAPI 3.1, whose schemas are JSON Schema
 * 2020-12 — what `z.toJSONSchema` writes. Answers are named schemas under `components`.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../../handlers/errors.js';
import type { Endpoint, EndpointSpec } from './endpoint.js';
import type { RoutePolicy } from './staff-auth.js';

type Json = Record<string, unknown>;

/** Dates leave the API as ISO strings (JSON.stringify); zod has no JSON Schema for a Date. */
const unrepresentable = (c: { zodSchema: z.core.$ZodType }) =>
  c.zodSchema._zod.def.type === 'date' ? { type: 'string' as const, format: 'date-time' } : ('throw' as const);

/** A schema as it sits inside the document (no `$schema`/`$id` of its own). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _s, $id: _i, ...rest } = z.toJSONSchema(schema, { io, unrepresentable, target: 'draft-2020-12' }) as Json;
  return rest;
}

const componentRef = (schema: z.ZodType, where: string): Json => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error(`${where}: the response schema needs an id (.meta({ id }))`);
  return { $ref: `#/components/schemas/${id}` };
};

/** Every schema with an `id`, as components whose cross-references point into the document. */
function components(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    io: 'output',
    unrepresentable,
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(Object.entries(schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest]));
}

const ErrorBody = z
  .object({
    error: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]).meta({ description: 'stable code from handlers/errors.ts' }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional().meta({ description: 'for invalid_input: {field, reason}' }),
  })
  .meta({ id: 'Error' });

export const OpenApiDocumentView = z
  .looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) })
  .meta({ id: 'OpenApiDocument', description: 'this document' });
export type OpenApiDocument = z.input<typeof OpenApiDocumentView>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  503: 'Unavailable',
};

function errorResponses(spec: EndpointSpec, policy: RoutePolicy | undefined): Record<string, Json> {
  const codes: ErrorCode[] = ['unauthorized', 'forbidden_role', ...(policy?.scope ? ['forbidden_scope' as const] : []), ...(spec.errors ?? [])];
  if (spec.params || spec.query || spec.body) codes.push('invalid_input');
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const c of codes) byStatus.set(ERROR_STATUS[c], (byStatus.get(ERROR_STATUS[c]) ?? new Set()).add(c));
  return Object.fromEntries(
    [...byStatus].map(([status, set]) => [
      String(status),
      {
        description: `${STATUS_TEXT[status] ?? 'Error'}: ${[...set].join(', ')}`,
        content: { 'application/json': { schema: componentRef(ErrorBody, 'Error') } },
      },
    ]),
  );
}

function parameters(path: string, spec: EndpointSpec): Json[] {
  const out: Json[] = [];
  for (const [, name] of path.matchAll(/:(\w+)/g)) {
    const field = spec.params?.shape[name!] as z.ZodType | undefined;
    out.push({ name, in: 'path', required: true, schema: field ? jsonSchema(field, 'input') : { type: 'string' } });
  }
  for (const [name, field] of Object.entries(spec.query?.shape ?? {}) as [string, z.ZodType][]) {
    const { description, ...schema } = jsonSchema(field, 'input');
    out.push({ name, in: 'query', required: !field.safeParse(undefined).success, schema, ...(description ? { description } : {}) });
  }
  return out;
}

function operation(method: string, path: string, spec: EndpointSpec, policy: RoutePolicy | undefined): Json {
  const where = `${method} ${path}`;
  const roles = policy?.roles ?? [];
  const params = parameters(path, spec);
  return {
    operationId: `${method.toLowerCase()}${path
      .replace(/^\/api/, '')
      .split(/[/:.-]/)
      .filter(Boolean)
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join('')}`,
    summary: spec.summary,
    description: [`Roles: ${roles.join(', ')}.`, spec.description].filter(Boolean).join(' '),
    tags: [spec.tag],
    'x-roles': roles,
    ...(params.length ? { parameters: params } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
    responses: {
      [String(spec.status ?? 200)]: {
        description: spec.status === 201 ? 'Created' : 'OK',
        content: Object.fromEntries([spec.contentType ?? 'application/json'].flat().map((type) => [type, { schema: componentRef(spec.response, where) }])),
      },
      ...errorResponses(spec, policy),
    },
  };
}

/** The document for every route of `router` (a route without an endpoint spec is an error, caught by the tests). */
export function openApiDocument(router: Router<any>, version: string): OpenApiDocument {
  const paths: Record<string, Record<string, Json>> = {};
  for (const layer of router.stack) {
    if (layer.methods.length === 0) continue; // router.use() middleware
    const path = String(layer.path);
    const ep = layer.stack.find((mw) => 'spec' in mw) as Endpoint | undefined;
    const guard = layer.stack.find((mw) => 'policy' in mw) as unknown as { policy: RoutePolicy } | undefined;
    if (!ep) throw new Error(`${layer.methods.join('/')} ${path} has no endpoint spec`);
    const key = path.replace(/:(\w+)/g, '{$1}');
    for (const method of layer.methods.filter((m) => m !== 'HEAD')) {
      (paths[key] ??= {})[method.toLowerCase()] = operation(method, path, ep.spec, guard?.policy);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Linli staff API',
      version,
      description: 'Bearer token → role → scope on every route; errors are {error, message, details?} with a stable code.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: { schemas: components(), securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
  };
}
