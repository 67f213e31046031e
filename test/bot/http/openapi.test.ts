/**
 * `GET /api/openapi.json` is checked as an OpenAPI 3.1 document (the shape of every path item,
 * operation, parameter and response; every `$ref` resolves; the JSON Schemas are well formed) and
 * against the router itself: every route registered appears, with its guard's roles, and nothing
 * else does. Routes are enumerated from the router's layers, as the auth test does.
 */
import type Router from '@koa/router';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bot/app.js';
import { apiRouter } from '../../../bot/http/api/index.js';
import type { RoutePolicy } from '../../../bot/http/staff-auth.js';
import { ERROR_STATUS } from '../../../handlers/errors.js';
import { createTestRuntime, seedPlaces, serveApp, staffToken, type TestRuntime } from '../../support/runtime.js';
import { apiClient } from '../../support/staff-api.js';

let t: TestRuntime;
let stopHttp: () => Promise<void>;
let doc: any;

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

function routesOf(router: Router<any>): Array<{ method: string; path: string; roles: readonly string[] }> {
  const out = [];
  for (const layer of router.stack) {
    if (layer.methods.length === 0) continue;
    const guard = layer.stack.find((mw) => 'policy' in mw) as unknown as { policy: RoutePolicy } | undefined;
    for (const method of layer.methods.filter((m) => m !== 'HEAD'))
      out.push({ method: method.toLowerCase(), path: String(layer.path), roles: guard?.policy.roles ?? [] });
  }
  return out;
}

