// The plain pages for a missing page and for an error: Simplified Chinese, never a stack. An expected error from
// an action keeps its meaning: not found (or out of scope, which looks the same) 404, bad input or a refusal 400.
import type { Context } from 'hono';
import { BadInput, NotAllowed, NotFound, Refused } from '../core/errors.js';
import { renderPage } from './auth.js';
import type { WebEnv } from './env.js';

export function notFoundPage(c: Context<WebEnv>): Promise<Response> {
  return renderPage(c, '未找到', <p class="notice">未找到：该页面或记录不存在，或不在您的数据权限范围内。</p>, 404);
}

export function errorPage(c: Context<WebEnv>, err: unknown): Promise<Response> {
  if (err instanceof NotFound || err instanceof NotAllowed) return notFoundPage(c);
  if (err instanceof BadInput || err instanceof Refused)
    return renderPage(
      c,
      '无法处理',
      <p class="notice error">
        无法处理：<span class="message">{err.message}</span>
      </p>,
      400,
    );
  const status = (err as { status?: unknown }).status === 413 ? 413 : 500;
  if (status === 413) return renderPage(c, '请求过大', <p class="notice error">请求内容过大，已拒绝。</p>, 413);
  process.stderr.write(`zq serve: ${c.req.method} ${new URL(c.req.url).pathname}: ${(err as Error).stack ?? String(err)}\n`);
  return renderPage(c, '出错了', <p class="notice error">服务器出错了，请稍后再试；如果一再出现，请联系管理员。</p>, 500);
}
