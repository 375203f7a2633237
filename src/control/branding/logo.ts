import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../../audit/index.js';
import { tables, withTenant } from '../../db/index.js';
import type { Deps } from '../../deps/index.js';
import type { Actor } from '../../lib/actor.js';
import { AppError } from '../../lib/errors.js';
import type { BlobStore } from '../../storage/index.js';
import { loadBranding, toBranding } from './branding.js';
import { type LogoContentType, MAX_LOGO_BYTES, type TenantBranding } from './branding-schemas.js';
import { sniffLogo } from './logo-image.js';

/** Checks an uploaded logo: size first, then its type by magic bytes (the declared type is not trusted). */
export function checkLogo(bytes: unknown): { bytes: Buffer; contentType: LogoContentType } {
  if (!Buffer.isBuffer(bytes) || bytes.length === 0) {
    throw new AppError(
      'LOGO_TYPE_UNSUPPORTED',
      'send the logo image itself as the request body (PNG, JPEG or WebP)',
    );
  }
  if (bytes.length > MAX_LOGO_BYTES) {
    throw new AppError('LOGO_TOO_LARGE', `a logo may be at most ${MAX_LOGO_BYTES / 1024} KB`, {
      maxBytes: MAX_LOGO_BYTES,
      sizeBytes: bytes.length,
    });
  }
  const contentType = sniffLogo(bytes);
  if (!contentType) {
    throw new AppError('LOGO_TYPE_UNSUPPORTED', 'a logo must be a PNG, JPEG or WebP image (not SVG)');
  }
  return { bytes, contentType };
}

/**
 * Stores a new logo: the blob first (under a key of its digest), then the row; the replaced blob is
 * deleted once the row points at the new one. A failed row update removes the new blob again.
 */
export async function setLogo(
  deps: Deps,
  blobs: BlobStore,
  actor: Actor,
  tenantId: string,
  upload: unknown,
): Promise<TenantBranding> {
  const { bytes, contentType } = checkLogo(upload);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const key = `branding/${tenantId}/logo-${sha256.slice(0, 32)}`;
  // The tenant must exist before anything reaches the store.
  await withTenant(deps.db, tenantId, (tx) => loadBranding(tx, tenantId));
  await blobs.put(key, bytes, contentType);
  let replaced: string | null = null;
  try {
    const branding = await withTenant(deps.db, tenantId, async (tx) => {
      const { tenant, row: before } = await loadBranding(tx, tenantId, true);
      replaced = before?.logoKey && before.logoKey !== key ? before.logoKey : null;
      const logo = {
        logoKey: key,
        logoContentType: contentType,
        logoSizeBytes: bytes.length,
        logoSha256: sha256,
        updatedBy: actor.id,
        updatedAt: deps.now(),
      };
      const [after] = await tx
        .insert(tables.tenantBranding)
        .values({ tenantId, ...logo })
        .onConflictDoUpdate({ target: tables.tenantBranding.tenantId, set: logo })
        .returning();
      await recordAudit(tx, actor, {
        tenantId,
        action: 'branding.logo_set',
        targetType: 'tenant',
        targetId: tenantId,
        summary: { after: { contentType, sizeBytes: bytes.length, sha256 } },
      });
      return toBranding(tenant, after);
    });
    if (replaced) await deleteQuietly(deps, blobs, replaced);
    return branding;
  } catch (err) {
    await deleteQuietly(deps, blobs, key);
    throw err;
  }
}

export async function deleteLogo(
  deps: Deps,
  blobs: BlobStore,
  actor: Actor,
  tenantId: string,
): Promise<TenantBranding> {
  let removed: string | null = null;
  const branding = await withTenant(deps.db, tenantId, async (tx) => {
    const { tenant, row } = await loadBranding(tx, tenantId, true);
    if (!row?.logoKey) throw new AppError('LOGO_NOT_FOUND', 'this tenant has no logo');
    removed = row.logoKey;
    const [after] = await tx
      .update(tables.tenantBranding)
      .set({
        logoKey: null,
        logoContentType: null,
        logoSizeBytes: null,
        logoSha256: null,
        updatedBy: actor.id,
        updatedAt: deps.now(),
      })
      .where(eq(tables.tenantBranding.tenantId, tenantId))
      .returning();
    await recordAudit(tx, actor, {
      tenantId,
      action: 'branding.logo_delete',
      targetType: 'tenant',
      targetId: tenantId,
    });
    return toBranding(tenant, after);
  });
  if (removed) await deleteQuietly(deps, blobs, removed);
  return branding;
}

export interface LogoFile {
  bytes: Buffer;
  contentType: LogoContentType;
  /** Strong validator: the image's sha256. */
  etag: string;
}

export async function readLogo(deps: Deps, blobs: BlobStore, tenantId: string): Promise<LogoFile> {
  const row = await withTenant(deps.db, tenantId, async (tx) => (await loadBranding(tx, tenantId)).row);
  if (!row?.logoKey || !row.logoContentType || !row.logoSha256) {
    throw new AppError('LOGO_NOT_FOUND', 'this tenant has no logo');
  }
  const bytes = await blobs.get(row.logoKey);
  if (!bytes) throw new AppError('LOGO_NOT_FOUND', 'the logo file is missing from the store');
  return { bytes, contentType: row.logoContentType, etag: `"${row.logoSha256}"` };
}

/** A blob left behind is only wasted space; the request has succeeded (or failed) already. */
async function deleteQuietly(deps: Deps, blobs: BlobStore, key: string): Promise<void> {
  try {
    await blobs.delete(key);
  } catch (err) {
    deps.log.warn({ err, key }, 'branding logo blob not deleted');
  }
}
