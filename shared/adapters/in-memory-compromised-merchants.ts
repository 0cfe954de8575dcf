import type { CompromisedMerchants } from '../ports/compromised-merchants.ts';

/** Compromised-merchant reports in memory: per merchant, each reporter's end of counting. */
export class InMemoryCompromisedMerchants implements CompromisedMerchants {
  private readonly marks = new Map<string, Map<string, number>>();
  /** `<bankId>#<reporter>` → the merchants they reported. */
  private readonly reported = new Map<string, Set<string>>();

  async mark(bankId: string, merchantKey: string, reporter: string, until: Date, now: Date): Promise<void> {
    const key = `${bankId}#${merchantKey}`;
    let reporters = this.marks.get(key);
    if (reporters === undefined) {
      reporters = new Map();
      this.marks.set(key, reporters);
    }
    for (const [other, end] of reporters) if (end <= now.getTime()) reporters.delete(other);
    reporters.set(reporter, until.getTime());
    const own = `${bankId}#${reporter}`;
    this.reported.set(own, (this.reported.get(own) ?? new Set()).add(merchantKey));
  }

  async forget(bankId: string, reporter: string): Promise<void> {
    const own = `${bankId}#${reporter}`;
    for (const merchantKey of this.reported.get(own) ?? [])
      this.marks.get(`${bankId}#${merchantKey}`)?.delete(reporter);
    this.reported.delete(own);
  }

  async reporters(bankId: string, merchantKey: string, self: string, at: Date): Promise<number> {
    const reporters = this.marks.get(`${bankId}#${merchantKey}`);
    if (reporters === undefined) return 0;
    let count = 0;
    for (const [reporter, until] of reporters) if (until > at.getTime() && reporter !== self) count++;
    return count;
  }
}
