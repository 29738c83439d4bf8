import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { ADMIN_ACCESS, type AdminAccess, AdminAuthGuard } from '@lgsp/admin-auth';
import { ErrorCode } from '@lgsp/contracts';
import { Controller, Get, RequestMethod, type Type } from '@nestjs/common';
import { GUARDS_METADATA, HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { parse } from 'yaml';

import { ApisController } from './apis/apis.controller';
import { AuditController } from './audit/audit.controller';
import { BlocksController } from './blocks/blocks.controller';
import { ConsumersController } from './consumers/consumers.controller';
import { RegistrationsController } from './registrations/registrations.controller';
import { RegistryModule } from './registry.module';
import type { RegistryModuleOptions } from './registry-options.type';

/**
 * openapi/admin.yaml is written by hand; this spec keeps it the registry's admin API. The routes
 * come from the controllers' Nest metadata (no database, no listener): every route is documented
 * and every documented operation is routed, every route is guarded, the anonymous ones are exactly
 * those the document opens to `{}`, and parameters and request bodies are the ones the handlers
 * read and the DTOs validate.
 */

const DOCUMENT_PATH = join(__dirname, '../../../../openapi/admin.yaml');
/** Served by the admin listener outside RegistryModule: registry.app.ts's health controller and @lgsp/http's metrics hook. */
const LISTENER_ROUTES = ['GET /health/live', 'GET /metrics'];
const ADMIN_SECURITY = [{ admin: [] }];
const ANONYMOUS_SECURITY = [{}, { admin: [] }];
const SWAGGER_MODEL_PROPERTIES = 'swagger/apiModelProperties';

type Json = Record<string, unknown>;
interface Operation {
  security?: unknown[];
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
  'x-lgsp-roles'?: string[];
}
type DtoClass = Type<unknown>;

interface RouteArgument {
  readonly type: RouteParamtypes;
  /** The name given to @Query('x') / @Param('x') / @Headers('x'); undefined: the whole object. */
  readonly name?: string;
  readonly pipes: readonly unknown[];
  /** The parameter's class (a DTO for a whole-object argument). */
  readonly dto?: DtoClass;
}

interface Route {
  /** 'POST /admin/v1/registrations/{reference}/approve' */
  readonly key: string;
  readonly method: string;
  readonly path: string;
  readonly controller: DtoClass;
  readonly handlerName: string;
  readonly handler: (...args: unknown[]) => unknown;
  readonly successStatus: number;
  readonly arguments: readonly RouteArgument[];
}

const document = parse(readFileSync(DOCUMENT_PATH, 'utf8')) as { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, Json>> };
const reflector = new Reflector();

function asList(value: unknown): string[] {
  return value === undefined ? [''] : Array.isArray(value) ? value.map(String) : [String(value)];
}

/** The routes of controller classes as Nest registers them, paths in OpenAPI form (`:id` → `{id}`). */
function routesOf(controllers: readonly DtoClass[]): Route[] {
  return controllers.flatMap((controller) => {
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((handlerName) => {
      const handler = prototype[handlerName];
      if (handlerName === 'constructor' || typeof handler !== 'function') return [];
      const methodPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
      if (methodPath === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const stored = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handlerName) ?? {}) as Record<string, { index: number; data?: unknown; pipes?: unknown[] }>;
      const paramTypes = (Reflect.getMetadata('design:paramtypes', controller.prototype, handlerName) ?? []) as DtoClass[];
      const args = Object.entries(stored)
        .filter(([key]) => /^\d+:\d+$/.test(key))
        .map(([key, arg]): RouteArgument => {
          const type = Number(key.split(':')[0]) as RouteParamtypes;
          const dto = paramTypes[arg.index];
          return { type, ...(typeof arg.data === 'string' && { name: arg.data }), pipes: arg.pipes ?? [], ...(dto !== undefined && { dto }) };
        });
      const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
      return asList(Reflect.getMetadata(PATH_METADATA, controller)).flatMap((prefix) =>
        asList(methodPath).map((suffix): Route => {
          const segments = [prefix, suffix].flatMap((part) => part.split('/')).filter((segment) => segment !== '');
          const path = `/${segments.map((segment) => (segment.startsWith(':') ? `{${segment.slice(1)}}` : segment)).join('/')}`;
          return {
            key: `${method} ${path}`,
            method,
            path,
            controller,
            handlerName,
            handler: handler as Route['handler'],
            successStatus: httpCode ?? (method === 'POST' ? 201 : 200),
            arguments: args,
          };
        }),
      );
    });
  });
}

