import { json } from '@codemirror/lang-json';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Input,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import Form from '@rjsf/core';
import type { RJSFSchema } from '@rjsf/utils';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { createColumnHelper } from '@tanstack/react-table';
import CodeMirror from '@uiw/react-codemirror';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../api/client';
import type { Tool } from '../api/types';
import { formValidator, schemaProblem } from '../json-schema';
import { DataTable, ErrorState, formatDuration, Page, QueryView } from '../ui';

/** Parses and checks a JSON Schema as the editor changes: the first problem in words, or the schema. */
function checkSchema(text: string): { schema?: Record<string, unknown>; problem?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { problem: `not JSON: ${(e as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { problem: 'must be a JSON object' };
  const schema = parsed as Record<string, unknown>;
  if (schema.type !== 'object')
    return { problem: 'the root must be "type": "object" (tool arguments are an object)' };
  const problem = schemaProblem(schema);
  return problem ? { problem: `not a valid JSON Schema: ${problem}` } : { schema };
}

const col = createColumnHelper<Tool>();

export function ToolsPage() {
  const { tenantId } = useParams({ strict: false }) as { tenantId: string };
  const tools = useQuery({
    queryKey: ['tools', tenantId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/tools', { params: { path: { tenantId }, query: { limit: 100 } } }),
      ),
  });
  const columns = [
    col.accessor('name', {
      header: 'Tool',
      cell: (c) => <Link to={`/console/t/${tenantId}/tools/${c.row.original.id}`}>{c.getValue()}</Link>,
    }),
    col.accessor('description', { header: 'Description' }),
    col.accessor('webhookPath', {
      header: 'Webhook path',
      cell: (c) => (c.getValue() ? <Code>{c.getValue()}</Code> : '—'),
    }),
    col.accessor('timeoutMs', { header: 'Timeout', cell: (c) => `${c.getValue()} ms` }),
    col.accessor('retry.maxAttempts', { header: 'Attempts' }),
  ];
  return (
    <Page
      title="Tools"
      actions={
        <Button component={Link} to={`/console/t/${tenantId}/tools/new`}>
          New tool
        </Button>
      }
    >
      <QueryView query={tools} isEmpty={(d) => d.items.length === 0} empty="No tools yet.">
        {(d) => <DataTable data={d.items} columns={columns} label="Tools" rowKey={(t) => t.id} />}
      </QueryView>
    </Page>
  );
}

const NEW_SCHEMA = JSON.stringify(
  {
    type: 'object',
    properties: { name: { type: 'string' } },
    required: ['name'],
    additionalProperties: false,
  },
  null,
  2,
);

function ToolForm({ tenantId, tool }: { tenantId: string; tool: Tool | null }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState(tool?.name ?? '');
  const [description, setDescription] = useState(tool?.description ?? '');
  const [schemaText, setSchemaText] = useState(tool ? JSON.stringify(tool.inputSchema, null, 2) : NEW_SCHEMA);
  const [connectionId, setConnectionId] = useState<string | null>(tool?.connectionId ?? null);
  const [workflowId, setWorkflowId] = useState<string | null>(tool?.workflowId ?? null);
  const [webhookPath, setWebhookPath] = useState(tool?.webhookPath ?? '');
  const [timeoutMs, setTimeoutMs] = useState<number>(tool?.timeoutMs ?? 10_000);
  const [maxAttempts, setMaxAttempts] = useState<number>(tool?.retry.maxAttempts ?? 3);
  const [backoffMs, setBackoffMs] = useState<number>(tool?.retry.backoffMs ?? 250);
  const [idempotent, setIdempotent] = useState(tool?.idempotent ?? false);
  const checked = useMemo(() => checkSchema(schemaText), [schemaText]);
  const connections = useQuery({
    queryKey: ['n8n', tenantId],
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/n8n-connections', {
          params: { path: { tenantId }, query: { limit: 100 } },
        }),
      ),
  });
  const workflows = useQuery({
    queryKey: ['workflows', connectionId],
    enabled: connectionId !== null,
    queryFn: () =>
      unwrap(
        api.GET('/api/tenants/{tenantId}/n8n-connections/{connectionId}/workflows', {
          params: { path: { tenantId, connectionId: connectionId! }, query: { limit: 100 } },
        }),
      ),
  });
  const body = () => ({
    name,
    description,
    inputSchema: checked.schema ?? {},
    connectionId,
    workflowId,
    webhookPath: webhookPath || null,
    timeoutMs,
    retry: { maxAttempts, backoffMs },
    idempotent,
  });
  const save = useMutation({
    mutationFn: () =>
      tool
        ? unwrap(
            api.PATCH('/api/tenants/{tenantId}/tools/{toolId}', {
              params: { path: { tenantId, toolId: tool.id } },
              body: body(),
            }),
          )
        : unwrap(api.POST('/api/tenants/{tenantId}/tools', { params: { path: { tenantId } }, body: body() })),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['tools', tenantId] });
      await queryClient.invalidateQueries({ queryKey: ['tool', saved.id] });
      if (!tool) await navigate({ to: `/console/t/${tenantId}/tools/${saved.id}` });
    },
  });
  const fieldError = (f: string) =>
    save.error && 'details' in save.error
      ? (save.error as { details: { field: string; message: string }[] }).details
          .filter((d) => d.field.replace(/^body[./]/, '').startsWith(f))
          .map((d) => d.message)
          .join('; ') || undefined
      : undefined;
  return (
    <Stack>
      {save.isError ? <ErrorState error={save.error} title="Tool not saved" /> : null}
      {save.isSuccess ? (
        <Alert color="green" role="status">
          Saved.
        </Alert>
      ) : null}
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Name (what the LLM calls)"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={fieldError('name')}
        />
        <Textarea
          label="Description"
          required
          autosize
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={fieldError('description')}
        />
      </SimpleGrid>
      <Input.Wrapper
        label="Input schema (JSON Schema 2020-12)"
        id="schema-label"
        error={checked.problem ?? fieldError('inputSchema')}
        description={checked.problem ? undefined : 'Valid JSON Schema'}
      >
        <CodeMirror
          value={schemaText}
          height="220px"
          extensions={[json()]}
          onChange={setSchemaText}
          aria-labelledby="schema-label"
        />
      </Input.Wrapper>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <Select
          label="n8n connection"
          clearable
          data={(connections.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          value={connectionId}
          onChange={setConnectionId}
        />
        <Select
          label="Workflow"
          description={
            workflows.isError ? `cannot list workflows: ${(workflows.error as Error).message}` : undefined
          }
          clearable
          disabled={!connectionId}
          data={(workflows.data?.items ?? []).map((w) => ({
            value: w.id,
            label: `${w.name}${w.active ? '' : ' (inactive)'}`,
          }))}
          value={workflowId}
          onChange={(id) => {
            setWorkflowId(id);
            const hook = workflows.data?.items.find((w) => w.id === id)?.webhooks[0];
            if (hook) setWebhookPath(hook.path);
          }}
        />
        <TextInput
          label="Webhook path"
          value={webhookPath}
          onChange={(e) => setWebhookPath(e.currentTarget.value)}
          error={fieldError('webhookPath')}
        />
        <NumberInput
          label="Timeout per attempt (ms)"
          min={500}
          max={60000}
          value={timeoutMs}
          onChange={(v) => setTimeoutMs(Number(v))}
          error={fieldError('timeoutMs')}
        />
        <NumberInput
          label="Attempts (including the first)"
          min={1}
          max={5}
          value={maxAttempts}
          onChange={(v) => setMaxAttempts(Number(v))}
        />
        <NumberInput
          label="Retry backoff base (ms)"
          min={0}
          max={10000}
          value={backoffMs}
          onChange={(v) => setBackoffMs(Number(v))}
        />
      </SimpleGrid>
      <Checkbox
        label="Idempotent (safe to call twice; timeouts are retried too)"
        checked={idempotent}
        onChange={(e) => setIdempotent(e.currentTarget.checked)}
      />
      <Group>
        <Button
          onClick={() => save.mutate()}
          loading={save.isPending}
          disabled={checked.problem !== undefined}
        >
          {tool ? 'Save tool' : 'Create tool'}
        </Button>
      </Group>
    </Stack>
  );
}

function TestTool({ tenantId, tool }: { tenantId: string; tool: Tool }) {
  const [args, setArgs] = useState<Record<string, unknown>>({});
  const run = useMutation({
    mutationFn: async (values: Record<string, unknown>) => {
      const outcome = await unwrap(
        api.POST('/api/tenants/{tenantId}/tools/{toolId}/test', {
          params: { path: { tenantId, toolId: tool.id } },
          body: { arguments: values as never },
        }),
      );
      const execution = await unwrap(
        api.GET('/api/tenants/{tenantId}/tool-executions/{id}', {
          params: { path: { tenantId, id: outcome.executionId } },
        }),
      );
      return { outcome, execution };
    },
  });
  return (
    <Paper withBorder p="md">
      <Title order={2} size="h4" mb="sm">
        Test the tool
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Runs once through the Automation Gateway against the tenant's n8n, exactly as a call would.
      </Text>
      <Form
        schema={tool.inputSchema as RJSFSchema}
        validator={formValidator}
        noHtml5Validate
        formData={args}
        onChange={(e) => setArgs(e.formData as Record<string, unknown>)}
        onSubmit={(e) => run.mutate(e.formData as Record<string, unknown>)}
      >
        <Button type="submit" loading={run.isPending} mt="sm">
          Run test
        </Button>
      </Form>
      {run.isError ? <ErrorState error={run.error} title="Test not run" /> : null}
      {run.data ? (
        <Stack mt="md" data-testid="tool-test-result">
          <Group>
            <Badge color={run.data.outcome.ok ? 'green' : 'red'}>{run.data.outcome.status}</Badge>
            <Text size="sm">
              {run.data.outcome.attempts} attempt(s), {run.data.outcome.durationMs} ms
            </Text>
          </Group>
          {run.data.outcome.ok ? (
            <Code block>{JSON.stringify(run.data.outcome.result, null, 2)}</Code>
          ) : (
            <Alert color="red" title={run.data.outcome.error.code}>
              {run.data.outcome.error.message}
            </Alert>
          )}
          <Table aria-label="Attempts">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Attempt</Table.Th>
                <Table.Th>HTTP status</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Duration</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {run.data.execution.attempts.map((a) => (
                <Table.Tr key={a.attempt}>
                  <Table.Td>{a.attempt}</Table.Td>
                  <Table.Td>{a.statusCode ?? '—'}</Table.Td>
                  <Table.Td>
                    {a.outcome}
                    {a.errorClass ? ` (${a.errorClass})` : ''}
                  </Table.Td>
                  <Table.Td>{a.durationMs} ms</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Stack>
      ) : null}
    </Paper>
  );
}

export function ToolEditorPage() {
  const { tenantId, toolId } = useParams({ strict: false }) as { tenantId: string; toolId: string };
  const isNew = toolId === 'new';
  const tool = useQuery({
    queryKey: ['tool', toolId],
    enabled: !isNew,
    queryFn: () =>
      unwrap(api.GET('/api/tenants/{tenantId}/tools/{toolId}', { params: { path: { tenantId, toolId } } })),
  });
  if (isNew) {
    return (
      <Page title="New tool">
        <ToolForm tenantId={tenantId} tool={null} />
      </Page>
    );
  }
  return (
    <QueryView query={tool}>
      {(t) => (
        <Page title={`Tool ${t.name}`}>
          <ToolForm key={t.updatedAt as string} tenantId={tenantId} tool={t} />
          <TestTool tenantId={tenantId} tool={t} />
          <Text size="xs" c="dimmed">
            Timeout {formatDuration(t.timeoutMs)} per attempt.
          </Text>
        </Page>
      )}
    </QueryView>
  );
}
