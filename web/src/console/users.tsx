import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import type { Ok } from '../api/types';
import { isAdmin, useMe } from '../auth';
import { tenantsQuery } from '../shell';
import { DataTable, ErrorState, formatTime, Page, QueryView } from '../ui';

type User = Ok<'/api/users', 'get'>['items'][number];

function Memberships({ user, admin }: { user: User; admin: boolean }) {
  const queryClient = useQueryClient();
  const tenants = useQuery(tenantsQuery);
  const key = ['memberships', user.id];
  const memberships = useQuery({
    queryKey: key,
    queryFn: () =>
      unwrap(api.GET('/api/users/{userId}/memberships', { params: { path: { userId: user.id } } })),
  });
  const [tenantId, setTenantId] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: (t: string) =>
      unwrap(
        api.PUT('/api/tenants/{tenantId}/members/{userId}', {
          params: { path: { tenantId: t, userId: user.id } },
          body: { role: 'client_viewer' },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const remove = useMutation({
    mutationFn: (t: string) =>
      unwrap(
        api.DELETE('/api/tenants/{tenantId}/members/{userId}', {
          params: { path: { tenantId: t, userId: user.id } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const name = (id: string) => tenants.data?.items.find((t) => t.id === id)?.name ?? id;
  if (user.platformRole) return <Text c="dimmed">Agency staff ({user.platformRole}): every tenant.</Text>;
  return (
    <Stack>
      {add.isError ? <ErrorState error={add.error} /> : null}
      {remove.isError ? <ErrorState error={remove.error} /> : null}
      <QueryView query={memberships} isEmpty={(d) => d.items.length === 0} empty="Member of no tenant.">
        {(d) => (
          <Stack gap="xs">
            {d.items.map((m) => (
              <Group key={m.tenantId} justify="space-between">
                <Text>
                  {name(m.tenantId)} — {m.role}
                </Text>
                {admin ? (
                  <Button size="xs" variant="light" color="red" onClick={() => remove.mutate(m.tenantId)}>
                    Remove
                  </Button>
                ) : null}
              </Group>
            ))}
          </Stack>
        )}
      </QueryView>
      {admin ? (
        <Group align="flex-end">
          <Select
            label="Add to tenant (client viewer)"
            data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
            value={tenantId}
            onChange={setTenantId}
          />
          <Button
            disabled={!tenantId}
            onClick={() => tenantId && add.mutate(tenantId)}
            loading={add.isPending}
          >
            Add
          </Button>
        </Group>
      ) : null}
    </Stack>
  );
}

function InviteUser({ onClose }: { onClose: () => void }) {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<string | null>('client');
  const invite = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/users', {
          body: {
            email,
            name,
            ...(password ? { password } : {}),
            platformRole: role === 'client' ? null : (role as 'internal_admin' | 'internal_operator'),
          },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  if (invite.data) {
    return (
      <Stack>
        <Alert color="green">User {invite.data.email} created.</Alert>
        {invite.data.invitation ? (
          <Text>
            Invitation token (shown once, until {formatTime(String(invite.data.invitation.expiresAt))}):{' '}
            <Code>{invite.data.invitation.token}</Code>
          </Text>
        ) : null}
        <Button onClick={onClose}>Done</Button>
      </Stack>
    );
  }
  return (
    <Stack>
      {invite.isError ? <ErrorState error={invite.error} title="Not created" /> : null}
      <TextInput
        label="Email"
        type="email"
        required
        value={email}
        onChange={(e) => setEmail(e.currentTarget.value)}
      />
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <Select
        label="Role"
        data={[
          { value: 'client', label: 'Client user (add to tenants after)' },
          { value: 'internal_operator', label: 'Internal operator' },
          { value: 'internal_admin', label: 'Internal admin' },
        ]}
        value={role}
        onChange={setRole}
        allowDeselect={false}
      />
      <PasswordInput
        label="Password"
        description="Leave empty to get an invitation token instead"
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
      />
      <Button onClick={() => invite.mutate()} loading={invite.isPending}>
        Create user
      </Button>
    </Stack>
  );
}

export function UsersPage() {
  const me = useMe();
  const admin = isAdmin(me.role);
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => unwrap(api.GET('/api/users', { params: { query: { limit: 200 } } })),
  });
  const [open, setOpen] = useState<User | null>(null);
  const [inviting, setInviting] = useState(false);
  const col = createColumnHelper<User>();
  const columns = [
    col.accessor('email', { header: 'Email' }),
    col.accessor('name', { header: 'Name' }),
    col.accessor('platformRole', {
      header: 'Role',
      cell: (c) => <Badge variant="light">{c.getValue() ?? 'client user'}</Badge>,
    }),
    col.accessor('disabledAt', { header: 'Disabled', cell: (c) => (c.getValue() ? 'yes' : 'no') }),
    col.display({
      id: 'memberships',
      header: 'Tenants',
      cell: (c) => (
        <Button size="xs" variant="subtle" onClick={() => setOpen(c.row.original)}>
          Memberships
        </Button>
      ),
    }),
  ];
  return (
    <Page title="Users" actions={admin ? <Button onClick={() => setInviting(true)}>New user</Button> : null}>
      <QueryView query={users} isEmpty={(d) => d.items.length === 0} empty="No users.">
        {(d) => <DataTable data={d.items} columns={columns} label="Users" rowKey={(u) => u.id} />}
      </QueryView>
      <Modal
        opened={open !== null}
        onClose={() => setOpen(null)}
        title={`Memberships of ${open?.email ?? ''}`}
      >
        {open ? <Memberships user={open} admin={admin} /> : null}
      </Modal>
      <Modal opened={inviting} onClose={() => setInviting(false)} title="New user">
        <InviteUser onClose={() => setInviting(false)} />
      </Modal>
    </Page>
  );
}
