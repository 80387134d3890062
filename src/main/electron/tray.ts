// The tray: icon (per platform, with a streaming variant), title, tooltip and menu, rebuilt from
// every published AppState. What they show is decided in tray-menu.ts.

import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import type { AppState } from '../../shared/api.js';
import { buildTrayMenu, isStreaming, trayIconFile, trayTitle, trayTooltip, type TrayActions } from './tray-menu.js';

export interface AppTray {
  update(state: AppState): void;
  destroy(): void;
}

export function createTray(options: { iconDir: string; platform: NodeJS.Platform; actions: TrayActions; onClick(): void }): AppTray {
  const icon = (streaming: boolean) => nativeImage.createFromPath(join(options.iconDir, trayIconFile(options.platform, streaming)));
  const tray = new Tray(icon(false));
  let streaming = false;
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
      // TrayMenuItem is a subset of MenuItemConstructorOptions by construction.
      const template: MenuItemConstructorOptions[] = buildTrayMenu(state, options.actions);
      tray.setContextMenu(Menu.buildFromTemplate(template));
    },
    destroy() {
      tray.destroy();
    },
  };
}
