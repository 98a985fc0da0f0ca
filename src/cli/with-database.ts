import { loadConfig, loadDotEnv } from '../config/config.js';
import { openDatabase, targetFromConfig, type DatabaseHandle } from '../db/connect.js';

/** Runs one command against the database the server would use (same variables, same .env). */
export async function withDatabase<T>(work: (handle: DatabaseHandle) => Promise<T>): Promise<T> {
  loadDotEnv();
  const database = await openDatabase(targetFromConfig(loadConfig()));
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}
