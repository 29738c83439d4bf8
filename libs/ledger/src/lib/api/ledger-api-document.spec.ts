import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ADMIN_ACCESS, type AdminAccess, AdminAuthGuard } from '@lgsp/admin-auth';
import { ErrorCode } from '@lgsp/contracts';
import { validateOpenApiDocument } from '@lgsp/openapi';
import { Controller, Get, RequestMethod, type Type } from '@nestjs/common';
import { GUARDS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { getMetadataStorage } from 'class-validator';
import { parse } from 'yaml';

import { SECURITY_EVENT_FILTERS } from './dto/search-transactions.dto';
import { LedgerApiModule } from './ledger-api.module';
import { type LedgerApiModuleOptions, MAX_RECONCILIATION_ROWS } from './ledger-api-options.type';
import { RECONCILIATIONS_PATH } from './ledger-body.parsers';

/**
 * openapi/ledger.yaml is written by hand; this spec keeps it the ledger API: a valid OpenAPI 3.0
 * document, every route documented and every documented operation routed, every route guarded by
 * the admin guard with the roles the document lists, and the parameters those the handlers read.
 */

type Json = Record<string, unknown>;
interface Operation {
  security?: unknown[];
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
  'x-lgsp-roles'?: string[];
}
interface Route {
  key: string;
  path: string;
  controller: Type<unknown>;
  handlerName: string;
  handler: object;
  successStatus: number;
  args: { type: RouteParamtypes; name?: string; dto?: Type<unknown> }[];
}

const DOCUMENT_PATH = join(__dirname, '../../../../../openapi/ledger.yaml');
const text = readFileSync(DOCUMENT_PATH, 'utf8');
const document = parse(text) as { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, Json>> };

function resolve(value: unknown): Json {
  let node = value as Json;
  while (typeof node.$ref === 'string') {
    const [, , kind, name] = node.$ref.split('/');
    node = document.components[kind][name];
  }
  return node;
}

function routesOf(controllers: readonly Type<unknown>[]): Route[] {
  return controllers.flatMap((controller) => {
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((handlerName): Route[] => {
      const handler = prototype[handlerName];
      if (handlerName === 'constructor' || typeof handler !== 'function') return [];
      const suffix = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (suffix === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string;
      const segments = [prefix, suffix].flatMap((part) => part.split('/')).filter((segment) => segment !== '');
      const path = `/${segments.map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment)).join('/')}`;
      const stored = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {}) as Record<string, { index: number; data?: unknown }>;
      const paramTypes = (Reflect.getMetadata('design:paramtypes', controller.prototype, handlerName) ?? []) as Type<unknown>[];
      const args = Object.entries(stored)
        .filter(([key]) => /^\d+:\d+$/.test(key))
        .map(([key, arg]) => ({ type: Number(key.split(':')[0]) as RouteParamtypes, ...(typeof arg.data === 'string' && { name: arg.data }), dto: paramTypes[arg.index] }));
      const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
      return [{ key: `${method} ${path}`, path, controller, handlerName, handler, successStatus: httpCode ?? (method === 'POST' ? 201 : 200), args }];
    });
  });
}

function operationOf(key: string): Operation {
  const [method, path] = key.split(' ');
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (operation === undefined) throw new Error(`ledger.yaml does not document ${key}`);
  return operation;
}

function parameterNames(operation: Operation, where: string): string[] {
  return (operation.parameters ?? []).map(resolve).filter((parameter) => parameter.in === where).map((parameter) => String(parameter.name)).sort();
}

/** The query names a handler reads: a whole-object DTO's validated properties, or the named ones. */
function queryNamesRead(route: Route): string[] {
  return route.args
    .filter((arg) => arg.type === RouteParamtypes.QUERY)
    .flatMap((arg) => (arg.name !== undefined ? [arg.name] : [...new Set(getMetadataStorage().getTargetValidationMetadatas(arg.dto!, '', true, false).map((rule) => rule.propertyName))]))
    .sort();
}

function unguarded(routes: readonly Route[]): string[] {
  return routes
    .filter((route) => {
      const access = Reflect.getMetadata(ADMIN_ACCESS, route.handler) as AdminAccess | undefined;
      const guards = (Reflect.getMetadata(GUARDS_METADATA, route.handler) ?? []) as unknown[];
      return access === undefined || access.anonymous || !guards.includes(AdminAuthGuard);
    })
    .map((route) => route.key);
}

describe('openapi/ledger.yaml documents the ledger API', () => {
  const routes = routesOf((LedgerApiModule.forRoot({} as LedgerApiModuleOptions).controllers ?? []) as Type<unknown>[]);

  it('is a valid OpenAPI 3.0 document', async () => {
    const validation = await validateOpenApiDocument(parse(text));
    expect(validation.valid ? [] : validation.problems).toEqual([]);
  });

  it('documents every route, and every documented operation is a route', () => {
    const documented = Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)).sort();
    expect(routes.map((route) => route.key).sort()).toEqual(documented);
    expect(documented).toEqual(['GET /admin/v1/ledger/statements', 'GET /admin/v1/ledger/transactions', 'GET /admin/v1/ledger/transactions/{transactionId}', `POST ${RECONCILIATIONS_PATH}`]);
  });

  it('guards every route with @Admin, and would catch one without', () => {
    expect(unguarded(routes)).toEqual([]);
    @Controller('admin/v1/ledger/forgotten')
    class ForgottenController {
      @Get()
      list(): string[] {
        return [];
      }
    }
    expect(unguarded(routesOf([ForgottenController]))).toEqual(['GET /admin/v1/ledger/forgotten']);
  });

  it('lists the roles the decorators name, under admin security', () => {
    for (const route of routes) {
      const access = Reflect.getMetadata(ADMIN_ACCESS, route.handler) as AdminAccess;
      const operation = operationOf(route.key);
      expect({ route: route.key, security: operation.security, roles: [...(operation['x-lgsp-roles'] ?? [])].sort() }).toEqual({ route: route.key, security: [{ admin: [] }], roles: [...access.roles].sort() });
    }
  });

  it('documents the path and query parameters each handler reads', () => {
    for (const route of routes) {
      const operation = operationOf(route.key);
      const templated = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      expect({ route: route.key, path: parameterNames(operation, 'path') }).toEqual({ route: route.key, path: templated });
      expect({ route: route.key, query: parameterNames(operation, 'query') }).toEqual({ route: route.key, query: queryNamesRead(route) });
      const readsBody = route.args.some((arg) => arg.type === RouteParamtypes.BODY);
      expect({ route: route.key, body: operation.requestBody !== undefined }).toEqual({ route: route.key, body: readsBody });
    }
  });

  it('documents the success status and the problems of each route', () => {
    for (const route of routes) {
      const operation = operationOf(route.key);
      const statuses = Object.keys(operation.responses);
      expect({ route: route.key, successes: statuses.filter((status) => status.startsWith('2')) }).toEqual({ route: route.key, successes: [String(route.successStatus)] });
      expect({ route: route.key, missing: ['400', '401', '403'].filter((status) => !statuses.includes(status)) }).toEqual({ route: route.key, missing: [] });
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const content = resolve(operation.responses[status]).content as Record<string, { schema: Json }>;
        expect({ route: route.key, status, schema: content['application/problem+json']?.schema }).toEqual({ route: route.key, status, schema: { $ref: '#/components/schemas/Problem' } });
      }
    }
  });

  it("keeps to the code's limits, enums and the contract's error codes", () => {
    const search = operationOf('GET /admin/v1/ledger/transactions');
    const securityEvent = (search.parameters ?? []).map(resolve).find((parameter) => parameter.name === 'securityEvent');
    expect((securityEvent?.schema as Json).enum).toEqual([...SECURITY_EVENT_FILTERS]);
    const body = operationOf(`POST ${RECONCILIATIONS_PATH}`).requestBody as { content: Record<string, { schema: { properties: { transactions: Json } } }> };
    expect(body.content['application/json'].schema.properties.transactions.maxItems).toBe(MAX_RECONCILIATION_ROWS);
    expect(Object.keys(body.content).sort()).toEqual(['application/json', 'text/csv']);
    const codes = (document.components.schemas.Problem as { properties: { code: { enum: string[] } } }).properties.code.enum;
    expect(codes.filter((code) => !(Object.values(ErrorCode) as string[]).includes(code))).toEqual([]);
  });
});
