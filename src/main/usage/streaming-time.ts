// How long each camera streamed, per local calendar day: what a battery camera's owner watches
// (Arlo advises minutes a day). Counted while the camera's base-station session is up, whoever
// watches; kept in the settings store so restarts do not reset it, written at most every
// `saveEveryMs` (the count ticks every second while a camera streams), when streaming stops and at
// close. Only the last week is kept. Nothing ticks while nothing streams, so a laptop may sleep;
// and the computer asleep (`suspend` to `resume`) is never counted, whatever streamed before.

export type DailySeconds = Record<string, number>;

export interface StreamingTimeStore {
  load(): Promise<Record<string, DailySeconds>>;
  save(usage: Record<string, DailySeconds>): Promise<void>;
}

export interface StreamingTimeOptions {
  store: StreamingTimeStore;
  /** Which cameras stream right now (their base-station session is up). */
  streaming(): string[];
  saveEveryMs?: number;
  now?: () => Date;
}

const KEPT_DAYS = 8;
const TICK_MS = 1_000;

/** `YYYY-MM-DD` of a local date. */
export function dayKey(date: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export class StreamingTime {
  readonly #options: StreamingTimeOptions;
  readonly #now: () => Date;
  #usage: Record<string, DailySeconds> = {};
  #timer: NodeJS.Timeout | undefined;
  #lastTick = 0;
  #lastSave = 0;
  #dirty = false;
  /** Whether the computer is awake ('running') or asleep, when nothing is counted. */
  #clock: 'running' | 'asleep' = 'running';

  private constructor(options: StreamingTimeOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  static async start(options: StreamingTimeOptions): Promise<StreamingTime> {
    const meter = new StreamingTime(options);
    meter.#usage = await options.store.load();
    meter.#lastTick = meter.#now().getTime();
    meter.#lastSave = meter.#lastTick;
    await meter.changed();
    return meter;
  }

  /**
   * Which cameras stream may have changed: the count ticks from the first one's start and stops
   * (saving what it counted) when the last one stops. A partial second at the end is not counted.
   */
  async changed(): Promise<void> {
    const streaming = this.#clock === 'running' && this.#options.streaming().length > 0;
    if (streaming && this.#timer === undefined) {
      this.#lastTick = this.#now().getTime();
      this.#timer = setInterval(() => void this.tick(), TICK_MS);
    } else if (!streaming && this.#timer !== undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      if (this.#dirty) await this.save();
    }
  }

  /** Adds the time since the last tick to every streaming camera; saves when due. */
  async tick(): Promise<void> {
    if (this.#clock === 'asleep') return;
    const now = this.#now();
    const elapsed = Math.max(0, Math.min(now.getTime() - this.#lastTick, 10 * TICK_MS)) / 1000;
    this.#lastTick = now.getTime();
    const day = dayKey(now);
    for (const deviceId of this.#options.streaming()) {
      const days = (this.#usage[deviceId] ??= {});
      days[day] = Math.round(((days[day] ?? 0) + elapsed) * 10) / 10;
      this.#dirty = true;
    }
    if (this.#dirty && now.getTime() - this.#lastSave >= (this.#options.saveEveryMs ?? 60_000)) await this.save();
  }

  /** The computer is going to sleep: what streamed until now is counted and saved, then nothing until `resume`. */
  async suspend(): Promise<void> {
    await this.tick();
    this.#clock = 'asleep';
    await this.changed();
  }

  /** The computer woke: counting starts again from now (the time asleep is not streaming time). */
  async resume(): Promise<void> {
    this.#clock = 'running';
    await this.changed();
  }

  /** Seconds streamed today. */
  today(deviceId: string): number {
    return this.#usage[deviceId]?.[dayKey(this.#now())] ?? 0;
  }

  /** Seconds streamed in the last 7 days, today included. */
  week(deviceId: string): number {
    const days = this.#usage[deviceId] ?? {};
    const now = this.#now();
    let total = 0;
    for (let back = 0; back < 7; back++) {
      total += days[dayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - back))] ?? 0;
    }
    return total;
  }

  async save(): Promise<void> {
    this.#dirty = false;
    this.#lastSave = this.#now().getTime();
    await this.#options.store.save(this.#pruned());
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.tick();
    if (this.#dirty) await this.save();
  }

  #pruned(): Record<string, DailySeconds> {
    const keep = new Set<string>();
    const now = this.#now();
    for (let back = 0; back < KEPT_DAYS; back++) keep.add(dayKey(new Date(now.getFullYear(), now.getMonth(), now.getDate() - back)));
    const pruned: Record<string, DailySeconds> = {};
    for (const [deviceId, days] of Object.entries(this.#usage)) {
      pruned[deviceId] = Object.fromEntries(Object.entries(days).filter(([day]) => keep.has(day)));
    }
    this.#usage = pruned;
    return pruned;
  }
}
