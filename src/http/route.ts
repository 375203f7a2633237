import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  ContextConfigDefault,
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchema,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
  RouteGenericInterface,
  RouteOptions,
} from 'fastify';
import type { TSchema } from 'typebox';
import type { RouteAccess } from '../auth/index.js';
import type { AppContext } from './context.js';
import { errorResponses } from './schemas.js';

/** A Fastify instance (or scope) whose routes infer request and reply types from Typebox schemas. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Responses = Record<number, TSchema>;
type Input = TSchema | undefined;
type NoResponses = Record<never, never>;

interface Schema<P extends Input, Q extends Input, B extends Input, R extends Responses>
  extends FastifySchema {
  params: P;
  querystring: Q;
  body: B;
  response: R;
}

/** Fastify's own route options for a schema, so handler and hooks get its inferred request types. */
type TypedRouteOptions<S extends FastifySchema> = RouteOptions<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  RouteGenericInterface,
  ContextConfigDefault,
  S,
  TypeBoxTypeProvider,
  FastifyBaseLogger
>;

type StandardErrors = typeof errorResponses;

/** One API route: what it needs (access, audit action), what it takes and answers, and its handler. */
export interface RouteSpec<P extends Input, Q extends Input, B extends Input, R extends Responses> {
  method: Method;
  url: string;
  /** The permission the route needs; start-up refuses a route without one. */
  access: RouteAccess;
  /** The audit action; start-up refuses a state-changing route without one. */
  action?: string;
  summary: string;
  description?: string;
  params?: P;
  querystring?: Q;
  body?: B;
  /**
   * The answers beside the standard 400/401/403/404 error bodies (which `standardErrors: false` leaves out).
   * A route whose one success answer is not 200 (a 201 or a 204) answers with that status: its handler
   * returns the body and sets a status only to choose between several.
   */
  response?: R;
  standardErrors?: boolean;
  /** OpenAPI security override, e.g. `[]` for a route that takes no credentials. */
  security?: Array<Record<string, string[]>>;
  preValidation?: TypedRouteOptions<Schema<P, Q, B, R & StandardErrors>>['preValidation'];
  handler: TypedRouteOptions<Schema<P, Q, B, R & StandardErrors>>['handler'];
}

/**
 * The one way an API route is declared: `const route = declareRoutes(app, ['tools'])`, then
 * `route({ method, url, access, action, summary, params, body, response, handler })`. Request and
 * reply types are inferred from the Typebox schemas as with `app.get`.
 */
export function declareRoutes(app: TypedApp, tags: string[]) {
  return function route<
    P extends Input = undefined,
    Q extends Input = undefined,
    B extends Input = undefined,
    R extends Responses = NoResponses,
  >(spec: RouteSpec<P, Q, B, R>): void {
    const { params, querystring, body, description, security } = spec;
    const schema = {
      tags,
      summary: spec.summary,
      ...(description === undefined ? {} : { description }),
      ...(security === undefined ? {} : { security }),
      ...(params === undefined ? {} : { params }),
      ...(querystring === undefined ? {} : { querystring }),
      ...(body === undefined ? {} : { body }),
      response: spec.standardErrors === false ? spec.response : { ...errorResponses, ...spec.response },
    };
    const handler = spec.handler as RouteOptions['handler'];
    const status = soleSuccessStatus(spec.response);
    app.route({
      method: spec.method,
      url: spec.url,
      config:
        spec.action === undefined ? { access: spec.access } : { access: spec.access, action: spec.action },
      schema,
      ...(spec.preValidation === undefined ? {} : { preValidation: spec.preValidation }),
      handler:
        status === undefined
          ? handler
          : function (request, reply) {
              reply.status(status);
              return handler.call(this, request, reply);
            },
    } as RouteOptions);
  };
}

/** The status of the one 2xx answer a route declares, when that is not 200. */
function soleSuccessStatus(response: Responses | undefined): number | undefined {
  const success = Object.keys(response ?? {})
    .map(Number)
    .filter((status) => status >= 200 && status < 300);
  return success.length === 1 && success[0] !== 200 ? success[0] : undefined;
}

/** Declares one route (see `declareRoutes`). */
export type Route = ReturnType<typeof declareRoutes>;

/**
 * A route file's plugin, its routes under one OpenAPI tag:
 * `export const toolRoutes = routePlugin(['tools'], (route, { deps }) => { route({ … }); })`.
 * `options` are what app.ts registers the plugin with (the context and any extra part).
 */
export function routePlugin<Options extends { ctx: AppContext } = { ctx: AppContext }>(
  tags: string[],
  declare: (route: Route, ctx: AppContext, options: Options, app: TypedApp) => void | Promise<void>,
): FastifyPluginAsyncTypebox<Options> {
  return async (app, options) => declare(declareRoutes(app, tags), options.ctx, options, app);
}
