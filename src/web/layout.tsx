// The page frame every page renders into: Simplified Chinese, one stylesheet served by the app, a nav for the
// logged-in user and a logout form carrying the CSRF token. hono/jsx escapes every value it is given.
import type { Child } from 'hono/jsx';
import type { Actor } from '../access/actor.js';

export interface LayoutProps {
  title: string;
  actor?: Actor;
  csrfToken?: string;
  nonce?: string;
  /** The user's unread notifications, shown beside 通知 in the nav (omitted: no count). */
  unread?: number;
  children?: Child;
}

const NAV: [href: string, label: string][] = [
  ['/', '首页'],
  ['/contracts', '合同'],
  ['/breakdown', '债权分解'],
  ['/approvals', '审批'],
  ['/batch', '批处理与导入'],
  ['/repossessions', '拖机'],
  ['/notifications', '通知'],
  ['/collection', '催收'],
  ['/machines', '设备'],
];

export function Layout({ title, actor, csrfToken, unread, children }: LayoutProps) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · 债权`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        {/* no icon request: a browser's /favicon.ico would be sent to the login page and renew its form token */}
        <link rel="icon" href="data:," />
      </head>
      <body>
        {actor ? (
          <header class="top">
            <nav>
              {NAV.map(([href, label]) => (
                <a href={href}>{href === '/notifications' && unread ? `${label}（${unread}）` : label}</a>
              ))}
            </nav>
            <span class="who">
              {actor.name}（{actor.username}） <a href="/password">修改密码</a>
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="_csrf" value={csrfToken ?? ''} />
                <button type="submit">退出</button>
              </form>
            </span>
          </header>
        ) : null}
        <main>
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}
