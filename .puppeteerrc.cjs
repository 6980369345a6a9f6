// Debian's /usr/bin/chromium is used; the bundled download fails on this network.
module.exports = { skipDownload: true };
