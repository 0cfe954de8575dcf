import type { Subscriber, SubscriberStatus } from '../../../shared/domain/subscriber.ts';
import type { ChannelName } from '../../../shared/ports/channel.ts';
import type { SubscriberStore } from '../../../shared/ports/subscriber-store.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The subscribers table in memory, keyed by bank and customer, with the same conditions. */
export class FakeSubscriberStore implements SubscriberStore {
  private readonly items = new Map<string, Mutable<Subscriber>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async get(bankId: string, customerId: string): Promise<Subscriber | undefined> {
    const item = this.items.get(key(bankId, customerId));
    return item && { ...item };
  }

  async byAddress(address: string): Promise<Subscriber[]> {
    return [...this.items.values()].filter((s) => s.address === address).map((s) => ({ ...s }));
  }

  async save(subscriber: Subscriber): Promise<void> {
    this.items.set(key(subscriber.bankId, subscriber.customerId), { ...subscriber });
  }

  async changeStatus(
    bankId: string,
    customerId: string,
    from: readonly SubscriberStatus[],
    to: SubscriberStatus,
    changes: Partial<Pick<Subscriber, 'consentedAt' | 'consentVersion' | 'enrollmentId'>> = {},
  ): Promise<boolean> {
    const item = this.items.get(key(bankId, customerId));
    if (item === undefined || !from.includes(item.status)) return false;
    const defined = Object.entries(changes).filter(([, value]) => value !== undefined);
    Object.assign(item, Object.fromEntries(defined), { status: to, updatedAt: this.now().toISOString() });
    return true;
  }

  async touch(bankId: string, customerId: string, at: Date): Promise<void> {
    const item = this.items.get(key(bankId, customerId));
    if (item !== undefined) item.lastInboundAt = at.toISOString();
  }

  async offerTakeover(
    bankId: string,
    customerId: string,
    pending: {
      readonly address: string;
      readonly channel?: ChannelName;
      readonly enrollmentId: string;
      readonly locale: string;
    },
  ): Promise<boolean> {
    const item = this.items.get(key(bankId, customerId));
    if (item === undefined) return false;
    item.pendingAddress = pending.address;
    if (pending.channel !== undefined && pending.channel !== 'messenger')
      item.pendingChannel = pending.channel;
    else delete item.pendingChannel;
    item.pendingEnrollmentId = pending.enrollmentId;
    item.pendingLocale = pending.locale;
    return true;
  }

  async pendingTakeovers(address: string): Promise<Subscriber[]> {
    return [...this.items.values()].filter((s) => s.pendingAddress === address).map((s) => ({ ...s }));
  }

  async takeOver(
    bankId: string,
    customerId: string,
    pending: { readonly address: string; readonly channel?: ChannelName; readonly enrollmentId: string },
    consent: Pick<Subscriber, 'consentedAt' | 'consentVersion' | 'lastInboundAt'>,
  ): Promise<Subscriber | undefined> {
    const item = this.items.get(key(bankId, customerId));
    if (item?.pendingAddress !== pending.address || item.pendingEnrollmentId !== pending.enrollmentId) {
      return undefined;
    }
    const before = { ...item };
    const {
      pendingAddress: _psid,
      pendingEnrollmentId: _id,
      pendingLocale,
      pendingChannel: _channel,
      channel: _previous,
      ...rest
    } = item;
    this.items.set(key(bankId, customerId), {
      ...rest,
      ...consent,
      address: pending.address,
      ...(pending.channel !== undefined && pending.channel !== 'messenger' && { channel: pending.channel }),
      enrollmentId: pending.enrollmentId,
      locale: pendingLocale ?? item.locale,
      status: 'active',
      updatedAt: this.now().toISOString(),
    });
    return before;
  }

  async dropTakeover(bankId: string, customerId: string, address: string): Promise<boolean> {
    const item = this.items.get(key(bankId, customerId));
    if (item?.pendingAddress !== address) return false;
    delete item.pendingAddress;
    delete item.pendingEnrollmentId;
    delete item.pendingLocale;
    delete item.pendingChannel;
    return true;
  }

  async delete(bankId: string, customerId: string): Promise<boolean> {
    return this.items.delete(key(bankId, customerId));
  }
}

function key(bankId: string, customerId: string): string {
  return JSON.stringify([bankId, customerId]);
}
