// Printing uses Debian's Chromium (/usr/bin/chromium, README "Printing"): puppeteer must never download a browser.
module.exports = { skipDownload: true };
