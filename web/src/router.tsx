import { Button, Center, Stack, Text, Title } from '@mantine/core';
import type { QueryClient } from '@tanstack/react-query';
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  Link,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import { homeOf, isAdmin, isInternal, meQuery } from './auth';
import { CallDetailPage } from './calls/call-detail';
import { CallsPage } from './calls/calls-list';
import { AgentEditorPage, AgentsPage } from './console/agents';
import { ApiKeysPage } from './console/api-keys';
import { AuditPage } from './console/audit';
import { BrandingPage } from './console/branding';
import { LiveCallsPage } from './console/live-calls';
import { N8nPage } from './console/n8n';
import { NumbersPage } from './console/numbers';
import { TenantsPage } from './console/tenants';
import { TestCallPage } from './console/test-call';
import { ToolEditorPage, ToolsPage } from './console/tools';
import { UsersPage } from './console/users';
import { LoginPage } from './login';
import { DashboardPage } from './portal/dashboard';
import { Shell } from './shell';

interface RouterContext {
  queryClient: QueryClient;
}

function NotFound() {
  return (
    <Center mih="60vh">
      <Stack align="center">
        <Title order={1} size="h3">
          Page not found
        </Title>
        <Text c="dimmed">There is nothing at this address, or you have no access to it.</Text>
        <Button component={Link} to="/">
          Go home
        </Button>
      </Stack>
    </Center>
  );
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: () => <Outlet />,
  notFoundComponent: NotFound,
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/login',
  validateSearch: (s: Record<string, unknown>): { redirect?: string; expired?: boolean } => ({
    redirect: typeof s.redirect === 'string' ? s.redirect : undefined,
    expired: s.expired === true || s.expired === 'true' ? true : undefined,
  }),
  component: LoginPage,
});

async function signedIn(context: RouterContext, href: string) {
  const me = await context.queryClient.ensureQueryData(meQuery);
  if (!me) throw redirect({ to: '/login', search: { redirect: href, expired: undefined } });
  return me;
}

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  beforeLoad: async ({ context, location }) => {
    const me = await signedIn(context, location.href);
    throw redirect({ to: homeOf(me) });
  },
});

const noAccessRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/no-access',
  component: () => (
    <Center mih="60vh">
      <Text>This account has no tenant to show. Ask an administrator for access.</Text>
    </Center>
  ),
});

const consoleRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/console',
  beforeLoad: async ({ context, location }) => {
    const me = await signedIn(context, location.href);
    if (!isInternal(me.role)) throw redirect({ to: homeOf(me) });
  },
  component: () => <Shell area="console" />,
});

const adminOnly = async ({ context }: { context: RouterContext }) => {
  const me = await context.queryClient.ensureQueryData(meQuery);
  if (!isAdmin(me?.role)) throw redirect({ to: '/console/tenants' });
};

const consoleIndex = createRoute({
  getParentRoute: () => consoleRoute,
  path: '/',
  beforeLoad: () => {
    throw redirect({ to: '/console/tenants' });
  },
});
const tenantsRoute = createRoute({
  getParentRoute: () => consoleRoute,
  path: 'tenants',
  component: TenantsPage,
});
const usersRoute = createRoute({
  getParentRoute: () => consoleRoute,
  path: 'users',
  component: UsersPage,
});
const apiKeysRoute = createRoute({
  getParentRoute: () => consoleRoute,
  path: 'api-keys',
  beforeLoad: adminOnly,
  component: ApiKeysPage,
});
const auditRoute = createRoute({ getParentRoute: () => consoleRoute, path: 'audit', component: AuditPage });

const allCallsRoute = createRoute({
  getParentRoute: () => consoleRoute,
  path: 'calls',
  component: () => <CallsPage area="all" />,
});

const liveCallsRoute = createRoute({
  getParentRoute: () => consoleRoute,
  path: 'live',
  component: LiveCallsPage,
});

const consoleTenant = createRoute({ getParentRoute: () => consoleRoute, path: 't/$tenantId' });
const agentsRoute = createRoute({
  getParentRoute: () => consoleTenant,
  path: 'agents',
  component: AgentsPage,
});
const agentRoute = createRoute({
  getParentRoute: () => consoleTenant,
  path: 'agents/$agentId',
  component: AgentEditorPage,
});
const toolsRoute = createRoute({ getParentRoute: () => consoleTenant, path: 'tools', component: ToolsPage });
const toolRoute = createRoute({
  getParentRoute: () => consoleTenant,
  path: 'tools/$toolId',
  component: ToolEditorPage,
});
const numbersRoute = createRoute({
  getParentRoute: () => consoleTenant,
  path: 'numbers',
  component: NumbersPage,
});
const n8nRoute = createRoute({ getParentRoute: () => consoleTenant, path: 'n8n', component: N8nPage });
const testCallRoute = createRoute({
  getParentRoute: () => consoleTenant,
  path: 'test-call',
  component: TestCallPage,
});
const brandingRoute = createRoute({
  getParentRoute: () => consoleTenant,
  path: 'branding',
  beforeLoad: adminOnly,
  component: BrandingPage,
});
const consoleCalls = createRoute({
  getParentRoute: () => consoleTenant,
  path: 'calls',
  component: () => <CallsPage area="console" />,
});
const consoleCall = createRoute({
  getParentRoute: () => consoleTenant,
  path: 'calls/$callId',
  component: () => <CallDetailPage area="console" />,
});

const portalRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/portal/$tenantId',
  beforeLoad: async ({ context, location, params }) => {
    const me = await signedIn(context, location.href);
    if (!isInternal(me.role) && !me.tenants.some((t) => t.tenantId === params.tenantId)) {
      throw redirect({ to: homeOf(me) });
    }
  },
  component: () => <Shell area="portal" />,
});
const dashboardRoute = createRoute({
  getParentRoute: () => portalRoute,
  path: '/',
  component: DashboardPage,
});
const portalCalls = createRoute({
  getParentRoute: () => portalRoute,
  path: 'calls',
  component: () => <CallsPage area="portal" />,
});
const portalCall = createRoute({
  getParentRoute: () => portalRoute,
  path: 'calls/$callId',
  component: () => <CallDetailPage area="portal" />,
});

const routeTree = rootRoute.addChildren([
  loginRoute,
  indexRoute,
  noAccessRoute,
  consoleRoute.addChildren([
    consoleIndex,
    tenantsRoute,
    usersRoute,
    apiKeysRoute,
    auditRoute,
    allCallsRoute,
    liveCallsRoute,
    consoleTenant.addChildren([
      agentsRoute,
      agentRoute,
      toolsRoute,
      toolRoute,
      numbersRoute,
      n8nRoute,
      testCallRoute,
      brandingRoute,
      consoleCalls,
      consoleCall,
    ]),
  ]),
  portalRoute.addChildren([dashboardRoute, portalCalls, portalCall]),
]);

export function makeRouter(queryClient: QueryClient) {
  return createRouter({ routeTree, context: { queryClient }, defaultPreload: false });
}
