import { Button, Group, Modal, NumberInput, Stack, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import type { Tenant } from '../api/types';
import { isAdmin, useMe } from '../auth';
import { rememberTenant, tenantsQuery } from '../shell';
import { DataTable, ErrorState, formatTime, Page, QueryView } from '../ui';

const col = createColumnHelper<Tenant>();
const columns = [
  col.accessor('name', {
    header: 'Name',
    cell: (c) => (
      <Link to={`/console/t/${c.row.original.id}/agents`} onClick={() => rememberTenant(c.row.original.id)}>
        {c.getValue()}
      </Link>
    ),
  }),
  col.accessor('slug', { header: 'Slug' }),
  col.accessor('status', { header: 'Status' }),
  col.accessor('maxConcurrentCalls', { header: 'Max concurrent calls' }),
  col.accessor('createdAt', { header: 'Created', cell: (c) => formatTime(String(c.getValue())) }),
  col.display({
    id: 'portal',
    header: 'Portal',
    cell: (c) => <Link to={`/portal/${c.row.original.id}`}>Open portal</Link>,
  }),
];

function CreateTenant({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [max, setMax] = useState<number | string>(10);
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/tenants', { body: { name, slug, maxConcurrentCalls: Number(max) } })),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: tenantsQuery.queryKey });
      onClose();
    },
  });
  return (
    <Stack>
      {create.isError ? <ErrorState error={create.error} title="Not created" /> : null}
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <TextInput
        label="Slug"
        description="lowercase letters, digits and dashes"
        required
        value={slug}
        onChange={(e) => setSlug(e.currentTarget.value)}
      />
      <NumberInput label="Max concurrent calls" min={1} max={1000} value={max} onChange={setMax} />
      <Group justify="flex-end">
        <Button onClick={() => create.mutate()} loading={create.isPending}>
          Create tenant
        </Button>
      </Group>
    </Stack>
  );
}

export function TenantsPage() {
  const me = useMe();
  const tenants = useQuery(tenantsQuery);
  const [creating, setCreating] = useState(false);
  return (
    <Page
      title="Tenants"
      actions={isAdmin(me.role) ? <Button onClick={() => setCreating(true)}>New tenant</Button> : null}
    >
      <QueryView query={tenants} isEmpty={(d) => d.items.length === 0} empty="No tenants yet.">
        {(d) => <DataTable data={d.items} columns={columns} label="Tenants" rowKey={(t) => t.id} />}
      </QueryView>
      <Modal opened={creating} onClose={() => setCreating(false)} title="New tenant">
        <CreateTenant onClose={() => setCreating(false)} />
      </Modal>
    </Page>
  );
}
