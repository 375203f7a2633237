import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import { newId } from '../lib/ids.js';
import type { VoiceService } from '../telephony/index.js';
import { installAuditTrail, installAuth, requireRouteAccess, SESSION_COOKIE } from './auth-hooks.js';
import type { AppContext } from './context.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './errors.js';
import { DOCS_PREFIX } from './route-config.js';
import { agentTestRoutes } from './routes/agent-tests.js';
import { agentRoutes } from './routes/agents.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { brandingRoutes } from './routes/branding.js';
import { callDetailRoutes } from './routes/call-detail.js';
import { callStreamRoutes } from './routes/call-streams.js';
import { callRoutes } from './routes/calls.js';
import { healthRoutes } from './routes/health.js';
import { kpiRoutes } from './routes/kpis.js';
import { liveCallRoutes } from './routes/live-calls.js';
import { n8nConnectionRoutes } from './routes/n8n-connections.js';
import { phoneNumberRoutes } from './routes/phone-numbers.js';
import { recordingRoutes } from './routes/recordings.js';
import { retentionRoutes } from './routes/retention.js';
import { sandboxCallRoutes } from './routes/sandbox-calls.js';
import { tenantRoutes } from './routes/tenants.js';
import { toolExecutionRoutes } from './routes/tool-executions.js';
import { toolRoutes } from './routes/tools.js';
import { twilioRoutes } from './routes/twilio.js';
import { userRoutes } from './routes/users.js';
import type { SandboxCalls } from './sandbox-calls-port.js';
import { SecurityEvents } from './security-events.js';
import { validatorCompiler } from './validation.js';
import { webAppRoutes } from './web-app.js';

const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Only the proxies the operator named may set the client address; the client is the right-most
 * untrusted hop of X-Forwarded-For. A hop count trusts the nearest n hops whatever their address (the
 * operator asserts nothing reaches the server except through them); Fastify itself refuses bare counts.
 */
function proxyTrust(
  trust: Config['trustProxy'],
): boolean | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof trust === 'number') return (_addr, hop) => hop < trust;
  return trust;
}

export interface AppOptions {
  /** The runtime plane (Twilio webhooks, media sockets, live calls); absent in apps without telephony. */
  voice?: VoiceService;
  /** Simulated calls through the stack, when the sandbox runs in this process. */
  sandboxCalls?: SandboxCalls;
}

export async function buildApp(ctx: AppContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.deps.log as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: proxyTrust(ctx.config.trustProxy),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newId('request');
    },
    requestIdHeader: false,
    frameworkErrors,
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  installErrorHandling(app);
  requireRouteAccess(app);
  await app.register(helmet, {
    // The OpenAPI UI needs inline styles and scripts of its own.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
      },
    },
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Switchboard API',
        version: '0.1.0',
        description: 'Operations platform for inbound phone voice agents.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          apiKey: { type: 'http', scheme: 'bearer', description: 'API key (sb_…)' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });

  app.decorate('securityEvents', new SecurityEvents(app.log));
  installAuth(app, ctx.deps, ctx.config.sessionTtlMs);
  installAuditTrail(app, ctx.deps);

  for (const routes of [
    healthRoutes,
    authRoutes,
    tenantRoutes,
    userRoutes,
    apiKeyRoutes,
    auditRoutes,
    callRoutes,
    callStreamRoutes,
    callDetailRoutes,
    kpiRoutes,
    agentRoutes,
    toolRoutes,
    phoneNumberRoutes,
    n8nConnectionRoutes,
    toolExecutionRoutes,
    retentionRoutes,
    recordingRoutes,
    brandingRoutes,
  ]) {
    await app.register(routes, { ctx });
  }
  await app.register(sandboxCallRoutes, { ctx, sandboxCalls: options.sandboxCalls });
  await app.register(agentTestRoutes, { ctx, sandboxCalls: options.sandboxCalls });
  if (options.voice) {
    await app.register(twilioRoutes, { ctx, voice: options.voice });
    await app.register(liveCallRoutes, { ctx, voice: options.voice });
  }
  await app.register(webAppRoutes);
  return app;
}
