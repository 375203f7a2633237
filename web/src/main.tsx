import '@mantine/core/styles.css';
import './app.css';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, onSessionLost, setCsrfToken } from './api/client';
import { meQuery } from './auth';
import { BrandThemeProvider } from './brand';
import { makeRouter } from './router';

const retry = (count: number, error: unknown) =>
  count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500);

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry, refetchOnWindowFocus: false } },
  queryCache: new QueryCache(),
  mutationCache: new MutationCache(),
});
const router = makeRouter(queryClient);

// Any request that finds the session gone sends the person to sign in, then back here.
onSessionLost(() => {
  const { pathname, searchStr } = router.state.location;
  if (pathname === '/login') return;
  setCsrfToken(undefined);
  queryClient.clear();
  queryClient.setQueryData(meQuery.queryKey, null);
  void router.navigate({ to: '/login', search: { redirect: `${pathname}${searchStr}`, expired: true } });
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <BrandThemeProvider>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </BrandThemeProvider>
  </StrictMode>,
);
