/**
 * The current runtime's `HttpServing` adapter answers real `fetch` calls on loopback: JSON in and
 * out, port 0 resolved to a real port, requests in flight answered across `close()`, and no
 * connections accepted after it. The same file runs under Bun, Deno and Node, each against its
 * own adapter (see `test/support/platform.ts`).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FetchHandler, HttpServer } from "../../src/core/platform.ts";
import { platform } from "../support/platform.ts";
import { codeOf, loopback, within } from "./helpers.ts";

async function serve(handler: FetchHandler): Promise<{ server: HttpServer; base: string }> {
  const server = await platform.http.serve({ host: loopback, port: 0 }, handler);
  return { server, base: `http://${loopback}:${server.address.port}` };
}

const jsonHandler: FetchHandler = async (request) => {
  const url = new URL(request.url);
  if (request.method === "GET" && url.pathname === "/topics") {
    return Response.json({ topics: ["TopicTest"], query: url.searchParams.get("cluster") });
  }
  if (request.method === "POST" && url.pathname === "/echo") {
    const body = (await request.json()) as { numbers: number[] };
    return Response.json({ sum: body.numbers.reduce((a, b) => a + b, 0), received: body }, { status: 201 });
  }
  return new Response("not found", { status: 404 });
};

describe(`http adapter (${platform.system.runtime})`, () => {
  it("serves GET and POST JSON round trips through fetch on a port chosen by the OS", async () => {
    const { server, base } = await serve(jsonHandler);
    try {
      assert.ok(server.address.port > 0);
      const got = await fetch(`${base}/topics?cluster=DefaultCluster`);
      assert.equal(got.status, 200);
      assert.match(got.headers.get("content-type") ?? "", /application\/json/);
      assert.deepEqual(await got.json(), { topics: ["TopicTest"], query: "DefaultCluster" });

      const posted = await fetch(`${base}/echo`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ numbers: [1, 2, 39] }),
      });
      assert.equal(posted.status, 201);
      assert.deepEqual(await posted.json(), { sum: 42, received: { numbers: [1, 2, 39] } });

      const missing = await fetch(`${base}/nowhere`);
      assert.equal(missing.status, 404);
      assert.equal(await missing.text(), "not found");
    } finally {
      await within(5000, server.close(), "close");
    }
  });

  it("answers a request in flight across close(), then refuses new connections", async () => {
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived: () => void = () => {};
    const arrival = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const { server, base } = await serve(async () => {
      arrived();
      await released;
      return Response.json({ late: true });
    });
    const inFlight = fetch(`${base}/slow`).then((response) => response.json());
    await within(2000, arrival, "request arrival");
    const closing = server.close();
    release();
    assert.deepEqual(await within(5000, inFlight, "in-flight response"), { late: true });
    await within(5000, closing, "close");
    await assert.rejects(fetch(`${base}/after`));
  });

  it("rejects with EADDRINUSE when the port is taken", async () => {
    const { server } = await serve(jsonHandler);
    try {
      await assert.rejects(
        platform.http.serve({ host: loopback, port: server.address.port }, jsonHandler),
        (error) => codeOf(error) === "EADDRINUSE",
      );
    } finally {
      await within(5000, server.close(), "close");
    }
  });
});
