import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite } from './conditional-write.ts';
import type { BankChanges, StoredBank } from './dynamodb-bank-directory.ts';

// What the command line does with the banks table besides reading profiles: show a bank's item
// and change its settings. Apart from DynamoDbBankDirectory, so that the functions, which only
// read profiles, bundle none of it.

/** The banks table, as the command line reads and changes it. */
export class DynamoDbBankRegistry {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The bank's item as stored now (no cache): what `vigil banks show` prints. */
  async read(bankId: string): Promise<StoredBank | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { bankId }, ConsistentRead: true }),
    );
    return Item as StoredBank | undefined;
  }

  /**
   * Changes the given settings of a registered bank, in one conditional update: an unknown bank
   * is refused (undefined) and nothing is created. `utilityTemplate: null` removes the template.
   * Functions see the change within a minute (their cache).
   */
  async update(bankId: string, changes: BankChanges, now = new Date()): Promise<StoredBank | undefined> {
    const names: Record<string, string> = { '#bankId': 'bankId', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': now.toISOString() };
    const set = ['#updatedAt = :updatedAt'];
    const remove: string[] = [];
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      if (value === null) {
        remove.push(`#${key}`);
      } else {
        values[`:${key}`] = value;
        set.push(`#${key} = :${key}`);
      }
    }
    let attributes: Record<string, unknown> | undefined;
    const applied = await conditionalWrite(
      this.client
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { bankId },
            ConditionExpression: 'attribute_exists(#bankId)',
            UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        )
        .then((output) => {
          attributes = output.Attributes;
        }),
    );
    return applied ? (attributes as StoredBank | undefined) : undefined;
  }
}
