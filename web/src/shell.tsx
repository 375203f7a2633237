import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Select,
  Text,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, Outlet, useNavigate, useParams, useRouterState } from '@tanstack/react-router';
import { api, unwrap } from './api/client';
import { isAdmin, isInternal, signOut, useMe } from './auth';
import { useTenantBrand } from './brand';

export const tenantsQuery = {
  queryKey: ['tenants'],
  queryFn: () => unwrap(api.GET('/api/tenants', { params: { query: { limit: 100 } } })),
};

const LAST_TENANT = 'switchboard.tenant';

export function rememberTenant(tenantId: string): void {
  localStorage.setItem(LAST_TENANT, tenantId);
}
export function lastTenant(): string | null {
  return localStorage.getItem(LAST_TENANT);
}

interface NavItem {
  label: string;
  to: string;
  adminOnly?: boolean;
}

function consoleNav(tenantId: string | null): NavItem[] {
  const t = tenantId ? `/console/t/${tenantId}` : null;
  return [
    { label: 'Tenants', to: '/console/tenants' },
    ...(t
      ? [
          { label: 'Agents', to: `${t}/agents` },
          { label: 'Tools', to: `${t}/tools` },
          { label: 'Phone numbers', to: `${t}/numbers` },
          { label: 'n8n connections', to: `${t}/n8n` },
          { label: 'Test call', to: `${t}/test-call` },
          { label: 'Calls', to: `${t}/calls` },
          { label: 'Portal branding', to: `${t}/branding`, adminOnly: true },
          { label: 'Client portal', to: `/portal/${tenantId}` },
        ]
      : []),
    { label: 'Live calls', to: '/console/live' },
    { label: 'All calls', to: '/console/calls' },
    { label: 'Users', to: '/console/users' },
    { label: 'API keys', to: '/console/api-keys', adminOnly: true },
    { label: 'Audit log', to: '/console/audit' },
  ];
}

function portalNav(tenantId: string): NavItem[] {
  return [
    { label: 'Dashboard', to: `/portal/${tenantId}` },
    { label: 'Calls', to: `/portal/${tenantId}/calls` },
  ];
}

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <ActionIcon
      variant="default"
      size="lg"
      onClick={() => setColorScheme(next)}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
    >
      <span aria-hidden>{scheme === 'dark' ? '☀' : '☾'}</span>
    </ActionIcon>
  );
}

function TenantSwitcher({ tenantId, area }: { tenantId: string | null; area: 'console' | 'portal' }) {
  const tenants = useQuery(tenantsQuery);
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  return (
    <Select
      aria-label="Tenant"
      placeholder={tenants.isPending ? 'Loading tenants…' : 'Choose a tenant'}
      data={(tenants.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
      value={tenantId}
      allowDeselect={false}
      w={220}
      onChange={(value) => {
        if (!value) return;
        rememberTenant(value);
        if (tenantId && pathname.includes(tenantId)) {
          // Same screen, other tenant; a record's page goes back to its list.
          const parts = pathname.replace(tenantId, value).split('/');
          const depth = area === 'portal' ? 4 : 5;
          void navigate({ to: parts.slice(0, depth).join('/') });
        } else if (area === 'console') {
          void navigate({ to: `/console/t/${value}/agents` });
        } else {
          void navigate({ to: `/portal/${value}` });
        }
      }}
    />
  );
}

export function Shell({ area }: { area: 'console' | 'portal' }) {
  const me = useMe();
  const [opened, { toggle, close }] = useDisclosure();
  const params = useParams({ strict: false }) as { tenantId?: string };
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  const internal = isInternal(me.role);
  const tenants = useQuery({ ...tenantsQuery, enabled: internal });
  // The console's tenant: the one in the address, else the last one chosen, else the first.
  const remembered = lastTenant();
  const known = (id: string | null) => (id && tenants.data?.items.some((t) => t.id === id) ? id : null);
  const tenantId =
    params.tenantId ??
    (area === 'console' ? (known(remembered) ?? tenants.data?.items[0]?.id ?? null) : null);
  const brand = useTenantBrand(area === 'portal' ? (tenantId ?? undefined) : undefined);
  const tenantName = brand
    ? (brand.displayName ?? brand.tenantName)
    : tenants.data?.items.find((t) => t.id === tenantId)?.name;

  const items = (area === 'console' ? consoleNav(tenantId) : portalNav(tenantId!)).filter(
    (i) => !i.adminOnly || isAdmin(me.role),
  );
  const active = (to: string) =>
    pathname === to ||
    (pathname.startsWith(`${to}/`) && !items.some((i) => i.to !== to && i.to.startsWith(to)));

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            {area === 'portal' && brand?.logo ? (
              <img src={brand.logo.url} alt="" height={32} className="brand-logo" data-testid="brand-logo" />
            ) : null}
            <Title order={2} size="h4" data-testid="brand-name">
              {area === 'portal' ? (tenantName ?? '') : 'Switchboard'}
            </Title>
            <Badge variant="light">{area === 'console' ? 'Ops Console' : 'Client Portal'}</Badge>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {internal ? <TenantSwitcher tenantId={tenantId} area={area} /> : null}
            <Text size="sm" visibleFrom="md" data-testid="whoami">
              {me.email} <VisuallyHidden>role</VisuallyHidden>({me.role?.replace('_', ' ')})
            </Text>
            <ThemeToggle />
            <Button
              variant="default"
              onClick={async () => {
                await signOut(queryClient);
                await navigate({ to: '/login', search: { redirect: undefined, expired: undefined } });
              }}
            >
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        <ScrollArea>
          <nav aria-label={area === 'console' ? 'Console' : 'Portal'}>
            {items.map((item) => (
              <NavLink
                key={item.to}
                component={Link}
                to={item.to}
                label={item.label}
                active={active(item.to)}
                onClick={close}
              />
            ))}
            {area === 'portal' && internal ? (
              <NavLink component={Link} to={`/console/t/${tenantId}/agents`} label="Back to console" />
            ) : null}
          </nav>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
