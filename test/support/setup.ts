// Runs before every test file: the same exceljs fix as the CLI has (src/imports/xlsx.ts imports it first),
// so that tests importing exceljs themselves read workbooks exactly as the product does.
import '../../src/imports/exceljs-sax.js';
