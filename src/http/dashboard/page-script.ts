/**
 * The dashboard page's script (plain browser JavaScript, ES2020, no library, no build step), kept
 * as a string: the server sends it inline in page.ts and names its SHA-256 in the page's
 * Content-Security-Policy, so no other script can run in the page.
 *
 * Every `intervalMs` (2 s; `?interval=` 250–60000 ms) it fetches `/dashboard/data` (one request,
 * the next only after the last one ended), then:
 * - rates: per broker, the send and pull rates (messages/s) and each topic's send rate, from the
 *   growth of the snapshot's counters between two successive snapshots over the broker's own
 *   monotonic clock; a new `bootTimestamp` (a restart) or a counter going backwards starts over;
 *   only the last snapshot of each broker in view is kept;
 * - a ring buffer of chart points, in the page only: the cluster's send and pull rates, consumer
 *   lag (on masters; a slave's copy of the offsets would count it twice) and the largest
 *   replication lag, for the last 5 minutes (at most 5 min / interval + 1 points per series);
 * - renders broker groups (roles, per-slave ack offset and lag), topics and consumer groups with
 *   DOM methods only (`textContent`, never HTML from the data), and three inline SVG charts (their
 *   x axis spans the points kept: from the page's first refresh, growing to 5 minutes).
 *
 * For tests and scripts the figures carry stable ids and classes (`#total-send-rate`,
 * `tr.broker[data-role]`, `tr.slave td.lag-bytes`, …) and `body[data-refreshes]` counts the
 * refreshes that rendered data.
 */
