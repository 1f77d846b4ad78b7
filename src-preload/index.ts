// Preload (sandboxed): exposes the contract's named functions as `window.edgequant`.
import { contextBridge, ipcRenderer } from 'electron';
import { buildBridge } from './bridge';

contextBridge.exposeInMainWorld('edgequant', buildBridge(ipcRenderer));
