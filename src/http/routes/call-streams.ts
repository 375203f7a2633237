import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { getCallSnapshot, listLiveCalls } from '../../analytics/index.js';
import { type CallUpdate, followCall, followCalls } from '../../runtime/index.js';
import { routePlugin } from '../route.js';
import { Id, Strict, TenantParams } from '../schemas.js';
import { openEventStream } from '../sse.js';
import { crossTenantAccess } from './access.js';

const EventStreamBody = Type.Unsafe<never>({ type: 'string', description: 'text/event-stream' });

/**
 * Following calls as they happen (server-sent events). Every stream starts with a `snapshot` event,
 * then relays updates by type: `call_started`, `call_answered`, `utterance` (turn text as spoken),
 * `tool_called` (name, isError), `call_ended`, …, each `{ callId, tenantId, type, at, data }`.
 */
export const callStreamRoutes = routePlugin(['calls'], (route, { deps }) => {
  /** A snapshot of the running calls, then every update of the tenant's calls (null: every tenant's). */
  const streamCalls = async (
    request: FastifyRequest,
    reply: FastifyReply,
    tenantId: string | null,
    runningCalls: () => Promise<unknown[]>,
  ) => {
    let stream: ReturnType<typeof openEventStream> | undefined;
    const unsubscribe = await followCalls(deps.store, tenantId, (update) =>
      stream?.send(update.type, update),
    );
    try {
      const calls = await runningCalls();
      stream = openEventStream(request, reply);
      stream.onClose(() => void unsubscribe());
      stream.send('snapshot', { calls });
    } catch (err) {
      await unsubscribe();
      throw err;
    }
  };

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/calls/:callId/live',
    access: 'calls:read',
    summary:
      'One call as it runs: a snapshot (summary + turns so far), then its updates; closes when it ends (at once if it has)',
    params: Strict({ ...TenantParams.properties, callId: Id('call') }),
    response: { 200: EventStreamBody },
    handler: async (request, reply) => {
      const { tenantId, callId } = request.params;
      // Subscribe before reading, so an end between the read and the subscription is not missed.
      const early: CallUpdate[] = [];
      let relay: ((update: CallUpdate) => void) | undefined;
      const unsubscribe = await followCall(deps.store, callId, (update) =>
        relay ? relay(update) : early.push(update),
      );
      let snapshot: Awaited<ReturnType<typeof getCallSnapshot>>;
      try {
        snapshot = await getCallSnapshot(deps, tenantId, callId);
      } catch (err) {
        await unsubscribe();
        throw err;
      }
      const stream = openEventStream(request, reply);
      stream.onClose(() => void unsubscribe());
      stream.send('snapshot', snapshot);
      if (!snapshot.live) return stream.close();
      relay = (update) => {
        stream.send(update.type, update);
        if (update.type === 'call_ended') stream.close();
      };
      for (const update of early.splice(0)) relay(update);
    },
  });

  route({
    method: 'GET',
    url: '/api/tenants/:tenantId/calls/live',
    access: 'calls:read',
    summary: "A tenant's calls as they happen: a snapshot of the running calls, then every call's updates",
    params: TenantParams,
    response: { 200: EventStreamBody },
    handler: async (request, reply) => {
      const { tenantId } = request.params;
      await streamCalls(request, reply, tenantId, () => listLiveCalls(deps, { tenantId }));
    },
  });

  route({
    method: 'GET',
    url: '/api/calls/live',
    access: 'calls:inspect',
    summary: "Every tenant's calls as they happen (agency staff): a snapshot, then every call's updates",
    response: { 200: EventStreamBody },
    handler: async (request, reply) =>
      streamCalls(request, reply, null, () =>
        listLiveCalls(deps, { access: crossTenantAccess(request, 'calls.live') }),
      ),
  });
});
