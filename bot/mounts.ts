import type { Mount } from './app.js';

/** Routers outside the core API, mounted by `serve` and `start` (webhooks, admin UI). */
export const appMounts: Mount[] = [];
