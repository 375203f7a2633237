import { Badge, Button, Group, Select, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api, apiFetch, unwrap } from '../api/client';
import type { CallSummary, Ok } from '../api/types';
import { isAdmin, useMe } from '../auth';
import { tenantsQuery } from '../shell';
import { DataTable, Empty, ErrorState, formatDuration, formatTime, Loading, Page } from '../ui';
import { LegalHold } from './call-detail';

type CallPage = Ok<'/api/tenants/{tenantId}/calls', 'get'>;
const STATUSES = ['ringing', 'in_progress', 'completed', 'failed', 'rejected'];

interface Filters {
  status?: string;
  agentId?: string;
  from?: string;
  to?: string;
  q?: string;
  caller?: string;
  /** The post-call analysis verdict: 'true' or 'false'. */
  success?: string;
}

function query(filters: Filters, cursor?: string): string {
  const p = new URLSearchParams({ limit: '50' });
  for (const [k, v] of Object.entries(filters))
    if (v) p.set(k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v);
  if (cursor) p.set('cursor', cursor);
  return p.toString();
}

export function CallsPage({ area }: { area: 'console' | 'portal' | 'all' }) {
  const params = useParams({ strict: false }) as { tenantId?: string };
  const tenantId = params.tenantId ?? '';
  const all = area === 'all';
  const listUrl = all ? '/api/calls' : `/api/tenants/${tenantId}/calls`;
  const tenants = useQuery({ ...tenantsQuery, enabled: all });
  const me = useMe();
  const [draft, setDraft] = useState<Filters>({});
  const [filters, setFilters] = useState<Filters>({});
  const agents = useQuery({
    queryKey: ['agents', tenantId],
    enabled: area === 'console',
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/agents', { params: { path: { tenantId }, query: { limit: 100 } } }),
      ),
  });
  const calls = useInfiniteQuery({
    queryKey: ['calls', all ? 'all' : tenantId, filters],
    initialPageParam: undefined as string | undefined,
    // Only the filters a person set are sent: the list API refuses parameters it does not know.
    queryFn: ({ pageParam }) =>
      apiFetch<CallPage>(`/api/tenants/${tenantId}/calls?${query(filters, pageParam)}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 10_000,
  });
  const detail = (call: CallSummary) =>
    area === 'portal'
      ? `/portal/${tenantId}/calls/${call.id}`
      : `/console/t/${call.tenantId}/calls/${call.id}`;
  const col = createColumnHelper<CallSummary>();
  const columns = [
    col.accessor('startedAt', {
      header: 'Started',
      cell: (c) => <Link to={detail(c.row.original)}>{formatTime(String(c.getValue()))}</Link>,
    }),
    ...(all
      ? [
          col.accessor('tenantId', {
            header: 'Tenant',
            cell: (c) => tenants.data?.items.find((t) => t.id === c.getValue())?.name ?? c.getValue(),
          }),
        ]
      : []),
    col.accessor('fromNumber', { header: 'Caller', cell: (c) => c.getValue() ?? '—' }),
    col.accessor('agentName', { header: 'Agent', cell: (c) => c.getValue() ?? '—' }),
    col.accessor('toNumber', { header: 'Number', cell: (c) => c.getValue() ?? '—' }),
    col.accessor('status', {
      header: 'Status',
      cell: (c) => (
        <Badge color={c.getValue() === 'completed' ? 'green' : c.getValue() === 'failed' ? 'red' : 'blue'}>
          {c.getValue()}
        </Badge>
      ),
    }),
    col.accessor('endReason', { header: 'End reason', cell: (c) => c.getValue() ?? '—' }),
    col.accessor('outcome', { header: 'Outcome', cell: (c) => c.getValue() ?? '—' }),
    col.accessor('durationMs', { header: 'Duration', cell: (c) => formatDuration(c.getValue()) }),
    col.accessor('legalHold', {
      header: 'Legal hold',
      cell: (c) => (
        <Group gap="xs" wrap="nowrap">
          {c.getValue() ? <Badge color="orange">on hold</Badge> : null}
          {area !== 'portal' && isAdmin(me.role) ? (
            <LegalHold
              tenantId={c.row.original.tenantId}
              callId={c.row.original.id}
              onHold={c.getValue()}
              compact
            />
          ) : null}
        </Group>
      ),
    }),
  ];
  const rows = calls.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Page
      title={all ? 'Calls across tenants' : 'Calls'}
      actions={
        <Button
          component="a"
          href={`${listUrl.replace(/calls$/, 'calls.csv')}?${query(filters)}`}
          variant="default"
        >
          Export CSV
        </Button>
      }
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft);
        }}
      >
        <Group align="flex-end" wrap="wrap">
          <TextInput
            label="Search transcripts"
            value={draft.q ?? ''}
            onChange={(e) => setDraft({ ...draft, q: e.currentTarget.value })}
          />
          <Select
            label="Status"
            clearable
            data={STATUSES}
            value={draft.status ?? null}
            onChange={(v) => setDraft({ ...draft, status: v ?? undefined })}
          />
          <Select
            label="Analysis verdict"
            clearable
            data={[
              { value: 'true', label: 'Successful' },
              { value: 'false', label: 'Not successful' },
            ]}
            value={draft.success ?? null}
            onChange={(v) => setDraft({ ...draft, success: v ?? undefined })}
          />
          {area === 'console' ? (
            <Select
              label="Agent"
              clearable
              data={(agents.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
              value={draft.agentId ?? null}
              onChange={(v) => setDraft({ ...draft, agentId: v ?? undefined })}
            />
          ) : null}
          <TextInput
            label="From"
            type="date"
            value={draft.from ?? ''}
            onChange={(e) => setDraft({ ...draft, from: e.currentTarget.value })}
          />
          <TextInput
            label="To"
            type="date"
            value={draft.to ?? ''}
            onChange={(e) => setDraft({ ...draft, to: e.currentTarget.value })}
          />
          <Button type="submit">Apply</Button>
        </Group>
      </form>
      {calls.isPending ? <Loading /> : null}
      {calls.isError ? <ErrorState error={calls.error} /> : null}
      {calls.isSuccess && rows.length === 0 ? <Empty>No calls match.</Empty> : null}
      {rows.length ? <DataTable data={rows} columns={columns} label="Calls" rowKey={(c) => c.id} /> : null}
      {calls.hasNextPage ? (
        <Button variant="default" onClick={() => calls.fetchNextPage()} loading={calls.isFetchingNextPage}>
          Load more
        </Button>
      ) : null}
    </Page>
  );
}
