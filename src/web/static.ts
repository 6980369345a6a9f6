// The files the app serves itself under /static (no CDN): the stylesheet, written here so the build needs no copy
// step, and ECharts' minified build read from node_modules once. Mobile-first: readable at 390 px, tables scroll
// sideways inside their own box instead of widening the page.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { COLLECTION_CSS } from './pages/collection.js';
import { DASHBOARD_JS, PAGES_CSS } from './routes/assets.js';

export const APP_CSS = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;color:#1f2328;background:#f6f7f9}
a{color:#0b5cad}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.5rem 1rem;background:#17324d;color:#fff}
header.top a{color:#fff}
header.top nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}
header.top .who{font-size:.9rem}
form.inline{display:inline;margin-left:.5rem}
main{padding:1rem;max-width:72rem;margin:0 auto}
h1{font-size:1.4rem;margin:.25rem 0 1rem}
h2{font-size:1.15rem}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;background:#fff;min-width:100%}
th,td{padding:.4rem .6rem;border-bottom:1px solid #dde1e6;text-align:left;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
label{display:block;margin:.5rem 0 .2rem}
input,select,textarea,button{font:inherit;max-width:100%}
input[type=text],input[type=password],input[type=date],input[type=search],select,textarea{width:100%;padding:.45rem;border:1px solid #b8c0c8;border-radius:4px;background:#fff}
button{padding:.45rem 1rem;border:1px solid #0b5cad;border-radius:4px;background:#0b5cad;color:#fff;cursor:pointer}
header.top button{background:transparent;border-color:#fff;padding:.1rem .6rem}
.box{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:1rem;max-width:26rem}
.notice{padding:.6rem .8rem;border-radius:4px;background:#eef4fb;border:1px solid #c6d9ef}
.notice.error,.error{background:#fdeeee;border-color:#f2c2c2;color:#8a1c1c}
.muted{color:#5c6670;font-size:.9rem}
@media (min-width:48rem){main{padding:1.5rem}}
`;

const require = createRequire(import.meta.url);
let echarts: Buffer | undefined;

export interface StaticFile {
  type: string;
  body: () => string | Buffer;
}

/** Every file under /static, by name; anything else is a 404. */
export const STATIC_FILES: Record<string, StaticFile> = {
  'app.css': { type: 'text/css; charset=utf-8', body: () => APP_CSS },
  'pages.css': { type: 'text/css; charset=utf-8', body: () => PAGES_CSS },
  'dashboard.js': { type: 'text/javascript; charset=utf-8', body: () => DASHBOARD_JS },
  'collection.css': { type: 'text/css; charset=utf-8', body: () => COLLECTION_CSS },
  'echarts.min.js': {
    type: 'text/javascript; charset=utf-8',
    body: () => {
      echarts ??= fs.readFileSync(require.resolve('echarts/dist/echarts.min.js'));
      return echarts;
    },
  },
};
