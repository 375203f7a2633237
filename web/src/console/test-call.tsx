import {
  Alert,
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useEffect, useRef, useState } from 'react';
import { api, apiFetch, messageOf, unwrap } from '../api/client';
import { Empty, ErrorState } from '../ui';

/** The scenarios the server ships (packages/sandbox/src/scenarios/files). */
const SCENARIOS = [
  'book-appointment',
  'greeting-only',
  'barge-in',
  'tool-timeout',
  'caller-hangs-up-mid-answer',
  'silence-timeout',
];

interface Entry {
  speaker: string;
  text: string;
  startMs: number;
  endMs: number;
  interrupted?: boolean;
}
type StreamEvent =
  | { type: 'caller-said'; entry: Entry }
  | { type: 'agent-said'; entry: Entry }
  | { type: 'agent-started'; atMs: number }
  | { type: 'dtmf'; digit: string; atMs: number }
  | { type: 'failed'; failure: unknown; atMs: number }
  | { type: 'ended'; end: unknown; atMs: number }
  | {
      type: 'result';
      callId: string | null;
      status: string | null;
      endReason: string | null;
      problems: string[];
    }
  | { type: 'error'; message: string }
  | { type: string };

interface Turn {
  speaker: 'caller' | 'agent';
  text: string;
  atMs: number;
  latencyMs: number | null;
  interrupted: boolean;
}

/** A scenario from the operator's own caller lines: each line is said after the agent's previous answer. */
function scenarioFromLines(lines: string[]) {
  return {
    name: 'console-test-call',
    description: 'Caller lines written in the console',
    caller: {
      steps: [
        { type: 'waitFor', timeoutMs: 15000 },
        ...lines.flatMap((text) => [
          { type: 'say', text },
          { type: 'waitFor', timeoutMs: 15000 },
        ]),
        { type: 'hangup' },
      ],
    },
    llm: { rules: [], defaultReply: 'Thank you, I have noted that.' },
  };
}

const TOOL_STATUS_COLOR: Record<string, string> = {
  pending: 'gray',
  running: 'blue',
  succeeded: 'green',
  failed: 'red',
  timed_out: 'orange',
  rejected: 'red',
};

/**
 * The test call's id as soon as it starts: the tenant's live stream announces every call, and the
 * first one to the dialled number after placing is this one. Each `tool_called` update calls `onTool`.
 */
function useLiveCallId(tenantId: string, to: string | null, active: boolean, onTool: () => void) {
  const [callId, setCallId] = useState<string | null>(null);
  const tool = useRef(onTool);
  tool.current = onTool;
  const since = useRef(0);
  useEffect(() => {
    if (!active || !to) return;
    setCallId(null);
    since.current = Date.now();
    let mine: string | null = null;
    const source = new EventSource(`/api/tenants/${tenantId}/calls/live`);
    // A call that started before the stream opened is in its snapshot.
    source.addEventListener('snapshot', (e) => {
      const { calls } = JSON.parse((e as MessageEvent<string>).data) as {
        calls: { id: string; toNumber: string | null; startedAt: string }[];
      };
      const found = calls.find((c) => c.toNumber === to && Date.parse(c.startedAt) >= since.current - 5000);
      if (!mine && found) {
        mine = found.id;
        setCallId(found.id);
      }
    });
    source.addEventListener('call_started', (e) => {
      const u = JSON.parse((e as MessageEvent<string>).data) as {
        callId: string;
        data?: { toNumber?: string };
      };
      if (!mine && u.data?.toNumber === to) {
        mine = u.callId;
        setCallId(u.callId);
      }
    });
    source.addEventListener('tool_called', (e) => {
      const u = JSON.parse((e as MessageEvent<string>).data) as { callId: string };
      if (u.callId === mine) tool.current();
    });
    return () => source.close();
  }, [tenantId, to, active]);
  return callId;
}

