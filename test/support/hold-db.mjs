// Opens an embedded database folder through zq's own code and holds it until killed: a second process
// standing in for a long `zq batch run`. Prints "ready" once the lock is taken.
import { openDatabase } from '../../dist/src/db/index.js';

const db = await openDatabase({ dataDir: process.argv[2] });
await db.knex('dealers').insert({ code: process.argv[3] ?? 'HOLD', name: '占用测试', kind: 'dealer', parent_id: 1 });
process.stdout.write('ready\n');
setInterval(() => {}, 1000);
