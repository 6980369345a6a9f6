// The backup module's action (registered in app/catalogue.ts). Restore and verify read a file into a new
// database: there is no database yet whose users could be checked, so they are commands on files (commands/backup.ts).
import { defineAction } from '../access/action.js';
import { ADMIN } from '../access/role-sets.js';
import { checkBackupTarget, takeBackup } from './dump.js';

export const backupRunAction = defineAction({
  name: 'backup.run',
  summary: 'a consistent copy of the whole database in one compressed file',
  roles: ADMIN,
  mutates: false,
  transaction: 'own',
  parse: (raw: { out: string; force?: boolean | undefined; pgDump?: boolean | undefined }) => {
    const input = { out: raw.out, force: raw.force === true, pgDump: raw.pgDump === true };
    // before anything is read or written
    checkBackupTarget(input.out, input.force);
    return input;
  },
  run: async (db, _actor, input) => {
    const { file, header } = await takeBackup(db, input.out, { force: input.force, pgDump: input.pgDump });
    return {
      file,
      format: header.format,
      content: header.content,
      kind: header.kind,
      lastMigration: header.lastMigration,
      takenAt: header.takenAt,
      seconds: header.seconds,
      bytes: header.bytes,
      sha256: header.sha256,
      tables: header.tables.length,
      rows: header.tables.reduce((n, t) => n + t.rows, 0),
      summary: header.figures.summary,
    };
  },
});

export const backupActions = [backupRunAction] as const;
