import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TableNames } from '../local/create-tables.ts';
import { localAwsConfig } from '../local/local-stack.ts';
import { DynamoDbAlertStore } from '../shared/adapters/dynamodb-alert-store.ts';
import { DynamoDbRedriveStore } from '../shared/adapters/dynamodb-redrive-store.ts';
import { redrive } from '../shared/domain/redrive.ts';
import { systemClock } from '../shared/ports/clock.ts';
import { documentClientFor } from '../shared/runtime/aws-clients.ts';
import { CliError } from './cli-error.ts';

/** Re-drives what is stuck in local mode's tables (see shared/domain/redrive.ts). */
export async function redriveLocal(olderThanMinutes: number) {
  const home = process.env.VIGIL_HOME ?? '.vigil';
  let runtime: { dynamoDbEndpoint: string; tables: TableNames };
  try {
    runtime = JSON.parse(await readFile(join(home, 'runtime.json'), 'utf8'));
  } catch {
    throw new CliError(
      `Cannot read ${join(home, 'runtime.json')}. Is Vigil running? Start it with: npm start`,
    );
  }
  const client = documentClientFor(new DynamoDBClient(localAwsConfig(runtime.dynamoDbEndpoint)));
  const result = await redrive(
    {
      store: new DynamoDbRedriveStore(client, runtime.tables),
      alerts: new DynamoDbAlertStore(client, runtime.tables.alerts),
      clock: systemClock,
    },
    olderThanMinutes,
  );
  return { status: 200, body: result };
}