/** Routes without @Admin/@AdminOrAnonymous, or whose guard is not the admin guard. */
function unguarded(routes: readonly Route[]): string[] {
  return routes
    .filter((route) => {
      const access = reflector.get<AdminAccess | undefined>(ADMIN_ACCESS, route.handler);
      const guards = (Reflect.getMetadata(GUARDS_METADATA, route.handler) ?? []) as unknown[];
      return access === undefined || !guards.includes(AdminAuthGuard);
    })
    .map((route) => `${route.controller.name}.${route.handlerName} (${route.key})`);
}

function accessOf(route: Route): AdminAccess {
  const access = reflector.get<AdminAccess | undefined>(ADMIN_ACCESS, route.handler);
  if (access === undefined) throw new Error(`${route.key} has no @Admin access`);
  return access;
}

function documentedOperations(): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
}

function operationOf(key: string): Operation {
  const [method, path] = key.split(' ');
  const operation = document.paths[path]?.[method.toLowerCase()];
  if (operation === undefined) throw new Error(`admin.yaml does not document ${key}`);
  return operation;
}

/** Follows a local $ref, and flattens `allOf: [one]` (the way a described $ref is written in OpenAPI 3.0). */
function resolve(value: unknown): Json {
  let node = value as Json;
  for (;;) {
    if (typeof node.$ref === 'string') {
      const [, , kind, name] = node.$ref.split('/');
      node = document.components[kind][name];
    } else if (Array.isArray(node.allOf) && node.allOf.length === 1) {
      const { allOf, ...rest } = node;
      node = { ...resolve(allOf[0]), ...rest };
    } else {
      return node;
    }
  }
}

function parametersOf(operation: Operation, where: 'path' | 'query' | 'header'): string[] {
  return (operation.parameters ?? [])
    .map(resolve)
    .filter((parameter) => parameter.in === where)
    .map((parameter) => String(parameter.name))
    .sort();
}

function validatedProperties(dto: DtoClass): Map<string, ValidationMetadata[]> {
  const byProperty = new Map<string, ValidationMetadata[]>();
  for (const metadata of getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false)) {
    byProperty.set(metadata.propertyName, [...(byProperty.get(metadata.propertyName) ?? []), metadata]);
  }
  return byProperty;
}

/** The names a handler argument reads: its own name, or the validated properties of its DTO. */
function namesRead(route: Route, type: RouteParamtypes): string[] {
  return route.arguments
    .filter((arg) => arg.type === type)
    .flatMap((arg) => (arg.name !== undefined ? [arg.name] : arg.dto === undefined ? [] : [...validatedProperties(arg.dto).keys()]))
    .sort();
}

function nestedClassOf(dto: DtoClass, property: string): DtoClass | undefined {
  const swagger = Reflect.getMetadata(SWAGGER_MODEL_PROPERTIES, dto.prototype, property) as { type?: unknown } | undefined;
  const candidate = typeof swagger?.type === 'function' ? swagger.type : Reflect.getMetadata('design:type', dto.prototype, property);
  return typeof candidate === 'function' && candidate !== Array && candidate !== Object ? (candidate as DtoClass) : undefined;
}

const FORMAT_OF: Readonly<Record<string, readonly string[]>> = {
  isEmail: ['email'],
  isUrl: ['uri'],
  isIso8601: ['date', 'date-time'],
};
const TYPE_OF: Readonly<Record<string, string>> = { isInt: 'integer', isString: 'string', isBoolean: 'boolean', isObject: 'object', isArray: 'array' };

