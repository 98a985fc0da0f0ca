import { makeTempDir } from '../../helpers/temp-dir.js';
import {
  cleanEnv,
  runCli,
  startServerProcess,
  type ServerProcess,
} from '../../security/support/server-process.js';

export interface SdkServer {
  /** Changes on restart: the process gets a new port. */
  url: string;
  adminKey: string;
  ingestKey: string;
  studyId: string;
  process: ServerProcess;
  /**
   * Stops the process (SIGTERM), runs `whileDown`, and starts it again on the
   * same database.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real `webtics serve` process on the embedded database in a temporary
 * directory, with one study and its keys made by the CLI beforehand, as an
 * operator would. Rate limits are high so only a test's own faults interfere.
 */
export async function startSdkServer(settings: Record<string, string> = {}): Promise<SdkServer> {
  const dir = makeTempDir('webtics-sdk-e2e');
  const env = {
    DATA_DIR: `${dir.path}/data`,
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_INGEST_PER_MINUTE: '1000000',
    ...settings,
  };
  const cliEnv = cleanEnv(env);
  const makeKey = async (...args: string[]) =>
    (
      JSON.parse(
        (await runCli(['keys', 'create', ...args, '--json'], cliEnv, dir.path)).stdout,
      ) as {
        key: string;
      }
    ).key;
  await runCli(['studies', 'create', 'sdk-e2e', '--title', 'SDK end to end'], cliEnv, dir.path);
  const adminKey = await makeKey('--role', 'admin');
  const ingestKey = await makeKey('--role', 'ingest', '--study', 'sdk-e2e');
  const stopped = async (running: ServerProcess) => {
    const code = await running.stop();
    if (code !== 0) throw new Error(`the server did not stop cleanly (exit ${code})`);
  };
  const handle: SdkServer = {
    url: '',
    adminKey,
    ingestKey,
    studyId: 'sdk-e2e',
    process: await startServerProcess(env, dir.path),
    restart: async (whileDown) => {
      await stopped(handle.process);
      await whileDown?.();
      handle.process = await startServerProcess(env, dir.path);
      handle.url = handle.process.url;
    },
    stop: async () => {
      try {
        await stopped(handle.process);
      } finally {
        dir.remove();
      }
    },
  };
  handle.url = handle.process.url;
  return handle;
}

/** GET with the admin key; the answer parsed. */
export async function adminGet<T>(server: SdkServer, path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { 'X-API-Key': server.adminKey } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Completeness {
  play_session_id: number;
  closed: boolean;
  received: number;
  duplicates: number;
  rejected: number;
  rejected_sequences: number[];
  missing_count: number;
  missing: { from: number; to: number }[];
  expected_last_sequence: number | null;
  complete: boolean;
}

export function completeness(server: SdkServer, playSessionId: number): Promise<Completeness> {
  return adminGet(server, `/api/v1/play-sessions/${playSessionId}/completeness`);
}

export interface ServerEvent {
  id: number;
  play_session_id: number;
  event_type: number;
  magnitude: number | null;
  client_event_id: string | null;
  sequence: number | null;
  timestamp: string;
  corrected_time: string;
  received_at: string;
  clock_offset_ms: number | null;
}

/** Every stored event of a metric session, oldest first. */
export async function sessionEvents(server: SdkServer, sessionId: number): Promise<ServerEvent[]> {
  const body = await adminGet<{ events: ServerEvent[] }>(
    server,
    `/api/v1/sessions/${sessionId}/events?limit=1000`,
  );
  return body.events.reverse();
}
