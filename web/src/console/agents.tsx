import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Input,
  Modal,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Tabs,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import CodeMirror from '@uiw/react-codemirror';
import { useEffect, useState } from 'react';
import { ApiError, api, unwrap } from '../api/client';
import type { Agent, AgentDraft, AgentVersion } from '../api/types';
import { DataTable, ErrorState, formatTime, Page, QueryView } from '../ui';

const col = createColumnHelper<Agent>();

export function AgentsPage() {
  const { tenantId } = useParams({ strict: false }) as { tenantId: string };
  const queryClient = useQueryClient();
  const agents = useQuery({
    queryKey: ['agents', tenantId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/agents', { params: { path: { tenantId }, query: { limit: 100 } } }),
      ),
  });
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/tenants/{tenantId}/agents', { params: { path: { tenantId } }, body: { name } })),
    onSuccess: async () => {
      setCreating(false);
      setName('');
      await queryClient.invalidateQueries({ queryKey: ['agents', tenantId] });
    },
  });
  const columns = [
    col.accessor('name', {
      header: 'Agent',
      cell: (c) => <Link to={`/console/t/${tenantId}/agents/${c.row.original.id}`}>{c.getValue()}</Link>,
    }),
    col.accessor('liveVersion', {
      header: 'Live version',
      cell: (c) =>
        c.getValue() ? <Badge color="green">v{c.getValue()}</Badge> : <Badge color="gray">draft only</Badge>,
    }),
    col.accessor('draft.language', { header: 'Language' }),
    col.accessor('updatedAt', { header: 'Updated', cell: (c) => formatTime(String(c.getValue())) }),
  ];
  return (
    <Page title="Agents" actions={<Button onClick={() => setCreating(true)}>New agent</Button>}>
      <QueryView query={agents} isEmpty={(d) => d.items.length === 0} empty="No agents in this tenant yet.">
        {(d) => <DataTable data={d.items} columns={columns} label="Agents" rowKey={(a) => a.id} />}
      </QueryView>
      <Modal opened={creating} onClose={() => setCreating(false)} title="New agent">
        <Stack>
          {create.isError ? <ErrorState error={create.error} title="Not created" /> : null}
          <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Button onClick={() => create.mutate()} loading={create.isPending}>
            Create
          </Button>
        </Stack>
      </Modal>
    </Page>
  );
}

type Issues = Record<string, string>;

/** API field names (`body/draft/llm/temperature`, `toolIds[0]`) as the form's keys (`llm.temperature`). */
function issuesFrom(details: { field: string; message: string }[]): Issues {
  const out: Issues = {};
  for (const d of details) {
    const key = d.field
      .replace(/^body[./]/, '')
      .replace(/^draft[./]/, '')
      .replaceAll('/', '.')
      .replace(/\[\d+\]$/, '');
    out[key] = out[key] ? `${out[key]}; ${d.message}` : d.message;
  }
  return out;
}

