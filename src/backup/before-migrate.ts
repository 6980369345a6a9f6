// `zq init` on an existing embedded database with migrations to run: a backup into the folder's backups/ first
// (a bad upgrade is undone by restoring it), keeping the last N of them (ZQ_BACKUP_KEEP or --keep-backups, default 5).
import fs from 'node:fs';
import path from 'node:path';
import { BadInput } from '../core/errors.js';
import type { Db } from '../db/index.js';
import { takeBackup } from './dump.js';

export const BACKUPS_FOLDER = 'backups';
export const DEFAULT_KEEP = 5;
const NAME = /^before-migrate-\d{8}T\d{6}Z?(-\d+)?\.zqb$/;

/** --keep-backups, then ZQ_BACKUP_KEEP, then 5: a whole number of at least 1. */
export function backupsToKeep(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const [field, text] = flag !== undefined ? ['keep-backups', flag] : ['ZQ_BACKUP_KEEP', env.ZQ_BACKUP_KEEP];
  if (text === undefined || text === '') return DEFAULT_KEEP;
  if (!/^[1-9]\d{0,3}$/.test(text)) throw new BadInput(field, text, 'a whole number of backups to keep, from 1');
  return Number(text);
}

/** Takes the backup into DATA_DIR/backups/ and removes the oldest beyond `keep`; returns its path. */
export async function backupBeforeMigrate(db: Db, dataDir: string, keep: number): Promise<{ file: string; removed: string[] }> {
  const folder = path.join(dataDir, BACKUPS_FOLDER);
  fs.mkdirSync(folder, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  let file = path.join(folder, `before-migrate-${stamp}.zqb`);
  for (let n = 2; fs.existsSync(file); n++) file = path.join(folder, `before-migrate-${stamp}-${n}.zqb`);
  await takeBackup(db, file, { force: false });
  const ours = fs
    .readdirSync(folder)
    .filter((f) => NAME.test(f))
    .sort();
  const removed = ours.slice(0, Math.max(0, ours.length - keep)).map((f) => path.join(folder, f));
  for (const f of removed) fs.rmSync(f, { force: true });
  return { file, removed };
}
