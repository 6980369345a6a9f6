// 设备 (债权机管理): the financed machines in the user's scope with a status filter; one machine with its
// GPS device, last known location, contract, its dated status history and its lock documents.
import type { Output } from '../../app/run.js';
import { documentType } from '../../approvals/registry.js';
import { documentStatusName } from '../../core/labels.js';
import { MACHINE_STATUS_LABELS, MACHINE_STATUSES } from '../../machines/status.js';
import { Csrf, contractHref, href, money } from '../routes/common.js';

const INSTRUCTION_STATUS: Record<string, string> = { sent: '已发出，待确认', done: '已完成', failed: '失败' };

function machineHref(serialNo: string, dealer: string): string {
  return href(`/machines/${encodeURIComponent(serialNo)}`, { dealer });
}

export function MachineList(props: { rows: Output<'machine.list'>; status: string | undefined }) {
  return (
    <div>
      <form method="get" action="/machines" class="filters">
        <label>
          状态
          <select name="status">
            <option value="">全部</option>
            {MACHINE_STATUSES.map((s) => (
              <option value={s} selected={s === props.status}>
                {MACHINE_STATUS_LABELS[s]}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">筛选</button>
      </form>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>经销商</th>
              <th>序列号</th>
              <th>型号</th>
              <th>状态</th>
              <th>GPS 设备号</th>
              <th>最后位置</th>
              <th>合同编号</th>
              <th>客户</th>
              <th>催收员</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((m) => (
              <tr>
                <td>{m.dealer}</td>
                <td>
                  <a href={machineHref(m.serialNo, m.dealer)}>{m.serialNo}</a>
                </td>
                <td>{m.model}</td>
                <td>{m.statusLabel}</td>
                <td>{m.gpsDeviceId ?? '—'}</td>
                <td>{m.location ? `${m.location}（${m.locationAt ?? ''}）` : '—'}</td>
                <td>
                  <a href={contractHref(m.contractNo, m.dealer)}>{m.contractNo}</a>
                </td>
                <td>{m.customer}</td>
                <td>{m.collector ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>{`共 ${props.rows.length} 台设备`}</p>
    </div>
  );
}

export interface MachineForms {
  csrf: string;
  /** may apply for a lock or an unlock (machine.lock.request) */
  canRequest: boolean;
  /** may record an instruction's result (machine.lock.confirm) */
  backOffice: boolean;
  notice?: string | undefined;
  error?: string | undefined;
}

/** Apply for a lock (a normal machine) or an unlock (a locked one): the approval rules decide, the inbox shows it. */
function RequestForm({ m, csrf }: { m: Output<'machine.show'>; csrf: string }) {
  const what = m.status === 'normal' ? 'lock' : m.status === 'locked' ? 'unlock' : null;
  if (!what) return null;
  return (
    <form method="post" action={href(`/machines/${encodeURIComponent(m.serialNo)}/${what}`, { dealer: m.dealer })} class="box">
      <Csrf csrf={csrf} />
      <h2>{what === 'lock' ? '申请锁机' : '申请解锁'}</h2>
      <label>
        原因
        <input name="reason" required maxlength={500} />
      </label>
      <label>
        日期（默认今天）
        <input name="date" type="date" />
      </label>
      <button type="submit">{what === 'lock' ? '提交锁机申请' : '提交解锁申请'}</button>
    </form>
  );
}

/** The result of an instruction sent to the manual provider: done at a time, or failed. */
function ConfirmForm({ d, m, csrf }: { d: Output<'machine.show'>['documents'][number]; m: Output<'machine.show'>; csrf: string }) {
  const lock = d.type === 'machine_lock';
  return (
    <form method="post" action={href(`/machines/${encodeURIComponent(m.serialNo)}/confirm/${d.id}`, { dealer: m.dealer })} class="box">
      <Csrf csrf={csrf} />
      <h2>{`${d.number}：${lock ? '锁机' : '解锁'}指令结果`}</h2>
      <label>
        完成时间（默认现在）
        <input name="at" type="datetime-local" />
      </label>
      <label>
        <input name="failed" type="checkbox" value="1" /> 执行失败
      </label>
      <label>
        说明
        <input name="message" maxlength={500} />
      </label>
      <button type="submit">{lock ? '确认锁机结果' : '确认解锁结果'}</button>
    </form>
  );
}

export function MachinePage({ m, forms }: { m: Output<'machine.show'>; forms: MachineForms }) {
  const waiting = m.documents.filter(
    (d) => (d.type === 'machine_lock' || d.type === 'machine_unlock') && d.instructionStatus === 'sent' && d.provider === 'manual',
  );
  return (
    <div class="machine">
      {forms.notice ? <p class="notice">{forms.notice}</p> : null}
      {forms.error ? <p class="notice error">{forms.error}</p> : null}
      <section class="facts">
        <dl>
          <dt>序列号</dt>
          <dd>{m.serialNo}</dd>
          <dt>型号</dt>
          <dd>{m.model}</dd>
          <dt>经销商</dt>
          <dd>{m.dealer}</dd>
          <dt>状态</dt>
          <dd>{`${m.statusLabel}${m.statusDate ? `（自 ${m.statusDate}）` : ''}`}</dd>
          <dt>GPS 设备号</dt>
          <dd>{m.gpsDeviceId ?? '—'}</dd>
          <dt>最后位置</dt>
          <dd>{m.location ? `${m.location}（${m.locationAt ?? ''}）` : '—'}</dd>
          <dt>合同</dt>
          <dd>
            <a href={contractHref(m.contractNo, m.dealer)}>{m.contractNo}</a>
          </dd>
          <dt>客户</dt>
          <dd>{m.customer}</dd>
          <dt>催收员</dt>
          <dd>{m.collector ?? '—'}</dd>
        </dl>
      </section>
      <section>
        <h2>状态历史</h2>
        {m.history.length === 0 ? (
          <p>尚无状态变更。</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>日期</th>
                  <th>原状态</th>
                  <th>新状态</th>
                  <th>单据</th>
                  <th>操作人</th>
                  <th>时间</th>
                  <th>说明</th>
                </tr>
              </thead>
              <tbody>
                {m.history.map((h) => (
                  <tr>
                    <td>{h.date}</td>
                    <td>{h.from ? MACHINE_STATUS_LABELS[h.from] : '—'}</td>
                    <td>{MACHINE_STATUS_LABELS[h.to]}</td>
                    <td>{h.documentNo ?? '—'}</td>
                    <td>{h.actor ?? '—'}</td>
                    <td>{h.at}</td>
                    <td>{h.note ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section>
        <h2>单据</h2>
        {m.documents.length === 0 ? (
          <p>无。</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>单号</th>
                  <th>类型</th>
                  <th>状态</th>
                  <th>日期</th>
                  <th class="num">逾期金额</th>
                  <th>申请人</th>
                  <th>指令</th>
                  <th>原因</th>
                </tr>
              </thead>
              <tbody>
                {m.documents.map((d) => (
                  <tr>
                    <td>
                      <a href={`/approvals/${d.id}`}>{d.number}</a>
                    </td>
                    <td>{(documentType(d.type)?.label ?? d.type).split(' ')[0]}</td>
                    <td>{documentStatusName(d.status)}</td>
                    <td>{d.valueDate ?? '—'}</td>
                    <td class="num">{money(d.amount)}</td>
                    <td>{d.author}</td>
                    <td>
                      {d.instructionStatus
                        ? `${d.provider === 'manual' ? '人工' : '文件'}：${INSTRUCTION_STATUS[d.instructionStatus] ?? d.instructionStatus}${d.resultAt ? `（${d.resultAt}）` : ''}`
                        : '—'}
                    </td>
                    <td>{d.reason ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {forms.canRequest ? <RequestForm m={m} csrf={forms.csrf} /> : null}
      {forms.backOffice ? waiting.map((d) => <ConfirmForm d={d} m={m} csrf={forms.csrf} />) : null}
    </div>
  );
}
