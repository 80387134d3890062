// The computer's sleep as powerMonitor reports it (docs/api/power-monitor.md): 'suspend' as it goes
// to sleep, 'resume' as it wakes, 'unlock-screen' (macOS, Windows) as the screen is unlocked. Some
// systems wake without 'resume' (electron/electron#42050: none on Linux in packaged builds), and
// the user then unlocks the screen: an unlock after a 'suspend' counts as the wake. An unlock
// while awake (the screen was only locked) changes nothing: the sessions were never dropped.

export type SleepState = 'awake' | 'asleep';
export type PowerEvent = 'suspend' | 'resume' | 'unlock-screen';
/** What the app does on a transition: stop counting streaming time, or replace live sessions. */
export type SleepAction = 'fell-asleep' | 'woke' | undefined;

export function sleepTransition(state: SleepState, event: PowerEvent): { state: SleepState; action: SleepAction } {
  if (event === 'suspend') return state === 'awake' ? { state: 'asleep', action: 'fell-asleep' } : { state, action: undefined };
  return state === 'asleep' ? { state: 'awake', action: 'woke' } : { state, action: undefined };
}

/** The part of Electron's powerMonitor this reads. */
export interface PowerEvents {
  on(event: PowerEvent, listener: () => void): unknown;
}

/** Calls `asleep` when the computer goes to sleep and `awake` once when it wakes. */
export function watchSleep(powerMonitor: PowerEvents, handlers: { asleep(): void; awake(): void }): void {
  let state: SleepState = 'awake';
  for (const event of ['suspend', 'resume', 'unlock-screen'] as const) {
    powerMonitor.on(event, () => {
      const next = sleepTransition(state, event);
      state = next.state;
      if (next.action === 'fell-asleep') handlers.asleep();
      else if (next.action === 'woke') handlers.awake();
    });
  }
}