/** Every difference between a request-body schema of admin.yaml and what the DTO's validators accept. */
function schemaDrift(dto: DtoClass, schemaNode: unknown, at: string): string[] {
  const schema = resolve(schemaNode);
  const properties = (schema.properties ?? {}) as Record<string, unknown>;
  const validated = validatedProperties(dto);
  const drift: string[] = [];
  const note = (message: string): void => void drift.push(`${at}: ${message}`);

  if (schema.type !== 'object') note(`type ${String(schema.type)}, not object`);
  if (schema.additionalProperties !== false) note('additionalProperties must be false: unknown fields are refused');
  const documented = Object.keys(properties).sort();
  const accepted = [...validated.keys()].sort();
  if (documented.join() !== accepted.join()) note(`properties [${documented.join(', ')}], the DTO accepts [${accepted.join(', ')}]`);
  const required = [...validated].filter(([, rules]) => !rules.some((rule) => rule.name === 'isOptional')).map(([name]) => name).sort();
  const documentedRequired = [...((schema.required as string[] | undefined) ?? [])].sort();
  if (documentedRequired.join() !== required.join()) note(`required [${documentedRequired.join(', ')}], the DTO requires [${required.join(', ')}]`);

  for (const [name, rules] of validated) {
    if (!(name in properties)) continue;
    const property = resolve(properties[name]);
    const where = `${at}/properties/${name}`;
    const items = property.items === undefined ? {} : resolve(property.items);
    const expect = (actual: unknown, wanted: unknown, what: string): void => {
      if (JSON.stringify(actual) !== JSON.stringify(wanted)) drift.push(`${where}: ${what} ${JSON.stringify(actual)}, the DTO has ${JSON.stringify(wanted)}`);
    };
    for (const rule of rules) {
      const target = rule.each ? items : property;
      const [first, second] = (rule.constraints ?? []) as unknown[];
      switch (rule.name) {
        case 'isIn':
          expect(target.enum, first, 'enum');
          break;
        case 'matches':
          expect(target.pattern, (first as RegExp).source, 'pattern');
          break;
        case 'isLength':
          expect([target.minLength, target.maxLength], [first, second], 'minLength/maxLength');
          break;
        case 'min':
          expect(target.minimum, first, 'minimum');
          break;
        case 'max':
          expect(target.maximum, first, 'maximum');
          break;
        case 'arrayMinSize':
          expect(property.minItems, first, 'minItems');
          break;
        case 'arrayMaxSize':
          expect(property.maxItems, first, 'maxItems');
          break;
        default:
          if (rule.name !== undefined && rule.name in TYPE_OF) expect(target.type, TYPE_OF[rule.name], 'type');
          if (rule.name !== undefined && rule.name in FORMAT_OF && !FORMAT_OF[rule.name].includes(String(target.format))) {
            drift.push(`${where}: format ${String(target.format)}, the DTO checks ${rule.name}`);
          }
      }
    }
    if (rules.some((rule) => rule.type === 'nestedValidation')) {
      const nested = nestedClassOf(dto, name);
      const each = rules.some((rule) => rule.type === 'nestedValidation' && rule.each);
      if (nested === undefined) drift.push(`${where}: the spec cannot tell the nested DTO's class`);
      else if (each && property.type !== 'array') drift.push(`${where}: an array of ${nested.name}, documented as ${String(property.type)}`);
      else drift.push(...schemaDrift(nested, each ? property.items : properties[name], each ? `${where}/items` : where));
    }
  }
  return drift;
}

