// The pages (dashboard, contracts, breakdown, statement, approvals, batch and imports) register here; the
// pages branch (i20-pages) replaces this file with its routes.
import type { Hono } from 'hono';
import type { WebEnv } from '../env.js';

export function registerPages(_app: Hono<WebEnv>): void {}