export const DASHBOARD_SCRIPT = `
(function () {
  "use strict";
  var params = new URLSearchParams(location.search);
  var intervalMs = Math.min(60000, Math.max(250, Number(params.get("interval")) || 2000));
  var WINDOW_MS = 5 * 60 * 1000;
  var POINTS_MAX = Math.ceil(WINDOW_MS / intervalMs) + 1;
  var previous = new Map();
  var series = { send: [], pull: [], consumerLag: [], replicationLag: [] };
  var refreshes = 0;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    }
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var key in attrs) {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, String(attrs[key]));
    }
    return node;
  }
  function td(text, cls) { return el("td", { text: text, class: cls || "" }); }
  function formatInt(n) { return n === null || n === undefined ? "\\u2014" : Math.round(n).toLocaleString("en-US"); }
  function formatRate(n) {
    if (n === null || n === undefined) return "\\u2014";
    return n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString("en-US");
  }
  function formatBytes(n) {
    if (n === null || n === undefined) return "\\u2014";
    if (n < 1024) return n + " B";
    var units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    var i = -1;
    do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
    return n.toFixed(1) + " " + units[i];
  }
  function roleName(role) { return role === "SLAVE" ? "slave" : "master"; }

  /** The page's one shape: broker groups with their brokers, from either source. */
  function normalize(data) {
    if (data.source === "broker") {
      var s = data.broker;
      return {
        title: "broker " + s.brokerName + "/" + s.brokerId + " (" + s.role + ")",
        groups: [{ clusterName: s.clusterName, brokerName: s.brokerName, brokers: [{ brokerId: s.brokerId, httpAddr: location.host, snapshot: s, error: null }] }],
        notPolled: 0,
      };
    }
    var groups = [];
    data.clusters.forEach(function (c) {
      c.brokerGroups.forEach(function (g) { groups.push({ clusterName: c.clusterName, brokerName: g.brokerName, brokers: g.brokers }); });
    });
    return { title: "cluster (name server " + location.host + ", " + data.brokerCount + " brokers)", groups: groups, notPolled: data.brokersNotPolled };
  }

  /** Messages/s between this snapshot and the last one of the same broker; null without one. */
  function rates(key, s) {
    var last = previous.get(key);
    var topics = new Map(s.topics.map(function (t) { return [t.topic, t.maxOffsetSum]; }));
    previous.set(key, { boot: s.bootTimestamp, mono: s.monotonicMs, put: s.traffic.putMessages, get: s.traffic.getMessages, topics: topics });
    var none = { send: null, pull: null, topics: new Map() };
    if (!last || last.boot !== s.bootTimestamp) return none;
    var seconds = (s.monotonicMs - last.mono) / 1000;
    if (!(seconds > 0) || s.traffic.putMessages < last.put || s.traffic.getMessages < last.get) return none;
    var topicRates = new Map();
    topics.forEach(function (sum, topic) {
      var before = last.topics.get(topic);
      if (before !== undefined && sum >= before) topicRates.set(topic, (sum - before) / seconds);
    });
    return { send: (s.traffic.putMessages - last.put) / seconds, pull: (s.traffic.getMessages - last.get) / seconds, topics: topicRates };
  }

  function push(points, t, v) {
    if (v === null) return;
    points.push({ t: t, v: v });
    while (points.length > POINTS_MAX || (points.length > 0 && points[0].t < t - WINDOW_MS)) points.shift();
  }

  /** One broker: its row, its slaves, topics and consumer groups into out; its figures into totals. */
  function renderBroker(b, masterMax, out, totals) {
    var s = b.snapshot;
    if (!s) {
      out.rows.push(el("tr", { class: "broker down", "data-broker-id": String(b.brokerId) }, [
        td(String(b.brokerId)), td("?", "role"), td(b.httpAddr || b.brokerAddr || ""), td(""), td(""), td(""), td(b.error || "no data", "status"),
      ]));
      return;
    }
    var key = s.clusterName + "/" + s.brokerName + "/" + s.brokerId;
    var name = s.brokerName + "/" + s.brokerId;
    totals.seen.add(key);
    var r = rates(key, s);
    if (r.send !== null) totals.send = (totals.send || 0) + r.send;
    if (r.pull !== null) totals.pull = (totals.pull || 0) + r.pull;
    var status = s.problems.length > 0 ? s.problems.join(", ") : s.ha.divergence ? "diverged: " + s.ha.divergence : "ok";
    if (s.role === "SLAVE") {
      status += s.ha.connectedToMaster ? " \\u00b7 following " + (s.ha.masterAddress || "?") : " \\u00b7 not connected to its master";
      if (masterMax !== null) status += " \\u00b7 " + formatBytes(Math.max(0, masterMax - s.ha.maxPhyOffset)) + " behind";
    }
    out.rows.push(el("tr", { class: "broker", "data-broker-id": String(s.brokerId), "data-role": roleName(s.role) }, [
      td(String(s.brokerId)), td(roleName(s.role) + " (" + s.role + ")", "role"), td(b.httpAddr || ""), td(formatBytes(s.ha.maxPhyOffset), "max-offset"),
      td(formatRate(r.send), "send-rate"), td(formatRate(r.pull), "pull-rate"), td(status, "status"),
    ]));
    s.ha.slaves.forEach(function (slave) {
      totals.replicationLag = Math.max(totals.replicationLag || 0, slave.lagBytes);
      out.slaves.push(el("tr", { class: "slave", "data-address": slave.address }, [
        td(name), td(slave.address, "address"), td(formatInt(slave.ackOffset), "ack-offset"), td(formatBytes(slave.lagBytes), "lag-bytes"),
      ]));
    });
    var master = s.role !== "SLAVE";
    var where = name + (master ? "" : " (slave)");
    if (master) totals.masters++;
    s.topics.forEach(function (t) {
      out.topics.push(el("tr", { "data-topic": t.topic }, [
        td(t.topic), td(where), td(String(t.queues)), td(formatInt(t.messages), "messages"), td(formatRate(r.topics.has(t.topic) ? r.topics.get(t.topic) : null), "send-rate"),
      ]));
    });
    s.groups.forEach(function (c) {
      if (master) totals.consumerLag += c.lag;
      var lags = c.topics.map(function (t) { return t.topic + " " + formatInt(t.lag); }).join(", ") + (c.topicsOmitted ? " +" + c.topicsOmitted : "");
      out.consumers.push(el("tr", { "data-group": c.group }, [
        td(c.group), td(where), td(lags), td(formatInt(c.lag), "lag"), td(formatRate(c.consumeTps), "consume-rate"), td(String(c.onlineConsumers)),
      ]));
    });
    if (s.topicsOmitted) out.topics.push(el("tr", {}, [el("td", { colspan: "5", text: s.topicsOmitted + " more topics on " + key + " not shown" })]));
    if (s.groupsOmitted) out.consumers.push(el("tr", {}, [el("td", { colspan: "6", text: s.groupsOmitted + " more groups on " + key + " not shown" })]));
  }

  function renderGroup(g, out, totals) {
    var masterMax = null;
    g.brokers.forEach(function (b) { if (b.snapshot && b.snapshot.role !== "SLAVE") masterMax = b.snapshot.ha.maxPhyOffset; });
    var mine = { rows: [], slaves: [], topics: out.topics, consumers: out.consumers };
    g.brokers.forEach(function (b) { renderBroker(b, masterMax, mine, totals); });
    var section = el("section", { class: "group", "data-group": g.brokerName }, [
      el("h3", { text: g.clusterName + " / " + g.brokerName }),
      el("table", { class: "brokers" }, [head(["id", "role", "HTTP address", "commit log", "send msg/s", "pull msg/s", "status"]), el("tbody", {}, mine.rows)]),
    ]);
    if (mine.slaves.length > 0) section.appendChild(el("table", { class: "slaves" }, [head(["master", "slave (HA connection)", "acknowledged offset", "replication lag"]), el("tbody", {}, mine.slaves)]));
    return section;
  }

  function render(view) {
    var now = Date.now();
    var totals = { send: null, pull: null, consumerLag: 0, replicationLag: null, masters: 0, seen: new Set() };
    var out = { topics: [], consumers: [] };
    var sections = view.groups.map(function (g) { return renderGroup(g, out, totals); });
    previous.forEach(function (_, key) { if (!totals.seen.has(key)) previous.delete(key); });
    if (view.notPolled) sections.push(el("p", { class: "warning", text: view.notPolled + " brokers not polled (the name server asks at most a bounded number)" }));
    var groupsNode = document.getElementById("groups");
    groupsNode.replaceChildren.apply(groupsNode, sections);
    fill("topics", ["topic", "broker", "queues", "messages", "send msg/s"], out.topics, "no topics yet");
    fill("consumers", ["group", "broker", "topics (lag)", "lag", "consume msg/s", "online"], out.consumers, "no consumer group has committed an offset yet");

    push(series.send, now, totals.send);
    push(series.pull, now, totals.pull);
    push(series.consumerLag, now, totals.masters > 0 ? totals.consumerLag : null);
    push(series.replicationLag, now, totals.replicationLag);
    setText("total-send-rate", formatRate(totals.send));
    setText("total-pull-rate", formatRate(totals.pull));
    setText("total-consumer-lag", totals.masters > 0 ? formatInt(totals.consumerLag) : "\\u2014");
    setText("total-replication-lag", totals.replicationLag === null ? "no slave" : formatBytes(totals.replicationLag));
    chart("chart-rate", now, [{ points: series.send, color: "#2563eb" }, { points: series.pull, color: "#16a34a" }], formatRate);
    chart("chart-consumer-lag", now, [{ points: series.consumerLag, color: "#d97706" }], formatInt);
    chart("chart-replication-lag", now, [{ points: series.replicationLag, color: "#dc2626" }], formatBytes);
    document.getElementById("title").textContent = "Skiff \\u00b7 " + view.title;
    document.title = "Skiff \\u00b7 " + view.title;
  }

  function head(names) { return el("thead", {}, [el("tr", {}, names.map(function (n) { return el("th", { text: n }); }))]); }
  function fill(id, names, rows, empty) {
    var table = document.getElementById(id);
    var body = rows.length > 0 ? rows : [el("tr", {}, [el("td", { colspan: String(names.length), class: "empty", text: empty })])];
    table.replaceChildren(head(names), el("tbody", {}, body));
  }
  function setText(id, text) { document.getElementById(id).textContent = text; }

  /**
   * An SVG line chart: x from the oldest point kept (at most WINDOW_MS ago, at least 10 refreshes)
   * to now, y from 0 to the top value.
   */
  function chart(id, now, lines, format) {
    var node = document.getElementById(id);
    var W = 320, H = 90, top = 12, bottom = 14;
    var max = 0;
    var oldest = now;
    lines.forEach(function (line) { line.points.forEach(function (p) { max = Math.max(max, p.v); oldest = Math.min(oldest, p.t); }); });
    var spanMs = Math.min(WINDOW_MS, Math.max(10 * intervalMs, now - oldest));
    var spanText = spanMs >= 60000 ? "\\u2212" + Math.round(spanMs / 60000) + " min" : "\\u2212" + Math.round(spanMs / 1000) + " s";
    var yMax = max > 0 ? max * 1.1 : 1;
    var parts = [
      svg("line", { x1: 0, y1: H - bottom, x2: W, y2: H - bottom, stroke: "#9ca3af", "stroke-width": 1 }),
      svg("text", { x: 2, y: 10, "font-size": 10, fill: "#4b5563", text: "max " + format(max) }),
      svg("text", { x: 2, y: H - 2, "font-size": 10, fill: "#4b5563", text: spanText }),
      svg("text", { x: W - 2, y: H - 2, "font-size": 10, fill: "#4b5563", "text-anchor": "end", text: "now" }),
    ];
    lines.forEach(function (line) {
      var coords = line.points.map(function (p) {
        var x = ((p.t - (now - spanMs)) / spanMs) * W;
        var y = H - bottom - (p.v / yMax) * (H - bottom - top);
        return x.toFixed(1) + "," + y.toFixed(1);
      });
      if (coords.length > 0) parts.push(svg("polyline", { points: coords.join(" "), fill: "none", stroke: line.color, "stroke-width": 1.5 }));
    });
    node.replaceChildren.apply(node, parts);
    node.setAttribute("data-points", String(lines.reduce(function (n, line) { return n + line.points.length; }, 0)));
  }

  function setStatus(text, failed) {
    var node = document.getElementById("status");
    node.textContent = text;
    node.className = failed ? "failed" : "";
  }

  function refresh() {
    fetch("/dashboard/data", { cache: "no-store", signal: AbortSignal.timeout(Math.max(10000, intervalMs)) })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        render(normalize(data));
        refreshes++;
        document.body.setAttribute("data-refreshes", String(refreshes));
        setStatus("updated " + new Date().toLocaleTimeString() + " \\u00b7 every " + intervalMs / 1000 + " s", false);
      })
      .catch(function (error) { setStatus("no data: " + (error && error.message ? error.message : String(error)), true); })
      .then(function () { setTimeout(refresh, intervalMs); });
  }
  refresh();
})();
`;
