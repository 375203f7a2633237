import type { paths } from './schema';

type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;

/** The JSON a route answers with status 200 (or 201). */
export type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer B }
      ? Json<B>
      : never
  : never;

/** The JSON body a route takes. */
export type Body<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: infer B;
}
  ? Json<NonNullable<B>>
  : never;

export type Me = Ok<'/api/auth/me', 'get'>;
export type Tenant = Ok<'/api/tenants/{tenantId}', 'get'>;
export type Agent = Ok<'/api/tenants/{tenantId}/agents/{agentId}', 'get'>;
export type AgentVersion = Ok<'/api/tenants/{tenantId}/agents/{agentId}/versions/{version}', 'get'>;
export type AgentDraft = Agent['draft'];
export type Tool = Ok<'/api/tenants/{tenantId}/tools/{toolId}', 'get'>;
export type PhoneNumber = Ok<'/api/tenants/{tenantId}/phone-numbers/{numberId}', 'get'>;
export type CallSummary = Ok<'/api/tenants/{tenantId}/calls', 'get'>['items'][number];
export type ToolOutcome = Ok<'/api/tenants/{tenantId}/tools/{toolId}/test', 'post'>;
export type N8nConnection = Ok<'/api/tenants/{tenantId}/n8n-connections/{connectionId}', 'get'>;
export type ConnectionTest = Ok<'/api/tenants/{tenantId}/n8n-connections/{connectionId}/test', 'post'>;
export type Role = NonNullable<Me['role']>;
export type Branding = Ok<'/api/tenants/{tenantId}/branding', 'get'>;
