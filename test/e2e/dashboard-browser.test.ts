/**
 * The dashboard in a real browser: Debian's Chromium (/usr/bin/chromium, installed by
 * scripts/toolchain.sh; SKIFF_CHROMIUM overrides the path) driven by playwright-core, which
 * downloads no browser. Real processes on the runtime running this test — a name server, a
 * SYNC_MASTER and its slave — and two pages: the name server's `/dashboard` (the whole cluster) and
 * the master's (itself). Both load without a console error, a page error or a failed request
 * (a CSP violation would be one), show the master and the slave with their roles, and after
 * messages are sent over HTTP their send rate, consumer lag and the slave's acknowledged offset
 * change, and after pulls and a commit their pull rate and the lag. Screenshots of both pages are kept in `test-artifacts/dashboard-<runtime>-*.png`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { chromium, type Browser, type Page } from "playwright-core";
import { Producer } from "../../src/client/index.ts";
import { removeDir, runtimeName, tempDir } from "../support/platform.ts";
import { getJson, until } from "../support/poll.ts";
import { freeListenPort } from "../support/ports.ts";
import { repo, startSkiff } from "../support/skiff-process.ts";
import { cleanupAfterSuite } from "../support/suite-cleanup.ts";

const CHROMIUM = process.env.SKIFF_CHROMIUM ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const ARTIFACTS = `${repo}test-artifacts`;
const GROUP = "dash_group";

/** Adds every console error, page error, failed request and HTTP error answer of `page` to `problems`. */
function watchProblems(page: Page, name: string, problems: string[]): void {
  page.on("console", (m) => { if (m.type() === "error") problems.push(`${name} console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`${name} page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`${name} request failed: ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("response", (r) => { if (r.status() >= 400) problems.push(`${name} HTTP ${r.status()}: ${r.url()}`); });
}

const text = (page: Page, selector: string) => page.locator(selector).first().innerText({ timeout: 2000 });
const number = (shown: string) => Number(shown.replace(/[^0-9.]/g, ""));

/** Waits (bounded: 20 s) until `probe` holds on the rendered figures, polling every 100 ms. */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>) => until(what, probe, 20_000);

describe(`dashboard in Chromium, processes on ${runtimeName}`, () => {
  const { defer } = cleanupAfterSuite();

  it("shows the master and the slave with their roles, and its rate, lag and replication figures move with sends, pulls and commits", { timeout: 180_000 }, async () => {
    assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y --no-install-recommends chromium\` (scripts/toolchain.sh does on Debian) or set SKIFF_CHROMIUM`);
    const startedMs = Date.now();
    const root = await tempDir("e2e-dashboard");
    defer(() => removeDir(root));
    const namesrv = await startSkiff(runtimeName, "namesrv", [`--listenPort=${await freeListenPort()}`]);
    defer(() => namesrv.kill());
    const common = ["-n", namesrv.remotingAddress, "--registerNameServerPeriod=1000"];
    const master = await startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${root}/master`, `--listenPort=${await freeListenPort()}`, "--brokerRole=SYNC_MASTER"]);
    defer(() => master.kill());
    const slave = await startSkiff(runtimeName, "broker", [...common, `--storePathRootDir=${root}/slave`, `--listenPort=${await freeListenPort()}`, "--brokerRole=SLAVE", "--brokerId=1"]);
    defer(() => slave.kill());
    await until("the slave connected", async () => (await getJson(master.address, "/ha/status")).slaves.length === 1, 30_000);
    await until("both registered", async () => (await getJson(namesrv.address, "/cluster")).brokerCount === 2, 30_000);

    // A topic and a group with committed offsets (at 0): its lag is then every message sent.
    await fetch(`http://${master.address}/topics/Dash`, { method: "PUT", body: JSON.stringify({ readQueueNums: 2, writeQueueNums: 2 }) });
    for (const queueId of [0, 1]) await fetch(`http://${master.address}/consumer-offsets/${GROUP}/Dash/${queueId}`, { method: "PUT", body: JSON.stringify({ offset: 0 }) });

    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, timeout: 30_000 });
    defer(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const cluster = await context.newPage();
    const own = await context.newPage();
    const problems: string[] = [];
    watchProblems(cluster, "name server page", problems);
    watchProblems(own, "master page", problems);
    await cluster.goto(`http://${namesrv.address}/dashboard?interval=500`, { waitUntil: "load" });
    await own.goto(`http://${master.address}/dashboard?interval=500`, { waitUntil: "load" });
    for (const page of [cluster, own]) await waitFor("two refreshes", async () => Number(await page.getAttribute("body", "data-refreshes")) >= 2);

    // The cluster page: both brokers of the group with their roles; the master's page: itself and its slave.
    const roles = await cluster.locator("section.group tr.broker").evaluateAll((rows) => rows.map((r) => [r.getAttribute("data-broker-id"), r.getAttribute("data-role")]));
    assert.deepEqual(roles, [["0", "master"], ["1", "slave"]]);
    assert.match(await text(cluster, "tr.broker[data-role=slave] td.status"), /following .* behind/);
    assert.match(await text(cluster, "tr.broker[data-role=master] td.role"), /SYNC_MASTER/);
    assert.deepEqual(await own.locator("tr.broker").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-role"))), ["master"]);
    assert.equal(await own.locator("tr.slave").count(), 1, "the master's page lists its slave");
    const before = {
      lag: await text(cluster, "#total-consumer-lag"),
      sendRate: number(await text(cluster, "#total-send-rate")),
      ack: number(await text(own, "tr.slave td.ack-offset")),
    };
    assert.equal(before.lag, "0");
    assert.equal(before.sendRate, 0, "nothing sent yet");

    // Messages over HTTP, until both pages show a send rate above 0 (bounded), then the exact lag.
    const producer = new Producer({ broker: master.address });
    let sent = 0;
    let sending = true;
    const load = (async () => {
      for (let round = 0; sending && round < 400; round++) {
        await producer.sendBatch("Dash", Array.from({ length: 10 }, (_, i) => ({ body: `m${round}-${i}` })), { queueId: round % 2 });
        sent += 10;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      for (const page of [cluster, own]) await waitFor("a send rate above 0", async () => number(await text(page, "#total-send-rate")) > 0);
      await waitFor("the rate chart drawn", async () => (await cluster.locator("#chart-rate polyline").count()) > 0);
    } finally {
      sending = false;
      await load;
    }
    assert.ok(sent > 0);
    const lagShown = sent.toLocaleString("en-US");
    await waitFor(`consumer lag ${lagShown}`, async () => (await text(cluster, "#total-consumer-lag")) === lagShown);
    await waitFor(`consumer lag ${lagShown} on the master's page`, async () => (await text(own, `tr[data-group=${GROUP}] td.lag`)) === lagShown);
    const logEnd = (await getJson(master.address, "/ha/status")).maxPhyOffset as number;
    assert.ok(logEnd > before.ack);
    await waitFor(`the slave's acknowledged offset at the log's end (${logEnd})`, async () => number(await text(own, "tr.slave td.ack-offset")) === logEnd);
    await waitFor("the send rate back at 0", async () => number(await text(cluster, "#total-send-rate")) === 0);

    // Pulls by the group, until the pull rate shows (bounded); then queue 0's offset committed to its
    // end lowers the lag by what that queue holds.
    let pulling = true;
    const pulls = (async () => {
      for (let i = 0; pulling && i < 2000; i++) {
        await fetch(`http://${master.address}/topics/Dash/queues/0/messages?offset=0&max=32&group=${GROUP}`).then((r) => r.arrayBuffer());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      await waitFor("a pull rate above 0", async () => number(await text(cluster, "#total-pull-rate")) > 0);
    } finally {
      pulling = false;
      await pulls;
    }
    const queue0 = (await getJson(master.address, "/topics/Dash/status")).queues[0].maxOffset as number;
    await fetch(`http://${master.address}/consumer-offsets/${GROUP}/Dash/0`, { method: "PUT", body: JSON.stringify({ offset: queue0 }) });
    const lagAfter = (sent - queue0).toLocaleString("en-US");
    await waitFor(`consumer lag down to ${lagAfter}`, async () => (await text(cluster, "#total-consumer-lag")) === lagAfter);

    await mkdir(ARTIFACTS, { recursive: true });
    await cluster.screenshot({ path: `${ARTIFACTS}/dashboard-${runtimeName}-namesrv.png`, fullPage: true });
    await own.screenshot({ path: `${ARTIFACTS}/dashboard-${runtimeName}-broker.png`, fullPage: true });
    assert.deepEqual(problems, [], "no console error, page error or failed request");
    console.log(`dashboard browser test on ${runtimeName}: ${sent} messages, ${Date.now() - startedMs} ms`);
  });
});
