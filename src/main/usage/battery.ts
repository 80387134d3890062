// The daily streaming budget of battery cameras: which cameras run on battery, and what the user
// is told (a warning past the threshold) or refused (new viewers past the cap) as a day goes on.

import type { UsageNotice } from '../../shared/api.js';

/**
 * Arlo models that run on battery (wire-free), by the model ids Arlo's device list reports. The
 * per-camera switch in the UI overrides this for anything not listed or powered otherwise.
 */
const BATTERY_MODELS = new Set(['VMC3030', 'VMC4030', 'VMC4030P', 'VMC4040P', 'VMC4041P', 'VMC4050P', 'VMC5040', 'VMC2030', 'VMC2020', 'VMC2050', 'VMC2052']);

export const DEFAULT_BATTERY_WARN_MINUTES = 10;

export function isBatteryModel(model: string): boolean {
  return BATTERY_MODELS.has(model.toUpperCase());
}

export interface BatteryBudget {
  warnMinutes: number;
  /** Undefined: no cap. */
  capMinutes: number | undefined;
}

/** What to tell about a battery camera that streamed `todaySeconds` today, if anything. */
export function usageNotice(todaySeconds: number, budget: BatteryBudget): UsageNotice | undefined {
  const minutes = formatMinutes(todaySeconds);
  if (budget.capMinutes !== undefined && todaySeconds >= budget.capMinutes * 60) {
    return {
      level: 'capped',
      message: `Daily cap reached: this battery camera streamed ${minutes} today (cap ${budget.capMinutes} min), so new viewers are refused until tomorrow. Raise the cap in Settings to watch anyway.`,
    };
  }
  if (todaySeconds >= budget.warnMinutes * 60) {
    return { level: 'warning', message: `This battery camera streamed ${minutes} today (over ${budget.warnMinutes} min): its battery drains fast while streaming.` };
  }
  return undefined;
}

function formatMinutes(seconds: number): string {
  return seconds < 60 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}
