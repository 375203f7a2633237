import { Alert, Button, Code, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import type { Ok, Role } from '../api/types';
import { tenantsQuery } from '../shell';
import { DataTable, ErrorState, formatTime, Page, QueryView } from '../ui';

type ApiKey = Ok<'/api/api-keys', 'get'>['items'][number];

function CreateKey() {
  const queryClient = useQueryClient();
  const tenants = useQuery(tenantsQuery);
  const [name, setName] = useState('');
  const [role, setRole] = useState<string | null>('client_viewer');
  const [tenantId, setTenantId] = useState<string | null>(null);
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/api-keys', { body: { name, role: role as Role, tenantId: tenantId ?? null } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  if (create.data) {
    return (
      <Alert color="green" title="Key created">
        <Text>Copy it now; it is not shown again:</Text>
        <Code block>{create.data.key}</Code>
      </Alert>
    );
  }
  return (
    <Stack>
      {create.isError ? <ErrorState error={create.error} title="Not created" /> : null}
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <Select
        label="Role"
        data={['client_viewer', 'internal_operator', 'internal_admin']}
        value={role}
        onChange={setRole}
        allowDeselect={false}
      />
      <Select
        label="Tenant"
        description="Client viewer keys belong to one tenant"
        clearable
        data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
        value={tenantId}
        onChange={setTenantId}
      />
      <Button onClick={() => create.mutate()} loading={create.isPending}>
        Create key
      </Button>
    </Stack>
  );
}

export function ApiKeysPage() {
  const queryClient = useQueryClient();
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => unwrap(api.GET('/api/api-keys', { params: { query: { limit: 200 } } })),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['api-keys'] }),
  });
  const [creating, setCreating] = useState(false);
  const col = createColumnHelper<ApiKey>();
  const columns = [
    col.accessor('name', { header: 'Name' }),
    col.accessor('prefix', { header: 'Prefix', cell: (c) => <Code>{c.getValue()}…</Code> }),
    col.accessor('role', { header: 'Role' }),
    col.accessor('tenantId', { header: 'Tenant', cell: (c) => c.getValue() ?? 'all' }),
    col.accessor('lastUsedAt', {
      header: 'Last used',
      cell: (c) => formatTime(c.getValue() as string | null),
    }),
    col.accessor('revokedAt', {
      header: 'State',
      cell: (c) =>
        c.getValue() ? (
          `revoked ${formatTime(c.getValue() as string)}`
        ) : (
          <Button size="xs" color="red" variant="light" onClick={() => revoke.mutate(c.row.original.id)}>
            Revoke
          </Button>
        ),
    }),
  ];
  return (
    <Page title="API keys" actions={<Button onClick={() => setCreating(true)}>New API key</Button>}>
      {revoke.isError ? <ErrorState error={revoke.error} /> : null}
      <QueryView query={keys} isEmpty={(d) => d.items.length === 0} empty="No API keys yet.">
        {(d) => <DataTable data={d.items} columns={columns} label="API keys" rowKey={(k) => k.id} />}
      </QueryView>
      <Modal opened={creating} onClose={() => setCreating(false)} title="New API key">
        <CreateKey />
      </Modal>
      <Group />
    </Page>
  );
}
