// 批处理与导入: the nightly batch's run log (batch.status) and the import history (import.list), read-only.
import type { Output } from '../../app/run.js';

const STEP_STATUS: Record<string, string> = { running: '运行中', done: '完成', failed: '失败' };
const IMPORT_STATUS: Record<string, string> = { imported: '已导入', rejected: '已拒绝', unchanged: '无变化', dry_run: '试导入' };

export function BatchPage(props: { status: Output<'batch.status'>; imports: Output<'import.list'> | null }) {
  const { status, imports } = props;
  return (
    <div>
      <p>{status.lastCompleted ? `最近完成跑批的业务日期：${status.lastCompleted}` : '尚未完成跑批。'}</p>
      <section>
        <h2>跑批记录</h2>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>业务日期</th>
                <th>步骤</th>
                <th>状态</th>
                <th class="num">差异</th>
                <th class="num">耗时（毫秒）</th>
                <th>开始</th>
                <th>错误</th>
              </tr>
            </thead>
            <tbody>
              {status.runs.map((r) => (
                <tr class={r.status === 'failed' || r.discrepancies > 0 ? 'bad' : ''}>
                  <td>{r.businessDate}</td>
                  <td>{r.step}</td>
                  <td>{STEP_STATUS[r.status] ?? r.status}</td>
                  <td class="num">{r.discrepancies}</td>
                  <td class="num">{r.durationMs ?? '—'}</td>
                  <td>{r.startedAt}</td>
                  <td>{r.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section>
        <h2>导入记录</h2>
        {imports === null ? (
          <p>您的角色不查看导入记录。</p>
        ) : imports.length === 0 ? (
          <p>暂无导入。</p>
        ) : (
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  <th>编号</th>
                  <th>时间</th>
                  <th>文件</th>
                  <th>类型</th>
                  <th>经销商</th>
                  <th>截至</th>
                  <th>状态</th>
                  <th class="num">读取</th>
                  <th class="num">导入</th>
                  <th class="num">拒绝</th>
                  <th>操作人</th>
                </tr>
              </thead>
              <tbody>
                {imports.map((i) => (
                  <tr>
                    <td>{i.id}</td>
                    <td>{i.startedAt}</td>
                    <td>{i.file}</td>
                    <td>{i.kind}</td>
                    <td>{i.dealer ?? '—'}</td>
                    <td>{i.asOf ?? '—'}</td>
                    <td>{IMPORT_STATUS[i.status] ?? i.status}</td>
                    <td class="num">{i.rowsRead}</td>
                    <td class="num">{i.rowsImported}</td>
                    <td class="num">{i.rowsRejected}</td>
                    <td>{i.actor ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
