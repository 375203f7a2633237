import { Button, Code, Group, Select, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import type { Ok } from '../api/types';
import { tenantsQuery } from '../shell';
import { DataTable, Empty, ErrorState, formatTime, Loading, Page } from '../ui';

type AuditRow = Ok<'/api/audit-log', 'get'>['items'][number];
const col = createColumnHelper<AuditRow>();

export function AuditPage() {
  const tenants = useQuery(tenantsQuery);
  const [action, setAction] = useState('');
  const [tenantId, setTenantId] = useState<string | null>(null);
  const [applied, setApplied] = useState<{ action?: string; tenantId?: string }>({});
  const log = useInfiniteQuery({
    queryKey: ['audit', applied],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/audit-log', { params: { query: { limit: 50, cursor: pageParam, ...applied } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const name = (id: string | null) => (id ? (tenants.data?.items.find((t) => t.id === id)?.name ?? id) : '—');
  const columns = [
    col.accessor('createdAt', { header: 'When', cell: (c) => formatTime(String(c.getValue())) }),
    col.accessor('action', { header: 'Action', cell: (c) => <Code>{c.getValue()}</Code> }),
    col.accessor('outcome', { header: 'Outcome' }),
    col.accessor('tenantId', { header: 'Tenant', cell: (c) => name(c.getValue()) }),
    col.accessor('actorId', {
      header: 'Actor',
      cell: (c) => `${c.row.original.actorKind} ${c.getValue() ?? ''}`,
    }),
    col.accessor('targetId', {
      header: 'Target',
      cell: (c) => (c.getValue() ? `${c.row.original.targetType ?? ''} ${c.getValue()}` : '—'),
    }),
  ];
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Page title="Audit log">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ ...(action ? { action } : {}), ...(tenantId ? { tenantId } : {}) });
        }}
      >
        <Group align="flex-end">
          <TextInput
            label="Action"
            placeholder="e.g. agent.publish"
            value={action}
            onChange={(e) => setAction(e.currentTarget.value)}
          />
          <Select
            label="Tenant"
            clearable
            data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
            value={tenantId}
            onChange={setTenantId}
          />
          <Button type="submit">Filter</Button>
        </Group>
      </form>
      {log.isPending ? <Loading /> : null}
      {log.isError ? <ErrorState error={log.error} /> : null}
      {log.isSuccess && rows.length === 0 ? <Empty>No audit entries match.</Empty> : null}
      {rows.length > 0 ? (
        <DataTable data={rows} columns={columns} label="Audit log" rowKey={(r) => r.id} />
      ) : null}
      {log.hasNextPage ? (
        <Button variant="default" onClick={() => log.fetchNextPage()} loading={log.isFetchingNextPage}>
          Load more
        </Button>
      ) : null}
    </Page>
  );
}
