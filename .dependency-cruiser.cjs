// Imports only go down (README "Architecture"): adapters → app → business modules → foundations → db → core.
// `npm test` runs this first (npm run deps); a cycle anywhere in src/ or an import from a lower layer into a
// higher one fails it. Type-only imports count: a type is part of a module's interface.

/** The layers, lowest first; a folder (or file) of src/ may import only from its own layer or lower ones. */
const LAYERS = [
  ['core'],
  ['db'],
  ['access'],
  ['audit'],
  ['organisation'],
  ['ledger', 'documents'],
  ['approvals'],
  // Business modules: each owns its tables; the batch orchestrates the others' steps at its own layer.
  ['periods', 'penalty', 'receivables', 'imports', 'batch', 'reconcile', 'reports', 'printing', 'collections', 'backup', 'archive'],
  ['app'],
  ['commands', 'web', 'demo', 'cli\\.ts'],
];

const folders = (layer) => `^src/(${layer.join('|')})(/|$)`;

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-${layer[0]}`,
  comment: `${layer.join(', ')} may import only from layers at or below it (README "Architecture")`,
  severity: 'error',
  from: { path: folders(layer) },
  to: { path: folders(LAYERS.slice(i + 1).flat()) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import cycle anywhere in src/',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unlayered',
      comment: 'every folder of src/ has a layer in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: folders(LAYERS.flat()) },
      to: {},
    },
    ...upward,
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
  },
};
