// Preload (sandboxed): exposes the contract's named functions as `window.edgequant`.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildBridge } from './bridge';

contextBridge.exposeInMainWorld('edgequant', buildBridge(ipcRenderer, webUtils));