describe('openapi/admin.yaml documents the registry admin API', () => {
  const controllers = (RegistryModule.forRoot({} as RegistryModuleOptions).controllers ?? []) as DtoClass[];
  const routes = routesOf(controllers);

  it('reads the routes of every controller RegistryModule registers', () => {
    expect(controllers).toEqual(expect.arrayContaining([RegistrationsController, ConsumersController, ApisController, BlocksController, AuditController]));
    expect(routes.length).toBeGreaterThanOrEqual(31);
    expect(new Set(routes.map((route) => route.key)).size).toBe(routes.length);
  });

  it('documents every route, and every documented operation is a route', () => {
    const routed = routes.map((route) => route.key).sort();
    const documented = documentedOperations().filter((key) => !LISTENER_ROUTES.includes(key)).sort();
    expect({ undocumented: routed.filter((key) => !documented.includes(key)), unrouted: documented.filter((key) => !routed.includes(key)) }).toEqual({ undocumented: [], unrouted: [] });
    for (const key of LISTENER_ROUTES) expect({ key, security: operationOf(key).security }).toEqual({ key, security: [] });
  });

  it('guards every route with @Admin or @AdminOrAnonymous', () => {
    expect(unguarded(routes)).toEqual([]);
  });

  it('would catch a route without @Admin', () => {
    @Controller('admin/v1/forgotten')
    class ForgottenController {
      @Get()
      list(): string[] {
        return [];
      }
    }
    expect(unguarded(routesOf([ForgottenController]))).toEqual(['ForgottenController.list (GET /admin/v1/forgotten)']);
  });

  it('opens to callers without a token exactly the @AdminOrAnonymous routes, with the roles the decorators name', () => {
    const anonymousRoutes = routes.filter((route) => accessOf(route).anonymous).map((route) => route.key).sort();
    const openInDocument = routes.map((route) => route.key).filter((key) => (operationOf(key).security ?? []).some((requirement) => Object.keys(requirement as Json).length === 0)).sort();
    expect(openInDocument).toEqual(anonymousRoutes);
    expect(anonymousRoutes).toEqual(['GET /admin/v1/registrations/{reference}', 'POST /admin/v1/registrations']);
    for (const route of routes) {
      const access = accessOf(route);
      const operation = operationOf(route.key);
      expect({ route: route.key, security: operation.security, roles: [...(operation['x-lgsp-roles'] ?? ['(none listed)'])].sort() }).toEqual({
        route: route.key,
        security: access.anonymous ? ANONYMOUS_SECURITY : ADMIN_SECURITY,
        roles: [...access.roles].sort(),
      });
    }
  });

  it('documents the path, query and header parameters each handler reads', () => {
    for (const route of routes) {
      const operation = operationOf(route.key);
      const templated = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]).sort();
      expect({ route: route.key, where: 'path', names: parametersOf(operation, 'path') }).toEqual({ route: route.key, where: 'path', names: templated });
      expect({ route: route.key, where: 'path', read: namesRead(route, RouteParamtypes.PARAM).every((name) => templated.includes(name)) }).toEqual({ route: route.key, where: 'path', read: true });
      expect({ route: route.key, where: 'query', names: parametersOf(operation, 'query') }).toEqual({ route: route.key, where: 'query', names: namesRead(route, RouteParamtypes.QUERY) });
      expect({ route: route.key, where: 'header', names: parametersOf(operation, 'header') }).toEqual({
        route: route.key,
        where: 'header',
        names: namesRead(route, RouteParamtypes.HEADERS).map((name) => name.toLowerCase()),
      });
    }
  });

  it('documents each request body as its DTO validates it', () => {
    for (const route of routes) {
      const operation = operationOf(route.key);
      const body = route.arguments.find((arg) => arg.type === RouteParamtypes.BODY);
      if (body === undefined) {
        expect({ route: route.key, requestBody: operation.requestBody }).toEqual({ route: route.key, requestBody: undefined });
        continue;
      }
      const content = operation.requestBody?.content as Record<string, { schema: unknown }> | undefined;
      expect({ route: route.key, required: operation.requestBody?.required, json: content?.['application/json'] !== undefined }).toEqual({ route: route.key, required: true, json: true });
      expect({ route: route.key, dto: body.dto?.name, drift: body.dto === undefined ? ['no DTO class'] : schemaDrift(body.dto, content!['application/json'].schema, 'requestBody') }).toEqual({
        route: route.key,
        dto: body.dto?.name,
        drift: [],
      });
    }
  });

  it('documents the success status of each route and the problems its guard and validation can answer', () => {
    for (const route of routes) {
      const operation = operationOf(route.key);
      const statuses = Object.keys(operation.responses).sort();
      const validates =
        route.arguments.some((arg) => arg.type === RouteParamtypes.BODY) ||
        route.arguments.some((arg) => (arg.type === RouteParamtypes.QUERY || arg.type === RouteParamtypes.PARAM) && (arg.pipes.length > 0 || arg.name === undefined));
      const wanted = [String(route.successStatus), '401', '403', ...(validates ? ['400'] : [])];
      expect({ route: route.key, missing: wanted.filter((status) => !statuses.includes(status)) }).toEqual({ route: route.key, missing: [] });
      expect({ route: route.key, successes: statuses.filter((status) => status.startsWith('2')) }).toEqual({ route: route.key, successes: [String(route.successStatus)] });
      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const content = resolve(operation.responses[status]).content as Record<string, { schema: Json }> | undefined;
        expect({ route: route.key, status, problem: content?.['application/problem+json']?.schema }).toEqual({ route: route.key, status, problem: { $ref: '#/components/schemas/Problem' } });
      }
    }
  });

  it("keeps to the contract's error codes, with rule, earliest and errors in its one Problem schema", () => {
    const problem = document.components.schemas.Problem as { properties: Record<string, Json & { enum?: string[]; items?: Json }> };
    const codes = Object.values(ErrorCode) as string[];
    expect((problem.properties.code.enum ?? []).filter((code) => !codes.includes(code))).toEqual([]);
    expect(Object.keys(problem.properties)).toEqual(expect.arrayContaining(['rule', 'earliest', 'errors']));
    expect(Object.keys((problem.properties.errors.items as { properties: Json }).properties)).toEqual(['location', 'message', 'rule']);
  });
});
