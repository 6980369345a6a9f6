// GET /archive/:id — an attached file (archive.get), with its type and its name (filename* in UTF-8) as a download;
// out of the user's scope 404, as a missing one. POST /contracts/:no/archive — the contract page's upload form
// (multipart: owner contract | customer | machine:SERIAL, kind, file) runs archive.add and goes back to the
// page's 档案; a refused file (its type, its size) answers 400 with the refusal, nothing written.
// POST /contracts/:no/archive/:id/remove — the 删除 form of a row of that 档案 (reason) runs archive.remove (the
// bytes stay, the removal is recorded with who and why) and goes back to the page; out of scope 404, as a missing one.
import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { ARCHIVE_MAX_BYTES } from '../../archive/index.js';
import { BadInput, NotFound } from '../../core/errors.js';
import type { WebEnv } from '../env.js';
import { act, type Ctx, contractHref, formField, param } from './common.js';

/** The upload route's path: app.ts gives it a body limit of the archive's file limit and a margin for the form. */
export const ARCHIVE_UPLOAD_PATH = /^\/contracts\/[^/]+\/archive$/;
export const ARCHIVE_UPLOAD_BODY_LIMIT = bodyLimit({
  maxSize: ARCHIVE_MAX_BYTES + 256 * 1024,
  onError: () => {
    throw new HTTPException(413);
  },
});

/** Content-Disposition for a name in any script: an ASCII fallback and the UTF-8 name (RFC 6266, 5987). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The path's attachment id; anything but digits is not found, as a missing one. */
function attachmentId(c: Ctx): string {
  const id = c.req.param('id') as string;
  if (!/^\d{1,15}$/.test(id)) throw new NotFound('attachment', id);
  return id;
}

async function download(c: Ctx) {
  const id = attachmentId(c);
  const got = await act(c, 'archive.get', { id });
  const bytes = got.bytes as Uint8Array;
  c.header('Content-Type', got.attachment.mime);
  c.header('Content-Disposition', contentDisposition(got.attachment.fileName));
  c.header('Content-Length', String(bytes.byteLength));
  c.header('Cache-Control', 'private, no-store');
  return c.body(bytes as Uint8Array<ArrayBuffer>);
}

async function upload(c: Ctx) {
  const contractNo = c.req.param('no') as string;
  const dealer = param(c, 'dealer');
  const form = await c.req.parseBody();
  const file = form.file;
  if (!(file instanceof File) || file.size === 0) throw new BadInput('file', file instanceof File ? file.name : null, '选择要上传的文件');
  const owner = typeof form.owner === 'string' ? form.owner : 'contract';
  const kind = typeof form.kind === 'string' ? form.kind : undefined;
  const target =
    owner === 'customer'
      ? { customerOf: contractNo, dealer }
      : owner.startsWith('machine:')
        ? { machine: owner.slice('machine:'.length), dealer }
        : { contract: contractNo, dealer };
  const added = await act(c, 'archive.add', {
    ...target,
    kind,
    upload: { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) },
  });
  const back = contractHref(contractNo, added.dealer);
  return c.redirect(`${back}${back.includes('?') ? '&' : '?'}archived=${added.id}#archive`, 303);
}

async function remove(c: Ctx) {
  const id = attachmentId(c);
  const contractNo = c.req.param('no') as string;
  const dealer = param(c, 'dealer');
  // only a file of that contract's 档案: the form is on its page, and the page is where the user goes back to
  const listed = await act(c, 'archive.list', { contract: contractNo, dealer, related: true, all: true });
  if (!listed.some((r) => String(r.id) === id)) throw new NotFound('attachment', id);
  const form = await c.req.parseBody();
  const removed = await act(c, 'archive.remove', { id, reason: formField(form, 'reason') });
  const back = contractHref(contractNo, dealer);
  return c.redirect(`${back}${back.includes('?') ? '&' : '?'}removed=${removed.id}#archive`, 303);
}

export function registerArchive(app: Hono<WebEnv>): void {
  app.get('/archive/:id', download);
  app.post('/contracts/:no/archive', upload);
  app.post('/contracts/:no/archive/:id/remove', remove);
}
