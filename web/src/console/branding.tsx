import {
  Alert,
  Button,
  ColorInput,
  FileInput,
  Group,
  Image,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { ApiError, api, apiFetch, unwrap } from '../api/client';
import type { Branding } from '../api/types';
import { brandingQuery } from '../brand';
import { ErrorState, Page, QueryView } from '../ui';

const LOGO_TYPES = 'image/png,image/jpeg,image/webp';
const MAX_LOGO_KB = 256;

/** The API's message for one field of a refused save, shown beside that field. */
function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.details.find((d) => d.field === field || d.field.endsWith(`/${field}`))?.message;
}

function BrandForm({ tenantId, branding }: { tenantId: string; branding: Branding }) {
  const queryClient = useQueryClient();
  const [displayName, setDisplayName] = useState(branding.displayName ?? '');
  const [accent, setAccent] = useState(branding.accentColor ?? '');
  useEffect(() => {
    setDisplayName(branding.displayName ?? '');
    setAccent(branding.accentColor ?? '');
  }, [branding.displayName, branding.accentColor]);
  const saved = (data: Branding) => queryClient.setQueryData(brandingQuery(tenantId).queryKey, data);

  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT('/api/tenants/{tenantId}/branding', {
          params: { path: { tenantId } },
          body: { displayName: displayName.trim() || null, accentColor: accent.trim() || null },
        }),
      ),
    onSuccess: saved,
  });
  const upload = useMutation({
    mutationFn: (file: File) =>
      apiFetch<Branding>(`/api/tenants/${tenantId}/branding/logo`, {
        method: 'PUT',
        headers: { 'content-type': file.type || 'application/octet-stream' },
        body: file,
      }),
    onSuccess: saved,
  });
  const remove = useMutation({
    mutationFn: () =>
      unwrap(api.DELETE('/api/tenants/{tenantId}/branding/logo', { params: { path: { tenantId } } })),
    onSuccess: saved,
  });

  return (
    <Stack maw={560}>
      <Paper withBorder p="md">
        <Stack>
          <Title order={2} size="h4">
            Name and colour
          </Title>
          {save.isError && !(save.error instanceof ApiError && save.error.details.length) ? (
            <ErrorState error={save.error} title="Not saved" />
          ) : null}
          {save.isSuccess ? (
            <Alert color="green" role="status">
              Branding saved; the portal shows it now.
            </Alert>
          ) : null}
          <TextInput
            label="Display name"
            description={`Shown in the portal instead of “${branding.tenantName}”; leave empty for the tenant name.`}
            value={displayName}
            maxLength={80}
            onChange={(e) => setDisplayName(e.currentTarget.value)}
            error={fieldError(save.error, 'displayName')}
          />
          <ColorInput
            label="Accent colour"
            description="The portal's buttons, links and highlights (#rrggbb); darkened where needed for contrast."
            format="hex"
            withEyeDropper={false}
            value={accent}
            onChange={setAccent}
            placeholder="#4c6ef5"
            error={fieldError(save.error, 'accentColor')}
          />
          <Group justify="flex-end">
            <Button onClick={() => save.mutate()} loading={save.isPending}>
              Save branding
            </Button>
          </Group>
        </Stack>
      </Paper>
      <Paper withBorder p="md">
        <Stack>
          <Title order={2} size="h4">
            Logo
          </Title>
          {upload.isError ? <ErrorState error={upload.error} title="Logo not uploaded" /> : null}
          {remove.isError ? <ErrorState error={remove.error} title="Logo not removed" /> : null}
          {branding.logo ? (
            <Group>
              <Image
                src={branding.logo.url}
                alt={`Logo of ${branding.displayName ?? branding.tenantName}`}
                h={48}
                w="auto"
                fit="contain"
                data-testid="logo-preview"
              />
              <Text size="sm" c="dimmed">
                {branding.logo.contentType}, {Math.ceil(branding.logo.sizeBytes / 1024)} KB
              </Text>
            </Group>
          ) : (
            <Text size="sm" c="dimmed">
              No logo: the portal shows the name alone.
            </Text>
          )}
          <Group align="flex-end">
            <FileInput
              label="Upload a logo"
              description={`PNG, JPEG or WebP, at most ${MAX_LOGO_KB} KB`}
              accept={LOGO_TYPES}
              value={null}
              onChange={(file) => file && upload.mutate(file)}
              disabled={upload.isPending}
              w={300}
            />
            {branding.logo ? (
              <Button variant="default" onClick={() => remove.mutate()} loading={remove.isPending}>
                Remove logo
              </Button>
            ) : null}
          </Group>
        </Stack>
      </Paper>
    </Stack>
  );
}

export function BrandingPage() {
  const { tenantId } = useParams({ strict: false }) as { tenantId: string };
  const branding = useQuery(brandingQuery(tenantId));
  return (
    <Page title="Portal branding">
      <Text c="dimmed" size="sm">
        How this tenant's client portal looks, so the agency can hand it over as the client's own.
      </Text>
      <QueryView query={branding}>{(b) => <BrandForm tenantId={tenantId} branding={b} />}</QueryView>
    </Page>
  );
}
