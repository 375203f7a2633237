import { Badge, Group, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { tenantsQuery } from '../shell';
import { Empty, formatDuration, Page } from '../ui';

/** One call as the live stream tells it. */
interface LiveCall {
  id: string;
  tenantId: string;
  fromNumber: string | null;
  toNumber: string | null;
  status: string;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  turns: number;
  lastTurn: string | null;
  tools: number;
}

interface Update {
  callId: string;
  tenantId: string;
  type: string;
  at: string;
  data?: Record<string, unknown>;
}

const LIVE = new Set(['ringing', 'in_progress']);
/** How long an ended call stays on the screen. */
const KEEP_ENDED_MS = 5 * 60_000;

function apply(calls: Map<string, LiveCall>, u: Update): Map<string, LiveCall> {
  const next = new Map(calls);
  const known = next.get(u.callId);
  const call: LiveCall = known ?? {
    id: u.callId,
    tenantId: u.tenantId,
    fromNumber: (u.data?.fromNumber as string | undefined) ?? null,
    toNumber: (u.data?.toNumber as string | undefined) ?? null,
    status: 'ringing',
    startedAt: u.at,
    endedAt: null,
    endReason: null,
    turns: 0,
    lastTurn: null,
    tools: 0,
  };
  switch (u.type) {
    case 'call_started':
      call.status = (u.data?.status as string | undefined) ?? call.status;
      break;
    case 'call_answered':
      call.status = 'in_progress';
      break;
    case 'utterance':
      call.status = call.status === 'ringing' ? 'in_progress' : call.status;
      call.turns += 1;
      call.lastTurn = `${u.data?.speaker}: ${u.data?.text}`;
      break;
    case 'tool_called':
      call.tools += 1;
      break;
    case 'call_ended':
      call.status = (u.data?.status as string | undefined) ?? 'completed';
      call.endReason = (u.data?.reason as string | undefined) ?? null;
      call.endedAt = u.at;
      break;
  }
  next.set(call.id, { ...call });
  return next;
}

/** Follows `/api/calls/live` (every tenant): the snapshot of running calls, then every update. */
function useLiveCalls() {
  const [calls, setCalls] = useState<Map<string, LiveCall>>(new Map());
  const [state, setState] = useState<'connecting' | 'open' | 'lost'>('connecting');
  useEffect(() => {
    const source = new EventSource('/api/calls/live');
    source.onopen = () => setState('open');
    source.onerror = () => setState(source.readyState === EventSource.CLOSED ? 'lost' : 'connecting');
    source.addEventListener('snapshot', (e) => {
      const { calls: running } = JSON.parse((e as MessageEvent<string>).data) as {
        calls: {
          id: string;
          tenantId: string;
          fromNumber: string | null;
          toNumber: string | null;
          status: string;
          startedAt: string;
        }[];
      };
      setCalls(
        new Map(
          running.map((c) => [
            c.id,
            { ...c, endedAt: null, endReason: null, turns: 0, lastTurn: null, tools: 0 },
          ]),
        ),
      );
    });
    for (const type of ['call_started', 'call_answered', 'utterance', 'tool_called', 'call_ended']) {
      source.addEventListener(type, (e) =>
        setCalls((c) => apply(c, JSON.parse((e as MessageEvent<string>).data) as Update)),
      );
    }
    return () => source.close();
  }, []);
  return { calls, state };
}

/** Re-renders every second so running durations count up. */
function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function LiveCallsPage() {
  const { calls, state } = useLiveCalls();
  const tenants = useQuery(tenantsQuery);
  const now = useNow();
  const nameOf = (id: string) => tenants.data?.items.find((t) => t.id === id)?.name ?? id;
  const shown = [...calls.values()]
    .filter((c) => !c.endedAt || now - Date.parse(c.endedAt) < KEEP_ENDED_MS)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const running = shown.filter((c) => LIVE.has(c.status)).length;

  return (
    <Page title="Live calls">
      <Group gap="sm">
        <Text role="status" aria-live="polite" data-testid="live-count">
          {running === 1 ? '1 call now' : `${running} calls now`}
        </Text>
        <Badge color={state === 'open' ? 'green' : state === 'lost' ? 'red' : 'gray'} variant="light">
          {state === 'open' ? 'live' : state === 'lost' ? 'disconnected' : 'connecting…'}
        </Badge>
      </Group>
      {shown.length === 0 ? (
        <Empty>No calls right now, across all tenants. Calls appear here the moment they start.</Empty>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label="Live calls" striped>
            <Table.Thead>
              <Table.Tr>
                {['Tenant', 'From', 'To', 'Status', 'Duration', 'Turns', 'Tools', 'Last turn', ''].map(
                  (h) => (
                    <Table.Th key={h} scope="col">
                      {h}
                    </Table.Th>
                  ),
                )}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((c) => (
                <Table.Tr key={c.id} data-testid="live-call" data-status={c.status}>
                  <Table.Td>{nameOf(c.tenantId)}</Table.Td>
                  <Table.Td>{c.fromNumber ?? '—'}</Table.Td>
                  <Table.Td>{c.toNumber ?? '—'}</Table.Td>
                  <Table.Td>
                    <Badge color={LIVE.has(c.status) ? 'blue' : c.status === 'completed' ? 'green' : 'red'}>
                      {LIVE.has(c.status) ? c.status.replace('_', ' ') : `ended: ${c.status}`}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {formatDuration((c.endedAt ? Date.parse(c.endedAt) : now) - Date.parse(c.startedAt))}
                  </Table.Td>
                  <Table.Td>{c.turns}</Table.Td>
                  <Table.Td>{c.tools}</Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={1} maw={280}>
                      {c.lastTurn ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Link to={`/console/t/${c.tenantId}/calls/${c.id}`}>Open</Link>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Page>
  );
}
