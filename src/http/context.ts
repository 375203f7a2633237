import type { Config } from '../config/index.js';
import type { Database } from '../db/index.js';
import type { Deps } from '../lib/deps.js';

/** What the HTTP app is built from. */
export interface AppContext {
  config: Config;
  database: Database;
  deps: Deps;
}