/** Every `$ref` in the document, with where it was found. */
function refs(node: unknown, at = '#', out: Array<[string, string]> = []): Array<[string, string]> {
  if (Array.isArray(node)) {
    for (const [i, x] of node.entries()) refs(x, `${at}/${i}`, out);
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push([at, v]);
      else refs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<any>((node, key) => (node && typeof node === 'object' ? node[key] : undefined), doc);
}

/** A JSON Schema (2020-12) as we write them: known types, `required` naming real properties, subschemas alike. */
function checkSchema(s: unknown, at: string): string[] {
  if (typeof s === 'boolean') return [];
  if (!s || typeof s !== 'object' || Array.isArray(s)) return [`${at}: not a schema`];
  const x = s as Json;
  const problems: string[] = [];
  const types = x.type === undefined ? [] : Array.isArray(x.type) ? x.type : [x.type];
  for (const ty of types) if (!JSON_TYPES.includes(ty)) problems.push(`${at}: unknown type ${ty}`);
  if (x.required) {
    if (!Array.isArray(x.required)) problems.push(`${at}: required is not an array`);
    else for (const r of x.required) if (!x.properties || !(r in x.properties)) problems.push(`${at}: required ${r} is not a property`);
  }
  if (x.enum && (!Array.isArray(x.enum) || x.enum.length === 0)) problems.push(`${at}: empty enum`);
  if (x.pattern) {
    try {
      new RegExp(x.pattern, 'u');
    } catch {
      problems.push(`${at}: bad pattern ${x.pattern}`);
    }
  }
  for (const [k, v] of Object.entries(x.properties ?? {})) problems.push(...checkSchema(v, `${at}/properties/${k}`));
  for (const k of ['items', 'additionalProperties', 'not'])
    if (x[k] !== undefined && typeof x[k] !== 'boolean') problems.push(...checkSchema(x[k], `${at}/${k}`));
  for (const k of ['anyOf', 'oneOf', 'allOf']) for (const [i, v] of (x[k] ?? []).entries()) problems.push(...checkSchema(v, `${at}/${k}/${i}`));
  return problems;
}

beforeAll(async () => {
  t = await createTestRuntime({ dbPrefix: 'openapi' });
  await seedPlaces(t.rt.models);
  const token = await staffToken(t.rt.models, { role: 'volunteer_lead', community: 'c1' }); // any staff role may read it
  const http = await serveApp(createApp(t.rt));
  stopHttp = http.close;
  const api = apiClient(http.url);
  expect((await api('GET', '/api/openapi.json')).status).toBe(401);
  const res = await api('GET', '/api/openapi.json', token);
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(async () => {
  await stopHttp?.();
  await t?.close();
});

describe('the OpenAPI document', () => {
  it('has the top-level shape of OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    for (const p of Object.keys(doc.paths)) expect(p).toMatch(/^\/api\//);
  });

  it('validates against the OpenAPI 3.1 schema (a maintained validator, not our own checks)', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    expect(result.errors ?? [], JSON.stringify(result.errors ?? []).slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    // And it would notice: a Swagger-2-style body parameter is not OpenAPI 3.
    const broken = structuredClone(doc);
    const [first] = Object.values(broken.paths) as Json[];
    const [method] = Object.keys(first!).filter((k) => METHODS.includes(k));
    first![method!].parameters = [...(first![method!].parameters ?? []), { name: 'payload', in: 'body', schema: { type: 'object' } }];
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('lists every route of the router, with its guard’s roles, and no other', () => {
    const routes = routesOf(apiRouter(t.rt));
    expect(routes.length).toBeGreaterThan(25);
    const documented = Object.entries(doc.paths as Json).flatMap(([p, item]) => Object.keys(item).map((m) => `${m} ${p}`));
    const expected = routes.map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(expected.sort());
    for (const r of routes) expect(doc.paths[r.path.replace(/:(\w+)/g, '{$1}')][r.method]['x-roles']).toEqual(r.roles);
    expect(expected).toEqual(
      expect.arrayContaining([
        'get /api/health-reports',
        'get /api/health-reports/missing',
        'post /api/alerts/{id}/acknowledge',
        'post /api/escalations/{id}/answer',
        'post /api/supply-requests/{id}/in-transit',
        'get /api/residents',
        'post /api/notices',
        'get /api/openapi.json',
      ]),
    );
  });

  it('gives every operation a unique id, a summary, declared parameters and described responses', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const [method, op] of Object.entries(item as Json)) {
        const where = `${method} ${path}`;
        expect(METHODS, where).toContain(method);
        expect(op.operationId, where).toMatch(/^[A-Za-z][A-Za-z0-9]*$/);
        expect(ids.has(op.operationId), `${where}: duplicate operationId ${op.operationId}`).toBe(false);
        ids.add(op.operationId);
        expect(op.summary, where).toEqual(expect.any(String));
        const params = (op.parameters ?? []) as Json[];
        const names = params.map((p) => `${p.in}:${p.name}`);
        expect(new Set(names).size, `${where}: repeated parameter`).toBe(names.length);
        for (const p of params) {
          expect(['path', 'query'], where).toContain(p.in);
          expect(p.schema, `${where} ${p.name}`).toEqual(expect.any(Object));
          if (p.in === 'path') expect(p.required, `${where} ${p.name}`).toBe(true);
        }
        const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => `path:${m[1]}`);
        expect(names.filter((n) => n.startsWith('path:')).sort(), where).toEqual(inPath.sort());
        if (op.requestBody) expect(op.requestBody.content['application/json'].schema, where).toEqual(expect.any(Object));
        const statuses = Object.keys(op.responses);
        expect(
          statuses.some((s) => /^2\d\d$/.test(s)),
          `${where}: no success response`,
        ).toBe(true);
        for (const [status, r] of Object.entries(op.responses as Json)) {
          expect(status, where).toMatch(/^[1-5]\d\d$/);
          expect(r.description, `${where} ${status}`).toEqual(expect.any(String));
          // JSON, or other media types a route declares (a gate's poster is a PNG; an export is CSV or XLSX), each with its schema.
          const types = Object.keys(r.content);
          expect(types.length, `${where} ${status}`).toBeGreaterThan(0);
          if (!status.startsWith('2')) expect(types, `${where} ${status}`).toEqual(['application/json']);
          for (const type of types) {
            expect(type, `${where} ${status}`).toMatch(
              /^(application\/json|image\/png|text\/csv|application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet)$/,
            );
            expect(r.content[type].schema, `${where} ${status} ${type}`).toEqual(expect.any(Object));
          }
        }
        expect(statuses, `${where}: the guard's answers`).toEqual(expect.arrayContaining(['401', '403']));
        if (op.parameters || op.requestBody) expect(statuses, where).toContain('400');
      }
    }
  });

  it('resolves every $ref inside the document', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(50);
    const broken = all.filter(([, ref]) => resolve(ref) === undefined).map(([at, ref]) => `${at} → ${ref}`);
    expect(broken).toEqual([]);
    // and every named schema is used somewhere
    const used = new Set(all.map(([, ref]) => ref));
    const unused = Object.keys(doc.components.schemas).filter((id) => !used.has(`#/components/schemas/${id}`));
    expect(unused).toEqual([]);
  });

  it('has well-formed JSON Schemas everywhere', () => {
    const problems: string[] = [];
    for (const [id, s] of Object.entries(doc.components.schemas as Json)) problems.push(...checkSchema(s, `#/components/schemas/${id}`));
    for (const [path, item] of Object.entries(doc.paths as Json))
      for (const [method, op] of Object.entries(item as Json)) {
        for (const p of op.parameters ?? []) problems.push(...checkSchema(p.schema, `${method} ${path} ${p.name}`));
        if (op.requestBody) problems.push(...checkSchema(op.requestBody.content['application/json'].schema, `${method} ${path} body`));
      }
    expect(problems).toEqual([]);
  });

  it('documents the errors with the catalogue’s codes and statuses', () => {
    expect(doc.components.schemas.Error.properties.error.enum.sort()).toEqual(Object.keys(ERROR_STATUS).sort());
    const answer = doc.paths['/api/escalations/{id}/answer'].post.responses;
    expect(answer['409'].description).toContain('undeliverable');
    expect(answer['403'].description).toContain('forbidden_scope');
    expect(doc.paths['/api/supply-requests/{id}/deliver'].post.responses['403'].description).toContain('not_assignee');
    const q = doc.paths['/api/health-reports'].get.parameters.find((p: Json) => p.name === 'risk');
    expect(q).toMatchObject({ in: 'query', required: false, schema: { type: 'string', enum: ['green', 'yellow', 'red'] } });
    const body = doc.paths['/api/notices'].post.requestBody.content['application/json'].schema;
    expect(body.required.sort()).toEqual(['body', 'targets', 'title']);
    expect(body.properties.title).toMatchObject({ type: 'string', maxLength: 64 });
  });
});
