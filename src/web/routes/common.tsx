// What every page route shares: reading through the actions as the logged-in user and rendering a page into the
// frame (layout.tsx). An action's expected error goes to the app's error page (errors.tsx): out of scope looks
// exactly like not found (404), bad input or a refusal 400.
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ActionName } from '../../app/catalogue.js';
import { type Output, type RawInput, runAction } from '../../app/run.js';
import { ExpectedError, NotAllowed, NotFound } from '../../core/errors.js';
import { dec, formatMoneyGrouped } from '../../core/money.js';
import type { WebEnv } from '../env.js';
import { Layout } from '../layout.js';

export type Ctx = Context<WebEnv>;

/** Runs the named action as the logged-in user, marked as the web's in the audit row. */
export function act<N extends ActionName>(c: Ctx, name: N, raw: RawInput<N>): Promise<Output<N>> {
  return runAction(c.var.db, c.var.actor, name, raw, { via: 'web' });
}

/** Whether the logged-in user holds one of the roles (to leave out a section they could not read). */
export function hasAnyRole(c: Ctx, roles: readonly string[]): boolean {
  return c.var.actor.roles.some((r) => roles.includes(r));
}

/** A page in the frame: its stylesheet, its scripts (files under /static, with the response's nonce). */
export async function render(c: Ctx, title: string, body: Child, options: { status?: number; scripts?: string[] } = {}) {
  // the nav's unread count: one count over the partial index of unread notifications (notifications_unread)
  const { unread } = await act(c, 'notification.count', {});
  const page = (
    <Layout title={title} actor={c.var.actor} csrfToken={c.var.csrfToken} nonce={c.var.nonce} unread={unread}>
      <link rel="stylesheet" href="/static/pages.css" />
      {body}
      {(options.scripts ?? []).map((src) => (
        <script src={src} nonce={c.var.nonce} defer />
      ))}
    </Layout>
  );
  return c.html(`<!DOCTYPE html>${await page.toString()}`, (options.status ?? 200) as 200);
}

/** The message of an expected error for a form's notice; anything else is thrown on. */
export function expectedMessage(err: unknown): string {
  if (err instanceof ExpectedError && !(err instanceof NotFound) && !(err instanceof NotAllowed)) return err.message;
  throw err;
}

/** A query parameter, or undefined when absent or blank. */
export function param(c: Ctx, name: string): string | undefined {
  const value = c.req.query(name)?.trim();
  return value ? value : undefined;
}

/** Money as people read it: 12,345.67 (a null or missing amount as —). */
export function money(value: string | null | undefined): string {
  return value === null || value === undefined ? '—' : formatMoneyGrouped(value);
}

/** A rate of 4 decimals (0.1234) as a percentage (12.34%). */
export function percent(rate: string | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${dec(rate).times(100).toFixed(2)}%`;
}

/** A link with query parameters, the empty ones left out. */
export function href(path: string, query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, value);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A link to a contract's page. */
export function contractHref(contractNo: string, dealer?: string | null): string {
  return href(`/contracts/${encodeURIComponent(contractNo)}`, { dealer: dealer ?? undefined });
}

/** A form field's text, trimmed; an empty or missing field is undefined (the action then names what it expected). */
export function formField(form: Record<string, unknown>, name: string): string | undefined {
  const value = form[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * A POST handler for a form that runs one action: done, a redirect to where the notice shows (303); a refusal or bad
 * input, the page again with the reason (400); out of scope or not allowed, the 404 / 403 of every other route.
 */
export function formHandler(
  done: (c: Ctx, form: Record<string, unknown>) => Promise<string>,
  after: { redirect: (c: Ctx, notice: string) => string; again: (c: Ctx, error: string) => Response | Promise<Response> },
) {
  return async (c: Ctx) => {
    const form = await c.req.parseBody();
    try {
      return c.redirect(after.redirect(c, await done(c, form)), 303);
    } catch (err) {
      if (err instanceof NotFound || err instanceof NotAllowed) throw err;
      return after.again(c, `操作未完成：${expectedMessage(err)}`);
    }
  };
}

/** The session's CSRF token in a form that changes data (the session middleware checks it). */
export function Csrf({ csrf }: { csrf: string }) {
  return <input type="hidden" name="_csrf" value={csrf} />;
}
