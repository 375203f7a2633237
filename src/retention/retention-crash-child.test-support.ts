import { type DatabaseTarget, openDatabase } from '../db/index.js';
import { SYSTEM_ACTOR } from '../lib/actor.js';
import { FilesystemBlobStore } from '../storage/index.js';
import { retentionLock, runRetention } from './index.js';
import { standaloneDeps } from './retention.test-support.js';

const args = JSON.parse(process.argv[2]!) as { target: DatabaseTarget; blobDir: string; asOf: string };
const database = await openDatabase(args.target);
const deps = standaloneDeps(database);
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
