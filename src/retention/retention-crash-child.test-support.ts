/**
 * A retention run in a child process that stops after deleting its first batch's blobs and before
 * deleting their rows, says so on stdout, and waits to be killed (retention.crash.db.test.ts).
 * argv: JSON { target: DatabaseTarget, blobDir: string, asOf: string }.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { type DatabaseTarget, openDatabase } from '../db/index.js';
import type { Deps } from '../deps/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { SecretBox } from '../lib/secrets.js';
import { FilesystemBlobStore } from '../storage/index.js';
import { MemoryStore } from '../store/index.js';
import { retentionLock, runRetention } from './index.js';

const args = JSON.parse(process.argv[2]!) as { target: DatabaseTarget; blobDir: string; asOf: string };
const database = await openDatabase(args.target);
const deps: Deps = {
  db: database.db,
  store: new MemoryStore(),
  log: pino({ level: 'silent' }),
  now: () => new Date(),
  crossTenantLog: () => {},
  secrets: SecretBox.fromKey(randomBytes(32)),
};
setInterval(() => {}, 1 << 30); // stay alive while paused
await runRetention(
  deps,
  {
    blobs: new FilesystemBlobStore(args.blobDir),
    lock: retentionLock(database.db, database.kind),
    batchSize: 2,
    hooks: {
      afterBlobsDeleted: async (callIds) => {
        process.stdout.write(`paused ${JSON.stringify(callIds)}\n`);
        await new Promise(() => {});
      },
    },
  },
  { trigger: 'cli', actor: SYSTEM_ACTOR, asOf: new Date(args.asOf) },
);
process.stdout.write('finished without pausing\n');
process.exit(2);
