// The app version, read from package.json at build time (vite) or run time (tsx).
import pkg from '../package.json';

export const APP_NAME = 'EdgeQuant Studio';
export const APP_VERSION: string = pkg.version;
