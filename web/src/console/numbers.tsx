import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Modal,
  Select,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import type { PhoneNumber } from '../api/types';
import { DataTable, ErrorState, Loading, Page, QueryView } from '../ui';

function VoiceWebhook({ tenantId, number }: { tenantId: string; number: PhoneNumber }) {
  const path = { tenantId, numberId: number.id };
  const [asked, setAsked] = useState(false);
  const webhook = useQuery({
    queryKey: ['webhook', number.id],
    enabled: asked,
    queryFn: () =>
      unwrap(api.GET('/api/tenants/{tenantId}/phone-numbers/{numberId}/voice-webhook', { params: { path } })),
  });
  const set = useMutation({
    mutationFn: () =>
      unwrap(api.PUT('/api/tenants/{tenantId}/phone-numbers/{numberId}/voice-webhook', { params: { path } })),
    onSuccess: () => webhook.refetch(),
  });
  if (!number.twilioSid)
    return (
      <Text size="sm" c="dimmed">
        not a Twilio number
      </Text>
    );
  if (!asked) {
    return (
      <Button size="xs" variant="subtle" onClick={() => setAsked(true)}>
        Check webhook
      </Button>
    );
  }
  if (webhook.isPending) return <Loading label="Asking Twilio…" />;
  if (webhook.isError) return <ErrorState error={webhook.error} />;
  return (
    <Stack gap={4}>
      {webhook.data.configured ? (
        <Badge color="green">points here</Badge>
      ) : (
        <Group gap="xs">
          <Badge color="yellow">{webhook.data.voiceUrl ? 'points elsewhere' : 'not set'}</Badge>
          <Button size="xs" onClick={() => set.mutate()} loading={set.isPending}>
            Point at Switchboard
          </Button>
        </Group>
      )}
      <Text size="xs">
        <Code>{webhook.data.voiceUrl ?? '—'}</Code>
      </Text>
      {set.isError ? <ErrorState error={set.error} /> : null}
    </Stack>
  );
}

function ImportFromTwilio({ tenantId, onDone }: { tenantId: string; onDone: () => void }) {
  const incoming = useQuery({
    queryKey: ['twilio-numbers'],
    queryFn: () => unwrap(api.GET('/api/twilio/incoming-numbers')),
  });
  const [sids, setSids] = useState<string[]>([]);
  const doImport = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/tenants/{tenantId}/phone-numbers/import', {
          params: { path: { tenantId } },
          body: { sids, setVoiceWebhook: true },
        }),
      ),
    onSuccess: onDone,
  });
  return (
    <QueryView
      query={incoming}
      isEmpty={(d) => d.items.length === 0}
      empty="The Twilio account has no numbers."
    >
      {(d) => (
        <Stack>
          {doImport.isError ? <ErrorState error={doImport.error} title="Not imported" /> : null}
          <Text size="sm">Imported numbers are pointed at {d.voiceWebhookUrl}.</Text>
          <Table aria-label="Twilio numbers">
            <Table.Tbody>
              {d.items.map((n) => (
                <Table.Tr key={n.sid}>
                  <Table.Td>
                    <Checkbox
                      aria-label={`Import ${n.e164}`}
                      disabled={n.registeredTenantId !== null}
                      checked={sids.includes(n.sid)}
                      onChange={(e) =>
                        setSids(e.currentTarget.checked ? [...sids, n.sid] : sids.filter((s) => s !== n.sid))
                      }
                    />
                  </Table.Td>
                  <Table.Td>{n.e164}</Table.Td>
                  <Table.Td>{n.friendlyName}</Table.Td>
                  <Table.Td>{n.registeredTenantId ? 'already registered' : 'available'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Button disabled={sids.length === 0} onClick={() => doImport.mutate()} loading={doImport.isPending}>
            Import {sids.length || ''} number(s)
          </Button>
        </Stack>
      )}
    </QueryView>
  );
}

export function NumbersPage() {
  const { tenantId } = useParams({ strict: false }) as { tenantId: string };
  const queryClient = useQueryClient();
  const [importing, setImporting] = useState(false);
  const numbers = useQuery({
    queryKey: ['numbers', tenantId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/phone-numbers', {
          params: { path: { tenantId }, query: { limit: 100 } },
        }),
      ),
  });
  const agents = useQuery({
    queryKey: ['agents', tenantId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/agents', { params: { path: { tenantId }, query: { limit: 100 } } }),
      ),
  });
  const assign = useMutation({
    mutationFn: ({ numberId, agentId }: { numberId: string; agentId: string | null }) =>
      unwrap(
        api.PATCH('/api/tenants/{tenantId}/phone-numbers/{numberId}', {
          params: { path: { tenantId, numberId } },
          body: { agentId },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['numbers', tenantId] }),
  });
  const col = createColumnHelper<PhoneNumber>();
  const columns = [
    col.accessor('e164', { header: 'Number' }),
    col.accessor('label', { header: 'Label', cell: (c) => c.getValue() ?? '—' }),
    col.accessor('agentId', {
      header: 'Agent',
      cell: (c) => (
        <Select
          aria-label={`Agent for ${c.row.original.e164}`}
          placeholder="No agent"
          clearable
          data={(agents.data?.items ?? []).map((a) => ({ value: a.id, label: a.name }))}
          value={c.getValue()}
          onChange={(agentId) => assign.mutate({ numberId: c.row.original.id, agentId })}
        />
      ),
    }),
    col.display({
      id: 'webhook',
      header: 'Voice webhook',
      cell: (c) => <VoiceWebhook tenantId={tenantId} number={c.row.original} />,
    }),
  ];
  return (
    <Page
      title="Phone numbers"
      actions={<Button onClick={() => setImporting(true)}>Import from Twilio</Button>}
    >
      {assign.isError ? <ErrorState error={assign.error} title="Not assigned" /> : null}
      {assign.isSuccess ? (
        <Alert color="green" role="status">
          Number routed.
        </Alert>
      ) : null}
      <QueryView query={numbers} isEmpty={(d) => d.items.length === 0} empty="No numbers in this tenant.">
        {(d) => <DataTable data={d.items} columns={columns} label="Phone numbers" rowKey={(n) => n.id} />}
      </QueryView>
      <Modal
        opened={importing}
        onClose={() => setImporting(false)}
        title="Import numbers from Twilio"
        size="lg"
      >
        <ImportFromTwilio
          tenantId={tenantId}
          onDone={() => {
            setImporting(false);
            void queryClient.invalidateQueries({ queryKey: ['numbers', tenantId] });
          }}
        />
      </Modal>
    </Page>
  );
}
