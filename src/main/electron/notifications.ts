// OS notifications through Electron's Notification: what to say and when is decided in
// src/main/notify/notices.ts (at most one a day per cause, muted by the setting); this file only
// shows it. Shown notices are remembered in userData/notifications.json so a restart the same day
// repeats nothing. A click opens the window.

import { Notification } from 'electron';
import type { AppState } from '../../shared/api.js';
import { NoticeLedger, noticesFor, type NoticeRecord } from '../notify/notices.js';
import type { KeyValueStore } from './secret-store.js';

export interface Notifier {
  /** A new state was published: shows what it calls for and was not shown today. */
  stateChanged(state: AppState): void;
  /** An update was downloaded and waits for a restart. */
  updateReady(version: string): void;
}

export function createNotifier(options: { store: KeyValueStore; onClick(): void }): Notifier {
  const ledger = new NoticeLedger({
    load: () => (options.store.get('shown') ?? {}) as NoticeRecord,
    save: (record) => options.store.set('shown', record),
  });
  // docs/api/notification.md: an object must be kept referenced, or its events are lost when it is collected.
  const showing = new Set<Notification>();
  let last: AppState | undefined;
  let update: { version: string } | undefined;
  const check = (): void => {
    if (!last || !Notification.isSupported()) return;
    const now = new Date();
    for (const notice of ledger.due(noticesFor(last, now.getTime(), update), now, !last.settings.notifications)) {
      const notification = new Notification({ title: notice.title, body: notice.body });
      showing.add(notification);
      notification.on('click', () => options.onClick());
      notification.on('close', () => showing.delete(notification));
      notification.show();
    }
  };
  return {
    stateChanged(state) {
      last = state;
      check();
    },
    updateReady(version) {
      update = { version };
      check();
    },
  };
}
