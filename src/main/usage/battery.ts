// The daily streaming budget of battery cameras: which cameras run on battery, and what the user
// is told (a warning past the threshold) or refused (new viewers past the cap) as a day goes on.

import type { BatterySource, UsageNotice } from '../../shared/api.js';
import type { CameraRecord } from '../store/types.js';

/**
 * Arlo models that run on battery (wire-free), by the model ids Arlo's device list reports: only
 * for a camera Arlo says nothing about.
 */
const BATTERY_MODELS = new Set(['VMC3030', 'VMC4030', 'VMC4030P', 'VMC4040P', 'VMC4041P', 'VMC4050P', 'VMC5040', 'VMC2030', 'VMC2020', 'VMC2050', 'VMC2052']);

export const DEFAULT_BATTERY_WARN_MINUTES = 10;

/**
 * Whether a camera runs on battery, and who said so. The one place this is decided: the user's
 * switch, else what Arlo's device list said, else the model list, else mains power.
 */
export function powerOf(camera: Pick<CameraRecord, 'battery' | 'reportedBattery' | 'model'>): { battery: boolean; source: BatterySource } {
  if (camera.battery !== undefined) return { battery: camera.battery, source: 'user' };
  if (camera.reportedBattery !== undefined) return { battery: camera.reportedBattery, source: 'arlo' };
  if (BATTERY_MODELS.has(camera.model.toUpperCase())) return { battery: true, source: 'model' };
  return { battery: false, source: 'unknown' };
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
