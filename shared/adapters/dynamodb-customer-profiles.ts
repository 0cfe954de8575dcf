import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DAY_MS } from '../domain/activity.ts';
import {
  addSighting,
  type CustomerProfile,
  emptyProfile,
  type ProfileSettings,
  type Sighting,
} from '../domain/customer-profile.ts';
import type { CustomerProfiles } from '../ports/customer-profiles.ts';
import { conditionalWrite } from './conditional-write.ts';

export const PROFILE_BUCKET = 'profile';
/** Conditional write attempts before giving up (the stream then retries the event). */
const MAX_ATTEMPTS = 20;

/**
 * One item per customer in the activity table (`<bankId>#<customerId>`, bucket `profile`), apart
 * from the ledger item: the profile and a version number. A record reads the item, adds the sighting, and writes it back only if the version is still the one read;
 * a concurrent record makes it read and try again, so none is lost. A sighting already in the
 * profile (a redelivery) writes nothing. The item expires after the baseline window.
 *
 * Cost per card transaction: one eventually consistent read (0.5 RCU, the item stays under 4 KB) and, unless
 * it is a redelivery, one write of the item (1 WCU per started KB: 1 to 4 WCU); one more of each per conflict.
 */
export class DynamoDbCustomerProfiles implements CustomerProfiles {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(
    bankId: string,
    customerId: string,
    sighting: Sighting,
    settings: ProfileSettings,
    now: Date,
  ): Promise<CustomerProfile> {
    const key = { counterKey: `${bankId}#${customerId}`, bucket: PROFILE_BUCKET };
    for (let attempt = 1; ; attempt++) {
      // The first read is eventually consistent (half the read): a stale item fails the
      // version condition of the write, and the attempts after it read strongly consistently.
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: attempt > 1 }),
      );
      const version = typeof Item?.version === 'number' ? Item.version : 0;
      const profile = (Item?.profile as CustomerProfile | undefined) ?? emptyProfile();
      if (!addSighting(profile, sighting, settings)) return profile;
      const written = await conditionalWrite(
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...key,
              version: version + 1,
              profile,
              expiresAt: Math.floor((now.getTime() + settings.baseline.windowDays * DAY_MS) / 1000),
            },
            ConditionExpression: version === 0 ? 'attribute_not_exists(version)' : 'version = :version',
            ...(version !== 0 && { ExpressionAttributeValues: { ':version': version } }),
          }),
        ),
      );
      if (written) return profile;
      if (attempt >= MAX_ATTEMPTS) throw new Error('The customer profile kept changing: try again.');
    }
  }
}
