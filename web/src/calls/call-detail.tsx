import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { api, apiFetch, unwrap } from '../api/client';
import { isAdmin, isInternal, useMe } from '../auth';
import { ErrorState, formatDuration, formatTime, Page, QueryView } from '../ui';
import { RecordingPlayer, Transcript } from './player';
import { type CallDetail, callDetailFrom } from './types';

function errorText(error: unknown): string {
  const e = error as { code?: string; message?: string } | null;
  return e?.code ? `${e.code}: ${e.message ?? ''}` : JSON.stringify(error);
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm">{children}</Text>
    </Stack>
  );
}

function RetentionState({ call }: { call: CallDetail }) {
  const r = call.retention;
  const hold = r?.onLegalHold ?? call.legalHold;
  if (hold) return <Badge color="orange">on legal hold</Badge>;
  if (r?.deletedAt)
    return (
      <Badge color="gray">
        recording and transcript deleted on {formatTime(r.deletedAt)}{' '}
        {r.policyDays ? `under the ${r.policyDays}-day policy` : ''}
      </Badge>
    );
  if (r?.expiresAt)
    return (
      <Badge color="blue">
        recording and transcript kept until {formatTime(r.expiresAt)}{' '}
        {r.policyDays ? `(${r.policyDays}-day policy)` : ''}
      </Badge>
    );
  return <Badge color="gray">retention: default policy</Badge>;
}

/** Place or release a legal hold with a reason (internal admins; the API refuses everyone else). */
export function LegalHold({
  tenantId,
  callId,
  onHold,
  compact = false,
}: {
  tenantId: string;
  callId: string;
  onHold: boolean;
  compact?: boolean;
}) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const change = useMutation({
    mutationFn: () =>
      apiFetch(`/api/tenants/${tenantId}/calls/${callId}/legal-hold`, {
        method: onHold ? 'DELETE' : 'POST',
        json: { reason },
      }),
    onSuccess: async () => {
      setOpen(false);
      setReason('');
      await queryClient.invalidateQueries({ queryKey: ['call', callId] });
      await queryClient.invalidateQueries({ queryKey: ['calls', tenantId] });
    },
  });
  const title = onHold ? 'Release legal hold' : 'Place legal hold';
  return (
    <>
      <Button
        color={onHold ? 'gray' : 'orange'}
        variant="light"
        size={compact ? 'xs' : 'sm'}
        onClick={() => setOpen(true)}
        aria-label={`${title} on call ${callId}`}
      >
        {compact ? (onHold ? 'Release hold' : 'Hold') : title}
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={title}>
        <Stack>
          <Text size="sm">
            {onHold
              ? 'The call becomes subject to the retention policy again.'
              : 'The recording, transcript and events are kept past the retention period until the hold is released.'}
          </Text>
          {change.isError ? <ErrorState error={change.error} title="Not changed" /> : null}
          <Textarea
            label="Reason"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
          />
          <Button onClick={() => change.mutate()} loading={change.isPending} disabled={reason.trim() === ''}>
            {onHold ? 'Release' : 'Place hold'}
          </Button>
        </Stack>
      </Modal>
    </>
  );
}

