// Debian's Chromium (browser downloads are not possible here). The flags keep it from
// reaching out to Google services on this closed network.
export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
export const chromiumPath = '/usr/bin/chromium';
