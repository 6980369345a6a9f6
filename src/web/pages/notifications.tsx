// 通知: the user's own notifications, newest first, unread ones marked; mark one read, or all.
import type { Output } from '../../app/run.js';
import { Csrf, contractHref } from '../routes/common.js';

type Notification = Output<'notification.list'>[number];

function NotificationCard({ n, csrf }: { n: Notification; csrf: string }) {
  return (
    <article class={`card notification${n.readAt ? ' read' : ' unread'}`}>
      <h3>
        {n.readAt ? '' : '【未读】'}
        {n.title}
      </h3>
      <p>{n.body}</p>
      <p class="muted">
        {n.createdAt}
        {n.contractNo ? (
          <>
            {' · 合同 '}
            <a href={contractHref(n.contractNo, n.dealer)}>{n.contractNo}</a>
          </>
        ) : null}
        {n.documentId ? (
          <>
            {' · 单据 '}
            <a href={`/approvals/${n.documentId}`}>{n.documentNo ?? n.documentId}</a>
          </>
        ) : null}
        {n.machineSerial ? ` · 设备 ${n.machineSerial}` : null}
        {n.readAt ? ` · 已读 ${n.readAt}` : null}
      </p>
      {n.readAt ? null : (
        <form method="post" action={`/notifications/${n.id}/read`}>
          <Csrf csrf={csrf} />
          <button type="submit">标为已读</button>
        </form>
      )}
    </article>
  );
}

export function NotificationsPage(props: { rows: Notification[]; unread: number; csrf: string; unreadOnly: boolean }) {
  return (
    <section>
      <p>
        {`未读 ${props.unread} 条。`}
        {props.unreadOnly ? <a href="/notifications">显示全部</a> : <a href="/notifications?unread=1">只看未读</a>}
      </p>
      {props.unread > 0 ? (
        <form method="post" action="/notifications/read-all">
          <Csrf csrf={props.csrf} />
          <button type="submit">全部标为已读</button>
        </form>
      ) : null}
      {props.rows.length === 0 ? <p class="muted">暂无通知。</p> : props.rows.map((n) => <NotificationCard n={n} csrf={props.csrf} />)}
    </section>
  );
}