function DraftEditor({ agent, tenantId }: { agent: Agent; tenantId: string }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<AgentDraft>(agent.draft);
  const [name, setName] = useState(agent.name);
  const [issues, setIssues] = useState<Issues>({});
  const [publishing, setPublishing] = useState(false);
  const [testing, setTesting] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => setDraft(agent.draft), [agent.draft]);
  const path = { tenantId, agentId: agent.id };
  const tools = useQuery({
    queryKey: ['tools', tenantId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/tools', { params: { path: { tenantId }, query: { limit: 100 } } }),
      ),
  });
  const check = useQuery({
    queryKey: ['agent-check', agent.id, agent.updatedAt],
    queryFn: () =>
      unwrap(api.GET('/api/tenants/{tenantId}/agents/{agentId}/draft/check', { params: { path } })),
  });
  useEffect(() => {
    if (check.data) setIssues(issuesFrom(check.data.issues));
  }, [check.data]);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['agent', agent.id] }),
      queryClient.invalidateQueries({ queryKey: ['versions', agent.id] }),
      queryClient.invalidateQueries({ queryKey: ['agents', tenantId] }),
    ]);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/tenants/{tenantId}/agents/{agentId}', { params: { path }, body: { name, draft } }),
      ),
    onSuccess: refresh,
    onError: (e) => e instanceof ApiError && setIssues(issuesFrom(e.details)),
  });
  const publishDraft = () =>
    unwrap(
      api.POST('/api/tenants/{tenantId}/agents/{agentId}/versions', {
        params: { path },
        body: note ? { note } : {},
      }),
    );
  const publish = useMutation({
    mutationFn: async () => {
      setTesting(false);
      await unwrap(
        api.PATCH('/api/tenants/{tenantId}/agents/{agentId}', { params: { path }, body: { name, draft } }),
      );
      try {
        return await publishDraft();
      } catch (e) {
        // An agent with a test suite publishes only a draft whose suite passed: run it, then publish
        // (a failed run makes the server refuse, naming the failing cases).
        if (!(e instanceof ApiError) || e.code !== 'AGENT_TESTS_REQUIRED') throw e;
        setTesting(true);
        await unwrap(
          api.POST('/api/tenants/{tenantId}/agents/{agentId}/tests/runs', {
            params: { path },
            body: { version: 'draft', wait: true },
          }),
        );
        setTesting(false);
        return publishDraft();
      }
    },
    onSuccess: async () => {
      setPublishing(false);
      setNote('');
      await refresh();
    },
    onError: (e) => {
      setPublishing(false);
      setTesting(false);
      if (e instanceof ApiError) setIssues(issuesFrom(e.details));
    },
  });
  const set = <K extends keyof AgentDraft>(key: K, value: AgentDraft[K]) =>
    setDraft({ ...draft, [key]: value });
  const section = <K extends 'voice' | 'stt' | 'llm' | 'limits' | 'fallbackPhrases'>(
    key: K,
    field: keyof AgentDraft[K],
    value: unknown,
  ) => setDraft({ ...draft, [key]: { ...draft[key], [field]: value } });
  const err = (key: string) => issues[key];
  const num = (v: string | number) => (typeof v === 'number' ? v : Number(v));

  return (
    <Stack>
      {save.isError ? <ErrorState error={save.error} title="Draft not saved" /> : null}
      {publish.isError ? <ErrorState error={publish.error} title="Not published" /> : null}
      {publish.isSuccess ? (
        <Alert color="green" role="status">
          Published version {publish.data.version}; it is live now.
        </Alert>
      ) : null}
      {check.data && !check.data.publishable ? (
        <Alert color="yellow" title="The draft cannot be published yet">
          {check.data.issues.map((i) => `${i.field}: ${i.message}`).join(' · ')}
        </Alert>
      ) : null}
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={err('name')}
      />
      <Input.Wrapper label="System prompt" error={err('systemPrompt')} id="systemPrompt-label">
        <CodeMirror
          value={draft.systemPrompt}
          height="180px"
          aria-labelledby="systemPrompt-label"
          basicSetup={{ lineNumbers: false, foldGutter: false }}
          onChange={(v) => set('systemPrompt', v)}
        />
      </Input.Wrapper>
      <Textarea
        label="Greeting"
        autosize
        value={draft.greeting}
        onChange={(e) => set('greeting', e.currentTarget.value)}
        error={err('greeting')}
      />
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label="Language"
          value={draft.language}
          onChange={(e) => set('language', e.currentTarget.value)}
          error={err('language')}
        />
        <TextInput
          label="Voice model (Rime)"
          value={draft.voice.model}
          onChange={(e) => section('voice', 'model', e.currentTarget.value)}
          error={err('voice.model')}
        />
        <TextInput
          label="Voice speaker"
          value={draft.voice.speaker}
          onChange={(e) => section('voice', 'speaker', e.currentTarget.value)}
          error={err('voice.speaker')}
        />
        <TextInput
          label="STT model (Deepgram)"
          value={draft.stt.model}
          onChange={(e) => section('stt', 'model', e.currentTarget.value)}
          error={err('stt.model')}
        />
        <NumberInput
          label="Endpointing (ms)"
          value={draft.stt.endpointingMs}
          onChange={(v) => section('stt', 'endpointingMs', num(v))}
          error={err('stt.endpointingMs')}
        />
        <TextInput
          label="LLM model (OpenAI)"
          value={draft.llm.model}
          onChange={(e) => section('llm', 'model', e.currentTarget.value)}
          error={err('llm.model')}
        />
        <NumberInput
          label="Temperature"
          step={0.1}
          decimalScale={2}
          value={draft.llm.temperature}
          onChange={(v) => section('llm', 'temperature', num(v))}
          error={err('llm.temperature')}
        />
        <NumberInput
          label="Max tokens per reply"
          value={draft.llm.maxTokens}
          onChange={(v) => section('llm', 'maxTokens', num(v))}
          error={err('llm.maxTokens')}
        />
        <NumberInput
          label="Max call duration (s)"
          value={draft.limits.maxDurationS}
          onChange={(v) => section('limits', 'maxDurationS', num(v))}
          error={err('limits.maxDurationS')}
        />
        <NumberInput
          label="Silence timeout (s)"
          value={draft.limits.silenceTimeoutS}
          onChange={(v) => section('limits', 'silenceTimeoutS', num(v))}
          error={err('limits.silenceTimeoutS')}
        />
      </SimpleGrid>
      <MultiSelect
        label="Tools"
        data={(tools.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
        value={draft.toolIds}
        onChange={(v) => set('toolIds', v)}
        error={err('toolIds')}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {(['noAnswer', 'toolSlow', 'error', 'goodbye'] as const).map((k) => (
          <TextInput
            key={k}
            label={`Fallback phrase: ${k}`}
            value={draft.fallbackPhrases[k]}
            onChange={(e) => section('fallbackPhrases', k, e.currentTarget.value)}
            error={err(`fallbackPhrases.${k}`)}
          />
        ))}
      </SimpleGrid>
      <Group>
        <Button variant="default" onClick={() => save.mutate()} loading={save.isPending}>
          Save draft
        </Button>
        <Button onClick={() => setPublishing(true)}>Publish…</Button>
      </Group>
      <Modal opened={publishing} onClose={() => setPublishing(false)} title="Publish the draft">
        <Stack>
          <Text size="sm">
            The draft becomes the next immutable version and goes live on the agent's numbers.
          </Text>
          <Textarea
            label="Note"
            placeholder="What changed and why"
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
          />
          {testing ? (
            <Text size="sm" role="status">
              Running the agent's test suite on this draft; it is published once every case passes.
            </Text>
          ) : null}
          <Button onClick={() => publish.mutate()} loading={publish.isPending}>
            Publish
          </Button>
        </Stack>
      </Modal>
    </Stack>
  );
}

function VersionHistory({ agent, tenantId }: { agent: Agent; tenantId: string }) {
  const queryClient = useQueryClient();
  const path = { tenantId, agentId: agent.id };
  const versions = useQuery({
    queryKey: ['versions', agent.id],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/agents/{agentId}/versions', {
          params: { path, query: { limit: 100 } },
        }),
      ),
  });
  const [from, setFrom] = useState<string | null>(null);
  const [to, setTo] = useState<string | null>(null);
  const diff = useQuery({
    queryKey: ['diff', agent.id, from, to],
    enabled: from !== null && to !== null,
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/agents/{agentId}/diff', {
          params: { path, query: { from: Number(from), to: Number(to) } },
        }),
      ),
  });
  const rollback = useMutation({
    mutationFn: (version: number) =>
      unwrap(
        api.POST('/api/tenants/{tenantId}/agents/{agentId}/rollback', {
          params: { path },
          body: { version },
        }),
      ),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ['versions', agent.id] }),
        queryClient.invalidateQueries({ queryKey: ['agent', agent.id] }),
      ]),
  });
  const vcol = createColumnHelper<AgentVersion>();
  const columns = [
    vcol.accessor('version', {
      header: 'Version',
      cell: (c) => (
        <Group gap="xs">
          v{c.getValue()}
          {c.row.original.live ? <Badge color="green">live</Badge> : null}
        </Group>
      ),
    }),
    vcol.accessor('note', { header: 'Note', cell: (c) => c.getValue() ?? '—' }),
    vcol.accessor('publishedBy', { header: 'Published by', cell: (c) => c.getValue() ?? '—' }),
    vcol.accessor('createdAt', { header: 'Published', cell: (c) => formatTime(String(c.getValue())) }),
    vcol.display({
      id: 'rollback',
      header: 'Actions',
      cell: (c) =>
        c.row.original.live ? null : (
          <Button
            size="xs"
            variant="light"
            onClick={() => rollback.mutate(c.row.original.version)}
            aria-label={`Roll back to v${c.row.original.version}`}
          >
            Roll back to v{c.row.original.version}
          </Button>
        ),
    }),
  ];
  return (
    <Stack>
      {rollback.isError ? <ErrorState error={rollback.error} title="Not rolled back" /> : null}
      {rollback.isSuccess ? (
        <Alert color="green" role="status">
          Version {rollback.data.version} is live again.
        </Alert>
      ) : null}
      <QueryView query={versions} isEmpty={(d) => d.items.length === 0} empty="Nothing published yet.">
        {(d) => {
          const options = d.items.map((v) => ({ value: String(v.version), label: `v${v.version}` }));
          return (
            <Stack>
              <DataTable data={d.items} columns={columns} label="Versions" rowKey={(v) => v.id} />
              <Paper withBorder p="md">
                <Title order={3} size="h5" mb="sm">
                  Compare two versions
                </Title>
                <Group>
                  <Select label="From" data={options} value={from} onChange={setFrom} />
                  <Select label="To" data={options} value={to} onChange={setTo} />
                </Group>
                {diff.isError ? <ErrorState error={diff.error} /> : null}
                {diff.data ? (
                  diff.data.changes.length === 0 ? (
                    <Text mt="sm" c="dimmed">
                      No differences.
                    </Text>
                  ) : (
                    <Table mt="sm" aria-label="Differences">
                      <Table.Thead>
                        <Table.Tr>
                          <Table.Th>Field</Table.Th>
                          <Table.Th>Change</Table.Th>
                          <Table.Th>v{diff.data.from}</Table.Th>
                          <Table.Th>v{diff.data.to}</Table.Th>
                        </Table.Tr>
                      </Table.Thead>
                      <Table.Tbody>
                        {diff.data.changes.map((ch) => (
                          <Table.Tr key={ch.path}>
                            <Table.Td>
                              <Code>{ch.path}</Code>
                            </Table.Td>
                            <Table.Td>{ch.kind}</Table.Td>
                            <Table.Td>{JSON.stringify(ch.before) ?? '—'}</Table.Td>
                            <Table.Td>{JSON.stringify(ch.after) ?? '—'}</Table.Td>
                          </Table.Tr>
                        ))}
                      </Table.Tbody>
                    </Table>
                  )
                ) : null}
              </Paper>
            </Stack>
          );
        }}
      </QueryView>
    </Stack>
  );
}

export function AgentEditorPage() {
  const { tenantId, agentId } = useParams({ strict: false }) as { tenantId: string; agentId: string };
  const agent = useQuery({
    queryKey: ['agent', agentId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/agents/{agentId}', { params: { path: { tenantId, agentId } } }),
      ),
  });
  return (
    <QueryView query={agent}>
      {(a) => (
        <Page
          title={a.name}
          actions={
            a.liveVersion ? (
              <Badge color="green" size="lg">
                live: v{a.liveVersion}
              </Badge>
            ) : (
              <Badge color="gray">not published</Badge>
            )
          }
        >
          <Tabs defaultValue="draft" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="draft">Draft</Tabs.Tab>
              <Tabs.Tab value="versions">Versions</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="draft" pt="md">
              <DraftEditor agent={a} tenantId={tenantId} />
            </Tabs.Panel>
            <Tabs.Panel value="versions" pt="md">
              <VersionHistory agent={a} tenantId={tenantId} />
            </Tabs.Panel>
          </Tabs>
        </Page>
      )}
    </QueryView>
  );
}
