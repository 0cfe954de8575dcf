import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalConfig } from '../local/local-stack.ts';
import { CliError } from './cli-error.ts';

/** Reads `.vigil/local.json`, written by `npm start` (VIGIL_HOME moves it). */
export async function readLocalConfig(home = process.env.VIGIL_HOME ?? '.vigil'): Promise<LocalConfig> {
  const path = join(home, 'local.json');
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LocalConfig;
  } catch {
    throw new CliError(`Cannot read ${path}. Is Vigil running? Start it with: npm start`, 2);
  }
}
