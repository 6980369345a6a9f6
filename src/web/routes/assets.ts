// The pages' own static files, served under /static (static.ts) beside app.css and echarts:
// /static/pages.css (the pages' layout, usable 390 px wide) and /static/dashboard.js (draws the dashboard's
// charts from the JSON in #chart-data's data-chart attribute; the page carries no inline script).

export const PAGES_CSS = `
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; margin: 1rem 0; }
.card { border: 1px solid #d0d7de; border-radius: 6px; padding: .75rem; background: #fff; }
.card .label { color: #57606a; font-size: .9rem; }
.card .figure { font-size: 1.4rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: .75rem; }
.chart { width: 100%; height: 300px; }
.scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid #eaeef2; text-align: left; white-space: nowrap; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td, tr.level-region td { font-weight: 600; }
tr.level-region td { background: #f6f8fa; }
.bad, td.bad { color: #cf222e; }
.ok { color: #1a7f37; }
.notice { padding: .5rem .75rem; border-left: 4px solid #bf8700; background: #fff8c5; }
.notice.error { border-color: #cf222e; background: #ffebe9; }
.notice.ok { border-color: #1a7f37; background: #dafbe1; color: inherit; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
.filters label { display: flex; flex-direction: column; font-size: .9rem; gap: .2rem; }
.filters label.check { flex-direction: row; align-items: center; }
.filters input, .filters select, .filters button, .filters .button { font-size: 1rem; min-height: 2.2rem; }
.button { display: inline-flex; align-items: center; padding: 0 .75rem; border: 1px solid #d0d7de; border-radius: 6px; text-decoration: none; }
.pager, .crumbs { display: flex; gap: 1rem; margin: .75rem 0; flex-wrap: wrap; }
.crumbs a::after { content: ' ›'; color: #57606a; }
.facts dl, dl.doc { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
.facts dt, dl.doc dt { color: #57606a; }
.facts dd, dl.doc dd { margin: 0; overflow-wrap: anywhere; }
.request-card { margin-bottom: 1rem; }
.request-card h3 { margin: 0 0 .5rem; font-size: 1.1rem; }
.steps { margin: .25rem 0; padding-left: 1.5rem; }
.step.approved { color: #1a7f37; } .step.rejected { color: #cf222e; } .step.pending { font-weight: 600; }
.rule { color: #57606a; font-size: .9rem; margin: .25rem 0; }
.decide { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
.decide form { display: flex; gap: .5rem; flex: 1 1 16rem; }
.decide input[type=text] { flex: 1; min-width: 0; font-size: 1rem; min-height: 2.5rem; }
.decide button { min-height: 2.5rem; min-width: 4.5rem; font-size: 1rem; }
button.approve { background: #1a7f37; color: #fff; border: 0; border-radius: 6px; }
button.reject { background: #cf222e; color: #fff; border: 0; border-radius: 6px; }
@media (max-width: 600px) {
  main { padding: .5rem; }
  .card .figure { font-size: 1.15rem; }
  .cards { grid-template-columns: 1fr 1fr; }
  .filters label { flex: 1 1 45%; }
  .filters input, .filters select { width: 100%; box-sizing: border-box; }
  th, td { padding: .3rem .4rem; font-size: .9rem; }
  .chart { height: 240px; }
}
`;

export const DASHBOARD_JS = `'use strict';
(function () {
  var holder = document.getElementById('chart-data');
  if (!holder || typeof echarts === 'undefined') return;
  var data = JSON.parse(holder.getAttribute('data-chart') || '{}');
  var num = function (v) { return v === null || v === undefined ? null : Number(v); };
  var charts = [];
  var trendBox = document.getElementById('trend-chart');
  if (trendBox && data.months && data.months.length) {
    var trend = echarts.init(trendBox);
    trend.setOption({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: ['未还余额', '逾期金额', '逾期率'] },
      grid: { left: 60, right: 50, top: 50, bottom: 30 },
      xAxis: { type: 'category', data: data.months },
      yAxis: [{ type: 'value', name: '金额' }, { type: 'value', name: '逾期率', axisLabel: { formatter: function (v) { return (v * 100).toFixed(0) + '%'; } } }],
      series: [
        { name: '未还余额', type: 'line', data: data.outstanding.map(num) },
        { name: '逾期金额', type: 'line', data: data.overdue.map(num) },
        { name: '逾期率', type: 'bar', yAxisIndex: 1, data: data.overdueRate.map(num) }
      ]
    });
    charts.push(trend);
  }
  var agingBox = document.getElementById('aging-chart');
  if (agingBox && data.aging && data.aging.length) {
    var aging = echarts.init(agingBox);
    aging.setOption({
      tooltip: { trigger: 'axis' },
      grid: { left: 60, right: 20, bottom: 30 },
      xAxis: { type: 'category', data: data.aging.map(function (a) { return a.name; }) },
      yAxis: { type: 'value', name: '逾期金额' },
      series: [{ name: '逾期金额', type: 'bar', data: data.aging.map(function (a) { return num(a.amount); }) }]
    });
    charts.push(aging);
  }
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });
})();
`;
