import type { Clock } from '../../../shared/ports/clock.ts';

/** A clock that moves only when told. */
export class FixedClock implements Clock {
  private time: number;

  constructor(start: string | Date = '2026-03-01T12:00:00.000Z') {
    this.time = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.time);
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
