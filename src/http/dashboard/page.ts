/**
 * The dashboard page: one static HTML document with its style and script inline (page-script.ts),
 * the same on a broker and on a name server (the script tells them apart by the data's `source`).
 * Nothing from the data is written into the HTML: the script fills the page with DOM methods.
 *
 * Its Content-Security-Policy allows exactly the inline style and script by their SHA-256 and
 * fetches to this origin: no other script, style, frame or connection can run in the page.
 */
import { DASHBOARD_SCRIPT } from "./page-script.ts";

const STYLE = `
  :root { font: 14px/1.4 system-ui, sans-serif; color: #111827; background: #f9fafb; }
  body { margin: 0 auto; max-width: 1200px; padding: 12px 20px; }
  header { display: flex; align-items: baseline; gap: 16px; flex-wrap: wrap; }
  h1 { font-size: 20px; margin: 4px 0; }
  h2 { font-size: 16px; margin: 18px 0 6px; }
  h3 { font-size: 14px; margin: 10px 0 4px; }
  #status { color: #4b5563; }
  #status.failed, .warning { color: #b91c1c; }
  #summary { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin-top: 10px; }
  .card, figure { background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 10px; margin: 0; }
  .card b { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
  .card span { color: #4b5563; }
  #charts { display: grid; grid-template-columns: repeat(3, 1fr); gap: 10px; margin-top: 10px; }
  figcaption { color: #4b5563; font-size: 12px; }
  figure svg { width: 100%; height: 90px; display: block; }
  .legend-send { color: #2563eb; } .legend-pull { color: #16a34a; }
  table { border-collapse: collapse; width: 100%; background: #fff; margin-bottom: 6px; }
  th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #e5e7eb; font-variant-numeric: tabular-nums; }
  th { background: #f3f4f6; font-weight: 600; }
  tr.down td { color: #b91c1c; }
  td.empty { color: #6b7280; }
`;

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Skiff dashboard</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body data-refreshes="0">
<header><h1 id="title">Skiff dashboard</h1><span id="status" role="status">loading…</span></header>
<section id="summary">
  <div class="card"><b id="total-send-rate">—</b><span>sent msg/s</span></div>
  <div class="card"><b id="total-pull-rate">—</b><span>pulled msg/s</span></div>
  <div class="card"><b id="total-consumer-lag">—</b><span>consumer lag (messages)</span></div>
  <div class="card"><b id="total-replication-lag">—</b><span>largest replication lag</span></div>
</section>
<section id="charts">
  <figure><svg id="chart-rate" viewBox="0 0 320 90" preserveAspectRatio="none" role="img" aria-label="send and pull rate"></svg>
    <figcaption><span class="legend-send">■ sent</span> <span class="legend-pull">■ pulled</span> msg/s, up to 5 minutes back</figcaption></figure>
  <figure><svg id="chart-consumer-lag" viewBox="0 0 320 90" preserveAspectRatio="none" role="img" aria-label="consumer lag"></svg>
    <figcaption>consumer lag (messages), up to 5 minutes back</figcaption></figure>
  <figure><svg id="chart-replication-lag" viewBox="0 0 320 90" preserveAspectRatio="none" role="img" aria-label="replication lag"></svg>
    <figcaption>largest replication lag (bytes), up to 5 minutes back</figcaption></figure>
</section>
<h2>Broker groups</h2>
<div id="groups"></div>
<h2>Topics</h2>
<table id="topics"></table>
<h2>Consumer groups</h2>
<table id="consumers"></table>
<noscript>The dashboard needs JavaScript; its data is at /dashboard/data.</noscript>
<script>${DASHBOARD_SCRIPT}</script>
</body>
</html>
`;

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export interface DashboardPage {
  readonly html: string;
  readonly headers: Readonly<Record<string, string>>;
}

let page: Promise<DashboardPage> | null = null;

/** The page and its headers (computed once: the hashes of the inline style and script). */
export function dashboardPage(): Promise<DashboardPage> {
  page ??= Promise.all([sha256Base64(STYLE), sha256Base64(DASHBOARD_SCRIPT)]).then(([styleHash, scriptHash]) => ({
    html: HTML,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "content-security-policy": [
        "default-src 'none'", `script-src 'sha256-${scriptHash}'`, `style-src 'sha256-${styleHash}'`,
        "connect-src 'self'", "img-src data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
      ].join("; "),
    },
  }));
  return page;
}
