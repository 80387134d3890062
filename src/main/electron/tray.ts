// The tray: icon (per platform, with a streaming variant), title, tooltip and menu, following every
// published AppState. What they show is decided in tray-menu.ts. The menu is replaced only when
// what it shows changed: states come about once a second while streaming, and replacing the menu
// closes it under the user's pointer.

import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { AppState } from '../../shared/api.js';
import { buildTrayMenu, isStreaming, trayIconFile, trayMenuKey, trayTitle, trayTooltip, type TrayActions } from './tray-menu.js';

export interface AppTray {
  update(state: AppState): void;
  destroy(): void;
}

export function createTray(options: { iconDir: string; platform: NodeJS.Platform; actions: TrayActions; onClick(): void }): AppTray {
  const icon = (streaming: boolean) => nativeImage.createFromPath(join(options.iconDir, trayIconFile(options.platform, streaming)));
  const tray = new Tray(icon(false));
  let streaming = false;
  let shownMenu: string | undefined;
  // Windows and Linux users expect a click to open the window; on macOS a click opens the menu.
  if (options.platform !== 'darwin') tray.on('click', () => options.onClick());

  return {
    update(state) {
      if (isStreaming(state) !== streaming) {
        streaming = isStreaming(state);
        tray.setImage(icon(streaming));
      }
      if (options.platform === 'darwin') tray.setTitle(trayTitle(state));
      tray.setToolTip(trayTooltip(state));
      const items = buildTrayMenu(state, options.actions);
      const key = trayMenuKey(items);
      if (key !== shownMenu) {
        shownMenu = key;
        // TrayMenuItem is a subset of MenuItemConstructorOptions by construction.
        const template: MenuItemConstructorOptions[] = items;
        tray.setContextMenu(Menu.buildFromTemplate(template));
      }
    },
    destroy() {
      tray.destroy();
    },
  };
}