/** The call's tool executions with their status, refreshed while the call runs. */
function ToolCalls({ tenantId, callId, live }: { tenantId: string; callId: string | null; live: boolean }) {
  const executions = useQuery({
    queryKey: ['tool-executions', tenantId, callId],
    enabled: Boolean(callId),
    refetchInterval: live ? 1000 : false,
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/tool-executions', {
          params: { path: { tenantId }, query: { callId: callId!, limit: 50 } },
        }),
      ),
  });
  const items = [...(executions.data?.items ?? [])].reverse();
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        Tool calls
      </Title>
      {executions.isError ? <ErrorState error={executions.error} /> : null}
      {items.length === 0 ? (
        <Empty>{live ? 'No tool called yet.' : 'Tool calls appear here with their status.'}</Empty>
      ) : (
        <Stack gap="xs" aria-live="polite">
          {items.map((x) => (
            <Group key={x.id} gap="sm" wrap="nowrap" data-testid="live-tool" data-status={x.status}>
              <Badge color={TOOL_STATUS_COLOR[x.status] ?? 'gray'} w={100}>
                {x.status.replace('_', ' ')}
              </Badge>
              <Text ff="monospace" style={{ flex: 1 }}>
                {x.toolName}
              </Text>
              <Text size="xs" c="dimmed">
                {x.durationMs !== null ? `${x.durationMs} ms` : 'running…'}
                {x.error ? ` · ${x.error.code}` : ''}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

/** Reads an NDJSON response line by line. */
async function* ndjson(response: Response): AsyncGenerator<StreamEvent> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield JSON.parse(line) as StreamEvent;
      nl = buffer.indexOf('\n');
    }
  }
  if (buffer.trim()) yield JSON.parse(buffer) as StreamEvent;
}

export function TestCallPage() {
  const { tenantId } = useParams({ strict: false }) as { tenantId: string };
  const queryClient = useQueryClient();
  const numbers = useQuery({
    queryKey: ['numbers', tenantId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/phone-numbers', {
          params: { path: { tenantId }, query: { limit: 100 } },
        }),
      ),
  });
  const [to, setTo] = useState<string | null>(null);
  const [mode, setMode] = useState('scenario');
  const [scenario, setScenario] = useState<string | null>('book-appointment');
  const [lines, setLines] = useState('Hi, what time do you open?\nThanks, goodbye.');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [status, setStatus] = useState<'idle' | 'running' | 'done'>('idle');
  const [result, setResult] = useState<Extract<StreamEvent, { type: 'result' }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const lastCallerEnd = useRef<number | null>(null);
  const number = to ?? numbers.data?.items.find((n) => n.agentId)?.e164 ?? null;
  const liveCallId = useLiveCallId(tenantId, number, status === 'running', () => {
    void queryClient.invalidateQueries({ queryKey: ['tool-executions', tenantId] });
  });
  const callId = result?.callId ?? liveCallId;

  async function place() {
    if (!number) return;
    setTurns([]);
    setResult(null);
    setError(null);
    setStatus('running');
    lastCallerEnd.current = null;
    try {
      const body = {
        to: number,
        scenario:
          mode === 'scenario'
            ? scenario
            : scenarioFromLines(
                lines
                  .split('\n')
                  .map((l) => l.trim())
                  .filter(Boolean),
              ),
        speed: 1, // real time: the sandbox speaks at a human pace
      };
      const response = await apiFetch<Response>('/api/sandbox/calls', {
        method: 'POST',
        json: body,
        headers: { accept: 'application/x-ndjson' },
        raw: true,
      });
      for await (const event of ndjson(response)) {
        if (event.type === 'caller-said' || event.type === 'agent-said') {
          const { entry } = event as { entry: Entry };
          const agent = event.type === 'agent-said';
          const latency =
            agent && lastCallerEnd.current !== null ? entry.startMs - lastCallerEnd.current : null;
          if (!agent) lastCallerEnd.current = entry.endMs;
          else lastCallerEnd.current = null;
          setTurns((t) => [
            ...t,
            {
              speaker: agent ? 'agent' : 'caller',
              text: entry.text,
              atMs: entry.startMs,
              latencyMs: latency,
              interrupted: entry.interrupted === true,
            },
          ]);
        } else if (event.type === 'result') {
          setResult(event as Extract<StreamEvent, { type: 'result' }>);
        } else if (event.type === 'error') {
          setError((event as { message: string }).message);
        }
      }
      await queryClient.invalidateQueries({ queryKey: ['calls', tenantId] });
      await queryClient.invalidateQueries({ queryKey: ['tool-executions', tenantId] });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setStatus('done');
    }
  }

  return (
    <Stack>
      <Title order={1} size="h2">
        Test call
      </Title>
      <Text c="dimmed">
        Places a simulated call through the whole stack (sandbox Twilio, STT, LLM, TTS and n8n) and shows it
        as it happens.
      </Text>
      {numbers.isError ? <ErrorState error={numbers.error} /> : null}
      <Paper withBorder p="md">
        <Stack>
          <Select
            label="Number to call"
            data={(numbers.data?.items ?? []).map((n) => ({
              value: n.e164,
              label: `${n.e164}${n.agentId ? '' : ' (no agent)'}`,
            }))}
            value={number}
            onChange={setTo}
            allowDeselect={false}
          />
          <SegmentedControl
            value={mode}
            onChange={setMode}
            data={[
              { value: 'scenario', label: 'Sandbox scenario' },
              { value: 'lines', label: 'Write caller lines' },
            ]}
          />
          {mode === 'scenario' ? (
            <Select
              label="Scenario"
              data={SCENARIOS}
              value={scenario}
              onChange={setScenario}
              allowDeselect={false}
            />
          ) : (
            <Textarea
              label="Caller lines (one per line; each is said after the agent's answer)"
              autosize
              minRows={3}
              value={lines}
              onChange={(e) => setLines(e.currentTarget.value)}
            />
          )}
          <Group>
            <Button onClick={place} loading={status === 'running'} disabled={!number}>
              Place test call
            </Button>
            {status === 'running' ? <Badge color="blue">call in progress</Badge> : null}
          </Group>
        </Stack>
      </Paper>
      {error ? (
        <Alert color="red" title="The call failed" role="alert">
          {error}
        </Alert>
      ) : null}
      <Paper withBorder p="md">
        <Title order={2} size="h4" mb="sm">
          Conversation
        </Title>
        {turns.length === 0 ? (
          <Empty>{status === 'running' ? 'Dialling…' : 'Turns appear here as they are spoken.'}</Empty>
        ) : (
          <Stack gap="xs" aria-live="polite" data-testid="live-turns">
            {turns.map((t) => (
              <Group
                key={`${t.speaker}-${t.atMs}`}
                gap="sm"
                wrap="nowrap"
                align="flex-start"
                data-testid="live-turn"
              >
                <Badge color={t.speaker === 'agent' ? 'indigo' : 'gray'} w={70}>
                  {t.speaker}
                </Badge>
                <Text style={{ flex: 1 }}>
                  {t.text}
                  {t.interrupted ? ' (interrupted)' : ''}
                </Text>
                <Text size="xs" c="dimmed">
                  {(t.atMs / 1000).toFixed(1)} s{t.latencyMs !== null ? ` · ${t.latencyMs} ms latency` : ''}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </Paper>
      <ToolCalls tenantId={tenantId} callId={callId} live={status === 'running'} />
      {result ? (
        <Alert
          color={result.status === 'completed' ? 'green' : 'yellow'}
          title={`Call ${result.status ?? 'ended'}`}
          role="status"
        >
          <Text size="sm">
            End reason: {result.endReason ?? '—'}
            {result.problems.length ? ` · not as scripted: ${result.problems.join('; ')}` : ''}
          </Text>
          {result.callId ? (
            <Button component={Link} to={`/console/t/${tenantId}/calls/${result.callId}`} mt="sm" size="xs">
              Open the call
            </Button>
          ) : null}
        </Alert>
      ) : null}
    </Stack>
  );
}
