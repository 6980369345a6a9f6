// The product's document types that go through the approval engine: importing a module registers its types.
// A module that adds a type (waivers, refunds, …) adds its import here.
import '../periods/index.js';
import '../receivables/bad-debt.js';
import '../receivables/buyback.js';
import '../receivables/refunds.js';
import '../receivables/schedule-changes.js';
import '../receivables/waivers.js';
