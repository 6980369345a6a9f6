// 档案: a contract's files on its page — the contract's own, its customer's, its machines' and its documents' —
// with download links, and, for staff who may attach, an upload form (multipart) that attaches a file to the
// contract, its customer or one of its machines; for finance, a 删除 form on each row that asks why (the bytes stay).
import type { Output } from '../../app/run.js';
import { ATTACHMENT_KINDS } from '../../archive/index.js';
import { attachmentKindName, ownerKindName } from '../../core/labels.js';
import { Csrf, href } from '../routes/common.js';

export interface ArchiveSectionData {
  contractNo: string;
  dealer: string;
  machines: { serialNo: string }[];
  rows: Output<'archive.list'>;
  /** The user may attach files (archive.add's roles). */
  canAdd: boolean;
  /** The user may remove files (archive.remove's roles). */
  canRemove: boolean;
  csrf: string;
  notice?: string | undefined;
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function removeAction(data: ArchiveSectionData, id: number): string {
  return href(`/contracts/${encodeURIComponent(data.contractNo)}/archive/${id}/remove`, { dealer: data.dealer });
}

export function ArchiveSection({ data }: { data: ArchiveSectionData }) {
  const action = href(`/contracts/${encodeURIComponent(data.contractNo)}/archive`, { dealer: data.dealer });
  return (
    <section id="archive">
      <h2>档案</h2>
      {data.notice ? <p class="notice">{data.notice}</p> : null}
      {data.rows.length === 0 ? (
        <p>暂无档案。</p>
      ) : (
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>文件</th>
                <th>归属</th>
                <th>类别</th>
                <th class="num">大小</th>
                <th>上传人</th>
                <th>上传时间</th>
                {data.canRemove ? <th>删除</th> : null}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/archive/${r.id}`}>{r.fileName}</a>
                  </td>
                  <td>{`${ownerKindName(r.ownerKind)} ${r.owner}`}</td>
                  <td>{attachmentKindName(r.kind)}</td>
                  <td class="num">{size(r.size)}</td>
                  <td>{r.addedBy}</td>
                  <td>{r.addedAt}</td>
                  {data.canRemove ? (
                    <td>
                      <form method="post" action={removeAction(data, r.id)} class="inline">
                        <Csrf csrf={data.csrf} />
                        <input name="reason" required size={8} placeholder="删除原因" aria-label={`删除 ${r.fileName} 的原因`} />
                        <button type="submit">删除</button>
                      </form>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data.canAdd ? (
        <form method="post" action={action} enctype="multipart/form-data" class="box">
          <Csrf csrf={data.csrf} />
          <label for="archive-owner">归属</label>
          <select id="archive-owner" name="owner">
            <option value="contract">{`合同 ${data.contractNo}`}</option>
            <option value="customer">客户</option>
            {data.machines.map((m) => (
              <option value={`machine:${m.serialNo}`}>{`设备 ${m.serialNo}`}</option>
            ))}
          </select>
          <label for="archive-kind">类别</label>
          <select id="archive-kind" name="kind">
            {ATTACHMENT_KINDS.map((k) => (
              <option value={k} selected={k === 'other'}>
                {attachmentKindName(k)}
              </option>
            ))}
          </select>
          <label for="archive-file">文件（PDF、JPEG、PNG 或 XLSX，不超过 20 MB）</label>
          <input type="file" id="archive-file" name="file" accept=".pdf,.jpg,.jpeg,.png,.xlsx" required />
          <p>
            <button type="submit">上传</button>
          </p>
        </form>
      ) : null}
    </section>
  );
}
