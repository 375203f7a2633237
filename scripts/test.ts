/**
 * `npm test`: makes sure the services the suites need are up (starting PostgreSQL and Redis when they
 * are installed but down, installing Chromium when missing), then runs every Vitest project: unit,
 * embedded (PGlite + memory), services (PostgreSQL + Redis) and browser (the web app in Chromium).
 * Extra arguments go to Vitest, e.g. `npm test -- src/auth`.
 */
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Socket } from 'node:net';

const say = (line: string) => process.stdout.write(`[test] ${line}\n`);

function reachable(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

async function waitFor(host: string, port: number, seconds: number): Promise<boolean> {
  for (let i = 0; i < seconds * 4; i++) {
    if (await reachable(host, port, 250)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function run(command: string): boolean {
  try {
    execSync(command, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function ensurePostgres(): Promise<boolean> {
  if (process.env.TEST_PG_ADMIN_URL || (await reachable('127.0.0.1', 5432))) return true;
  say('PostgreSQL is not answering on 127.0.0.1:5432; starting it');
  const clusters = existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql') : [];
  if (clusters.length === 0 || !run(`pg_ctlcluster --skip-systemctl-redirect ${clusters[0]} main start`)) {
    say('could not start PostgreSQL (is the postgresql package installed?)');
    return false;
  }
  return waitFor('127.0.0.1', 5432, 30);
}

async function ensureRedis(): Promise<boolean> {
  if (process.env.TEST_REDIS_URL || (await reachable('127.0.0.1', 6379))) return true;
  say('Redis is not answering on 127.0.0.1:6379; starting it');
  const dir = existsSync('/var/lib/redis') ? '/var/lib/redis' : '/tmp';
  if (
    !run(`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir ${dir}`)
  ) {
    say('could not start Redis (is the redis-server package installed?)');
    return false;
  }
  return waitFor('127.0.0.1', 6379, 15);
}

/** The browser suite drives Debian's Chromium; installs it when missing (root, as on CI). */
function ensureChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  say(
    `${CHROMIUM} is missing: installing Debian's chromium package for the browser suite (takes a few minutes)`,
  );
  if (
    run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium') &&
    existsSync(CHROMIUM)
  ) {
    return true;
  }
  say(
    `could not install chromium: run \`apt-get install -y chromium\` as root, or skip the browser suite with SWITCHBOARD_TEST_BROWSER=skip`,
  );
  return false;
}

const CHROMIUM = '/usr/bin/chromium';
const args = process.argv.slice(2);
const skipBrowser = process.env.SWITCHBOARD_TEST_BROWSER === 'skip';
if (!skipBrowser && !ensureChromium()) process.exit(1);
const embeddedOnly = process.env.SWITCHBOARD_TEST_SERVICES === 'skip';
if (!embeddedOnly) {
  const [pgUp, redisUp] = [await ensurePostgres(), await ensureRedis()];
  if (!pgUp || !redisUp) {
    say(`${!pgUp ? 'PostgreSQL' : 'Redis'} is unavailable: the services suites cannot run.`);
    say('Start it, or run only the embedded suites with SWITCHBOARD_TEST_SERVICES=skip npm test.');
    process.exit(1);
  }
}
const chosen = embeddedOnly ? ['unit', 'embedded'] : ['unit', 'embedded', 'services'];
if (!skipBrowser) chosen.push('browser');
const projects = chosen.flatMap((p) => ['--project', p]);
say(`running the ${chosen.join(', ')} suites`);
const result = spawnSync('npx', ['vitest', 'run', ...projects, ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
