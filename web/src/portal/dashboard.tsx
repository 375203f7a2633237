import {
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Title,
  useComputedColorScheme,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useState } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { api, apiFetch, unwrap } from '../api/client';
import type { KpiTotals } from '../calls/types';
import { formatDuration, Page, QueryView } from '../ui';

const day = (d: Date) => d.toISOString().slice(0, 10);
const PRESETS: Record<string, number> = { '7': 7, '30': 30, '90': 90 };

function change(now: number | null | undefined, before: number | null | undefined): string {
  if (now == null || before == null) return '';
  if (before === 0) return now === 0 ? 'no change' : 'new';
  const pct = ((now - before) / before) * 100;
  return `${pct >= 0 ? '▲' : '▼'} ${Math.abs(pct).toFixed(0)}% vs previous period`;
}

function Card({ label, value, previous }: { label: string; value: string; previous: string }) {
  return (
    <Paper withBorder p="md" data-testid="kpi-card">
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700}>
        {value}
      </Text>
      <Text size="xs" c="dimmed">
        {previous || ' '}
      </Text>
    </Paper>
  );
}

const pct = (v: number | null | undefined) => (v == null ? '—' : `${(v * 100).toFixed(0)}%`);

/** Tooltip text in the theme's text colour on its body colour (series colours fall short of AA as text). */
const tooltipStyle = {
  contentStyle: {
    background: 'var(--mantine-color-body)',
    borderColor: 'var(--mantine-color-default-border)',
  },
  itemStyle: { color: 'var(--mantine-color-text)' },
  labelStyle: { color: 'var(--mantine-color-text)' },
};

export function DashboardPage() {
  const { tenantId } = useParams({ strict: false }) as { tenantId: string };
  const scheme = useComputedColorScheme('light');
  const [range, setRange] = useState('30');
  const [agentId, setAgentId] = useState<string | null>(null);
  const [customFrom, setCustomFrom] = useState('');
  const [customTo, setCustomTo] = useState('');
  const to = customTo ? new Date(customTo) : new Date(Date.now() + 86_400_000);
  const from = customFrom
    ? new Date(customFrom)
    : new Date(to.getTime() - (PRESETS[range] ?? 30) * 86_400_000);
  const query = { from: day(from), to: day(to), ...(agentId ? { agentId } : {}) };
  const kpis = useQuery({
    queryKey: ['kpis', tenantId, query],
    queryFn: () => unwrap(api.GET('/api/tenants/{tenantId}/kpis', { params: { path: { tenantId }, query } })),
    refetchInterval: 15_000,
  });
  const agents = useQuery({
    queryKey: ['portal-agents', tenantId],
    queryFn: () =>
      apiFetch<{ items: { id: string; name: string }[] }>(`/api/tenants/${tenantId}/agents?limit=100`).catch(
        () => ({
          items: [],
        }),
      ),
  });
  const axis = scheme === 'dark' ? '#ccc' : '#555';
  return (
    <Page title="Dashboard">
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Period"
          data={[
            { value: '7', label: 'Last 7 days' },
            { value: '30', label: 'Last 30 days' },
            { value: '90', label: 'Last 90 days' },
          ]}
          value={range}
          onChange={(v) => setRange(v ?? '30')}
          allowDeselect={false}
        />
        <TextInput
          label="From"
          type="date"
          value={customFrom}
          onChange={(e) => setCustomFrom(e.currentTarget.value)}
        />
        <TextInput
          label="To"
          type="date"
          value={customTo}
          onChange={(e) => setCustomTo(e.currentTarget.value)}
        />
        {agents.data?.items.length ? (
          <Select
            label="Agent"
            clearable
            placeholder="All agents"
            data={agents.data.items.map((a) => ({ value: a.id, label: a.name }))}
            value={agentId}
            onChange={setAgentId}
          />
        ) : null}
      </Group>
      <QueryView query={kpis}>
        {(k) => {
          const t = k.totals;
          const prev: KpiTotals | undefined = k.previous?.totals;
          const series = k.series.map((d) => ({ ...d, costUsd: Number(d.costUsd) }));
          return (
            <Stack>
              <SimpleGrid cols={{ base: 2, md: 3 }}>
                <Card label="Calls" value={String(t.calls)} previous={change(t.calls, prev?.calls)} />
                <Card
                  label="Completed"
                  value={String(t.completedCalls)}
                  previous={change(t.completedCalls, prev?.completedCalls)}
                />
                <Card
                  label="Containment"
                  value={pct(t.containmentRate)}
                  previous={change(t.containmentRate, prev?.containmentRate)}
                />
                <Card
                  label="Successful (analysis)"
                  value={pct(t.successRate)}
                  previous={change(t.successRate, prev?.successRate)}
                />
                <Card
                  label="Avg duration"
                  value={formatDuration(t.avgDurationMs)}
                  previous={change(t.avgDurationMs, prev?.avgDurationMs)}
                />
                <Card
                  label="Tool success"
                  value={pct(t.toolSuccessRate)}
                  previous={change(t.toolSuccessRate, prev?.toolSuccessRate)}
                />
                <Card
                  label="Avg turn latency"
                  value={t.avgTurnLatencyMs == null ? '—' : `${Math.round(t.avgTurnLatencyMs)} ms`}
                  previous={change(t.avgTurnLatencyMs, prev?.avgTurnLatencyMs)}
                />
                <Card
                  label="Failed"
                  value={String(t.failedCalls)}
                  previous={change(t.failedCalls, prev?.failedCalls)}
                />
                <Card
                  label="Cost"
                  value={`$${Number(t.costUsd).toFixed(2)}`}
                  previous={change(Number(t.costUsd), prev ? Number(prev.costUsd) : null)}
                />
              </SimpleGrid>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <Paper withBorder p="md">
                  <Title order={2} size="h5" mb="sm">
                    Calls per day
                  </Title>
                  <ResponsiveContainer width="100%" height={220}>
                    <BarChart data={series}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="day" stroke={axis} />
                      <YAxis allowDecimals={false} stroke={axis} />
                      <Tooltip {...tooltipStyle} />
                      <Bar dataKey="calls" fill="#4c6ef5" name="Calls" />
                    </BarChart>
                  </ResponsiveContainer>
                </Paper>
                <Paper withBorder p="md">
                  <Title order={2} size="h5" mb="sm">
                    Average duration per day (ms)
                  </Title>
                  <ResponsiveContainer width="100%" height={220}>
                    <LineChart data={series}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis dataKey="day" stroke={axis} />
                      <YAxis stroke={axis} />
                      <Tooltip {...tooltipStyle} />
                      <Line type="monotone" dataKey="avgDurationMs" stroke="#2f9e44" name="Avg duration" />
                    </LineChart>
                  </ResponsiveContainer>
                </Paper>
              </SimpleGrid>
            </Stack>
          );
        }}
      </QueryView>
    </Page>
  );
}
