import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import type { ConnectionTest, N8nConnection } from '../api/types';
import { isAdmin, useMe } from '../auth';
import { ErrorState, Page, QueryView } from '../ui';

/** The test result in words: what happened and what to do about it. */
const EXPLAIN: Record<ConnectionTest['status'], { color: string; title: string; todo: string }> = {
  ok: {
    color: 'green',
    title: 'Connected',
    todo: 'n8n answered with this API key. Tools can list and call its workflows.',
  },
  bad_key: {
    color: 'red',
    title: 'The API key was refused',
    todo: 'Create a new key in n8n (Settings → n8n API) and paste it into this connection.',
  },
  unreachable: {
    color: 'red',
    title: 'n8n could not be reached',
    todo: 'Check the base URL (the address of your n8n editor, without a path) and that the instance is running.',
  },
  not_n8n: {
    color: 'orange',
    title: 'Something answered, but it is not n8n',
    todo: 'The base URL points at another site; use the address where the n8n editor opens.',
  },
  blocked: {
    color: 'orange',
    title: 'The address is private and blocked',
    todo: 'Self-hosted on a private network: add its host to OUTBOUND_ALLOWED_HOSTS on the server.',
  },
};

function TestResult({ result }: { result: ConnectionTest }) {
  const e = EXPLAIN[result.status];
  return (
    <Alert color={e.color} title={e.title} role="status">
      <Text size="sm">{e.todo}</Text>
      <Text size="xs" c="dimmed" mt={4}>
        {result.message} · HTTP {result.httpStatus ?? '—'} · {result.latencyMs} ms
      </Text>
    </Alert>
  );
}

function Connection({ tenantId, connection }: { tenantId: string; connection: N8nConnection }) {
  const test = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/tenants/{tenantId}/n8n-connections/{connectionId}/test', {
          params: { path: { tenantId, connectionId: connection.id } },
        }),
      ),
  });
  const auth = connection.webhookAuth;
  return (
    <Paper withBorder p="md">
      <Group justify="space-between">
        <Stack gap={2}>
          <Title order={2} size="h4">
            {connection.name}
          </Title>
          <Code>{connection.baseUrl}</Code>
          <Text size="sm">
            API key: {connection.apiKey.set ? `…${connection.apiKey.last4}` : 'not set'} · webhook auth:{' '}
            {auth.kind}
            {auth.kind === 'header' ? ` (${auth.name})` : ''}
          </Text>
        </Stack>
        <Button onClick={() => test.mutate()} loading={test.isPending}>
          Test connection
        </Button>
      </Group>
      {test.isError ? <ErrorState error={test.error} /> : null}
      {test.data ? <TestResult result={test.data} /> : null}
    </Paper>
  );
}

function AddConnection({ tenantId, onDone }: { tenantId: string; onDone: () => void }) {
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [kind, setKind] = useState<string | null>('header');
  const [headerName, setHeaderName] = useState('X-Switchboard-Token');
  const [secret, setSecret] = useState('');
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/tenants/{tenantId}/n8n-connections', {
          params: { path: { tenantId } },
          body: {
            name,
            baseUrl,
            ...(apiKey ? { apiKey } : {}),
            webhookAuth:
              kind === 'header'
                ? { kind: 'header', name: headerName, value: secret }
                : kind === 'basic'
                  ? { kind: 'basic', username: headerName, password: secret }
                  : { kind: 'none' },
          } as never,
        }),
      ),
    onSuccess: onDone,
  });
  return (
    <Stack>
      {create.isError ? <ErrorState error={create.error} title="Not added" /> : null}
      <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
      <TextInput
        label="Base URL"
        placeholder="https://acme.app.n8n.cloud"
        required
        value={baseUrl}
        onChange={(e) => setBaseUrl(e.currentTarget.value)}
      />
      <PasswordInput label="n8n API key" value={apiKey} onChange={(e) => setApiKey(e.currentTarget.value)} />
      <Select
        label="Webhook authentication"
        data={['header', 'basic', 'none']}
        value={kind}
        onChange={setKind}
        allowDeselect={false}
      />
      {kind !== 'none' ? (
        <>
          <TextInput
            label={kind === 'header' ? 'Header name' : 'User'}
            value={headerName}
            onChange={(e) => setHeaderName(e.currentTarget.value)}
          />
          <PasswordInput
            label={kind === 'header' ? 'Header value' : 'Password'}
            value={secret}
            onChange={(e) => setSecret(e.currentTarget.value)}
          />
        </>
      ) : null}
      <Button onClick={() => create.mutate()} loading={create.isPending}>
        Add connection
      </Button>
    </Stack>
  );
}

export function N8nPage() {
  const { tenantId } = useParams({ strict: false }) as { tenantId: string };
  const me = useMe();
  const queryClient = useQueryClient();
  const [adding, setAdding] = useState(false);
  const connections = useQuery({
    queryKey: ['n8n', tenantId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/n8n-connections', {
          params: { path: { tenantId }, query: { limit: 100 } },
        }),
      ),
  });
  return (
    <Page
      title="n8n connections"
      actions={isAdmin(me.role) ? <Button onClick={() => setAdding(true)}>Add connection</Button> : null}
    >
      {!isAdmin(me.role) ? (
        <Badge variant="light" color="gray">
          Only an internal admin can add connections or change credentials.
        </Badge>
      ) : null}
      <QueryView
        query={connections}
        isEmpty={(d) => d.items.length === 0}
        empty="No n8n connection for this tenant."
      >
        {(d) => (
          <Stack>
            {d.items.map((c) => (
              <Connection key={c.id} tenantId={tenantId} connection={c} />
            ))}
          </Stack>
        )}
      </QueryView>
      <Modal opened={adding} onClose={() => setAdding(false)} title="Add an n8n connection">
        <AddConnection
          tenantId={tenantId}
          onDone={() => {
            setAdding(false);
            void queryClient.invalidateQueries({ queryKey: ['n8n', tenantId] });
          }}
        />
      </Modal>
    </Page>
  );
}
