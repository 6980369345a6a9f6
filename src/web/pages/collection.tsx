// 催收工作台: the worklist (collection.list) as cards — one column on a phone, several side by side on a wide
// screen — each with the customer's phone as a tel: link, the machines, the overdue figures, the last contact, the
// open or broken promise, the suggested actions, and a form to log a contact (collection.log).
import type { Output } from '../../app/run.js';
import { CONTACT_KINDS, CONTACT_RESULTS } from '../../collections/contacts.js';
import { contactKindName, contactResultName, machineStatusName, suggestedActionName } from '../../core/labels.js';
import { Csrf, contractHref, money } from '../routes/common.js';

type Worklist = Output<'collection.list'>;
type Item = Worklist['contracts'][number];

export const COLLECTION_CSS = `
.worklist { display: grid; grid-template-columns: repeat(auto-fill, minmax(20rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.work { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: .75rem; }
.work.broken { border-left: 4px solid #cf222e; }
.work.flagged { border-left: 4px solid #bf8700; }
.work h2 { font-size: 1.05rem; margin: 0 0 .25rem; display: flex; justify-content: space-between; gap: .5rem; flex-wrap: wrap; }
.work dl { display: grid; grid-template-columns: 5.5rem 1fr; gap: .15rem .5rem; margin: .5rem 0; }
.work dt { color: #57606a; }
.work dd { margin: 0; overflow-wrap: anywhere; }
.work .tags span { display: inline-block; padding: 0 .4rem; margin-right: .25rem; border-radius: 3px; font-size: .85rem; }
.tag-broken { background: #ffebe9; color: #82071e; }
.tag-flag { background: #fff8c5; color: #6c4a00; }
.work details { margin-top: .5rem; }
.work form .row { display: grid; grid-template-columns: 1fr 1fr; gap: .5rem; }
.work form button { margin-top: .5rem; width: 100%; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
.filters label { margin: 0; }
@media (max-width: 600px) { .worklist { grid-template-columns: 1fr; } main { padding: .5rem; } .work dl { grid-template-columns: 4.5rem 1fr; } }
`;

function LogForm({ item, csrf, contactedAt }: { item: Item; csrf: string; contactedAt: string }) {
  return (
    <details>
      <summary>登记催收记录</summary>
      <form method="post" action="/collection/log">
        <Csrf csrf={csrf} />
        <input type="hidden" name="contractNo" value={item.contractNo} />
        <input type="hidden" name="dealer" value={item.dealer} />
        <div class="row">
          <label>
            方式
            <select name="kind">
              {CONTACT_KINDS.map((k) => (
                <option value={k}>{contactKindName(k)}</option>
              ))}
            </select>
          </label>
          <label>
            结果
            <select name="result">
              {CONTACT_RESULTS.map((r) => (
                <option value={r}>{contactResultName(r)}</option>
              ))}
            </select>
          </label>
        </div>
        <div class="row">
          <label>
            承诺金额
            <input type="text" name="promiseAmount" inputmode="decimal" placeholder="仅承诺还款时填写" />
          </label>
          <label>
            承诺日期
            <input type="date" name="promiseDate" />
          </label>
        </div>
        <label>
          联系时间
          <input type="text" name="contactedAt" value={contactedAt} />
        </label>
        <label>
          备注
          <textarea name="note" rows={2} />
        </label>
        <button type="submit">保存</button>
      </form>
    </details>
  );
}

function WorkCard({ item, csrf, contactedAt }: { item: Item; csrf: string; contactedAt: string }) {
  const kind = item.brokenPromise ? 'work broken' : item.flags.length > 0 ? 'work flagged' : 'work';
  return (
    <article class={kind} data-contract={item.contractNo}>
      <h2>
        <a href={contractHref(item.contractNo, item.dealer)}>{item.contractNo}</a>
        <span>{item.customer}</span>
      </h2>
      <div class="tags">
        {item.brokenPromise ? (
          <span class="tag-broken">
            失信：承诺 {item.brokenPromise.date} 还 {money(item.brokenPromise.amount)}
          </span>
        ) : null}
        {item.flags.map((f) => (
          <span class="tag-flag">{suggestedActionName(f.action)}</span>
        ))}
      </div>
      <dl>
        <dt>电话</dt>
        <dd>{item.phone ? <a href={`tel:${item.phone}`}>{item.phone}</a> : '—'}</dd>
        <dt>设备</dt>
        <dd>
          {item.machines.length ? item.machines.map((m) => `${m.model} ${m.serialNo}（${machineStatusName(m.status)}）`).join('；') : '—'}
        </dd>
        <dt>逾期金额</dt>
        <dd>{money(item.overdue)}</dd>
        <dt>逾期天数</dt>
        <dd>{item.overdueDays}</dd>
        <dt>未还罚息</dt>
        <dd>{money(item.penaltyOutstanding)}</dd>
        <dt>催收员</dt>
        <dd>{item.collector ?? '—'}</dd>
        <dt>最近联系</dt>
        <dd>
          {item.lastContact
            ? `${item.lastContact.at.slice(0, 16).replace('T', ' ')} ${contactKindName(item.lastContact.kind)} ${contactResultName(item.lastContact.result)}`
            : '—'}
        </dd>
        <dt>承诺还款</dt>
        <dd>{item.openPromise ? `${item.openPromise.date} 前还 ${money(item.openPromise.amount)}` : '—'}</dd>
      </dl>
      <LogForm item={item} csrf={csrf} contactedAt={contactedAt} />
    </article>
  );
}

export interface CollectionPageProps {
  list: Worklist;
  csrf: string;
  /** the log form's default contact time (now, Asia/Shanghai) */
  contactedAt: string;
  notice?: string | undefined;
  error?: string | undefined;
}

export function CollectionPage({ list, csrf, contactedAt, notice, error }: CollectionPageProps) {
  return (
    <>
      <link rel="stylesheet" href="/static/collection.css" />
      <form method="get" action="/collection" class="filters">
        <label>
          截至日期
          <input type="date" name="asOf" value={list.asOf} />
        </label>
        <label>
          催收员
          <input type="text" name="collector" value={list.collector ?? ''} placeholder="全部" />
        </label>
        <button type="submit">查询</button>
      </form>
      {notice ? <p class="notice">{notice}</p> : null}
      {error ? <p class="notice error">{error}</p> : null}
      <p class="muted">
        截至 {list.asOf} 共 {list.contracts.length} 份逾期合同；排序：失信在前，其次有处置建议，再按逾期金额、逾期天数。
      </p>
      <div class="worklist">
        {list.contracts.map((item) => (
          <WorkCard item={item} csrf={csrf} contactedAt={contactedAt} />
        ))}
      </div>
    </>
  );
}
