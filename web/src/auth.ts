import { type QueryClient, queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError, api, setCsrfToken, unwrap } from './api/client';
import type { Me, Role } from './api/types';

/** Who is signed in, or null. */
export const meQuery = queryOptions({
  queryKey: ['me'],
  queryFn: async (): Promise<Me | null> => {
    try {
      const me = await unwrap(api.GET('/api/auth/me'));
      setCsrfToken(me.csrfToken);
      return me;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  },
  staleTime: 60_000,
});

export function useMe(): Me {
  const { data } = useQuery(meQuery);
  if (!data) throw new Error('useMe outside a signed-in route');
  return data;
}

export const isInternal = (role: Role | null | undefined): boolean =>
  role === 'internal_admin' || role === 'internal_operator';
export const isAdmin = (role: Role | null | undefined): boolean => role === 'internal_admin';

export async function signIn(queryClient: QueryClient, email: string, password: string): Promise<Me> {
  const session = await unwrap(api.POST('/api/auth/login', { body: { email, password } }));
  setCsrfToken(session.csrfToken);
  queryClient.removeQueries();
  const me = await queryClient.fetchQuery(meQuery);
  if (!me) throw new Error('signed in, but the session was not accepted');
  return me;
}

export async function signOut(queryClient: QueryClient): Promise<void> {
  try {
    await unwrap(api.POST('/api/auth/logout'));
  } finally {
    setCsrfToken(undefined);
    queryClient.clear();
    queryClient.setQueryData(meQuery.queryKey, null);
  }
}

/** Where a person lands after signing in. */
export function homeOf(me: Me): string {
  if (isInternal(me.role)) return '/console/tenants';
  const first = me.tenants[0];
  return first ? `/portal/${first.tenantId}` : '/no-access';
}
