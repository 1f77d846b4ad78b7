// The one factory for BrowserWindow options: every window the app opens gets the secure
// defaults below (STYLE 12). Type-only electron import: unit tests load this without Electron.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  preloadPath: string;
  width?: number;
  height?: number;
  /** Dark title-bar background while the page loads. */
  dark?: boolean;
  /** Off unless asked for: main.ts turns DevTools on only when running unpackaged. */
  devTools?: boolean;
}

export function createWindowOptions({ preloadPath, width = 1280, height = 800, dark = false, devTools = false }: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    width,
    height,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'EdgeQuant Studio',
    backgroundColor: dark ? '#0d1117' : '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools,
    },
  };
}
