import { randomBytes, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** n8n's entity ids: 16 alphanumeric characters. */
export function newEntityId(): string {
  const bytes = randomBytes(16);
  let id = '';
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

export function newVersionId(): string {
  return randomUUID();
}