export function CallDetailPage({ area }: { area: 'console' | 'portal' }) {
  const me = useMe();
  const { tenantId, callId } = useParams({ strict: false }) as { tenantId: string; callId: string };
  const base = `/api/tenants/${tenantId}/calls/${callId}`;
  const call = useQuery({
    queryKey: ['call', callId],
    queryFn: async () =>
      callDetailFrom(
        await unwrap(
          api.GET('/api/tenants/{tenantId}/calls/{callId}', { params: { path: { tenantId, callId } } }),
        ),
      ),
  });
  const listPath = area === 'console' ? `/console/t/${tenantId}/calls` : `/portal/${tenantId}/calls`;
  return (
    <QueryView query={call}>
      {(c) => {
        const turns = c.turns;
        const recordingUrl = c.recordingUrl ?? null;
        const download = recordingUrl
          ? `${recordingUrl}${recordingUrl.includes('?') ? '&' : '?'}download=1`
          : `${base}/recording?download=1`;
        return (
          <Page
            title={`Call from ${c.fromNumber ?? 'unknown'}`}
            actions={
              <Group>
                <Button component={Link} to={listPath} variant="default">
                  All calls
                </Button>
                {isAdmin(me.role) ? (
                  <LegalHold
                    tenantId={tenantId}
                    callId={c.id}
                    onHold={c.retention?.onLegalHold ?? c.legalHold ?? false}
                  />
                ) : null}
              </Group>
            }
          >
            <Paper withBorder p="md">
              <SimpleGrid cols={{ base: 2, sm: 4 }}>
                <Field label="Status">
                  <Badge color={c.status === 'completed' ? 'green' : c.status === 'failed' ? 'red' : 'blue'}>
                    {c.status}
                  </Badge>
                </Field>
                <Field label="End reason">{c.endReason ?? '—'}</Field>
                <Field label="Outcome">{c.outcome ?? '—'}</Field>
                <Field label="Duration">{formatDuration(c.durationMs)}</Field>
                <Field label="Started">{formatTime(c.startedAt)}</Field>
                <Field label="To">{c.toNumber ?? '—'}</Field>
                <Field label="Agent">
                  {c.agentName ?? '—'}
                  {c.agentVersion ? ` v${c.agentVersion}` : ''}
                </Field>
                <Field label="Cost">${c.totalUsd.toFixed(4)}</Field>
              </SimpleGrid>
              <Group mt="sm">
                <RetentionState call={c} />
              </Group>
            </Paper>
            <Title order={2} size="h4">
              Recording and transcript
            </Title>
            {recordingUrl ? (
              <RecordingPlayer url={recordingUrl} downloadUrl={download} turns={turns} />
            ) : (
              <Stack>
                <Text c="dimmed">No recording for this call.</Text>
                {turns.length ? <Transcript turns={turns} /> : <Text c="dimmed">No transcript.</Text>}
              </Stack>
            )}
            <Title order={2} size="h4">
              Tool calls
            </Title>
            {c.toolExecutions.length ? (
              <Table aria-label="Tool calls">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Tool</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th>Duration</Table.Th>
                    <Table.Th>Outcome</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {c.toolExecutions.map((t) => (
                    <Table.Tr key={t.id}>
                      <Table.Td>{t.toolName}</Table.Td>
                      <Table.Td>
                        <Badge color={t.status === 'succeeded' ? 'green' : 'red'}>{t.status}</Badge>
                      </Table.Td>
                      <Table.Td>{t.durationMs ?? '—'} ms</Table.Td>
                      <Table.Td>
                        {t.error ? errorText(t.error) : 'ok'}
                        {isInternal(me.role) && t.attempts?.length ? (
                          <details>
                            <summary>{t.attempts.length} attempt(s) with bodies</summary>
                            {t.attempts.map((a) => (
                              <Stack key={a.attempt} gap={2} mt={4}>
                                <Text size="xs">
                                  #{a.attempt}: HTTP {a.statusCode ?? '—'}, {a.outcome}, {a.durationMs} ms
                                </Text>
                                <Code block>
                                  {JSON.stringify({ request: a.request, response: a.response }, null, 2)}
                                </Code>
                              </Stack>
                            ))}
                          </details>
                        ) : null}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            ) : (
              <Text c="dimmed">No tool calls.</Text>
            )}
            {c.costs.length ? (
              <>
                <Title order={2} size="h4">
                  Costs
                </Title>
                <Table aria-label="Costs">
                  <Table.Tbody>
                    {c.costs.map((i) => (
                      <Table.Tr key={`${i.provider}-${i.metric}`}>
                        <Table.Td>{i.provider}</Table.Td>
                        <Table.Td>{i.metric}</Table.Td>
                        <Table.Td>{i.quantity ?? '—'}</Table.Td>
                        <Table.Td>${Number(i.amountUsd).toFixed(4)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </>
            ) : null}
            {c.retention?.deletedAt ? (
              <Alert color="gray">
                Recording and transcript were deleted under the retention policy; the call's figures remain.
              </Alert>
            ) : null}
          </Page>
        );
      }}
    </QueryView>
  );
}
