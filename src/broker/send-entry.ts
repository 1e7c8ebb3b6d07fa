/**
 * The broker's one way in for a send, whatever protocol front carries it (HTTP, RocketMQ's
 * remoting): a producer's body in one of its forms is decoded, checked and built into messages
 * (message-build.ts), then sent by SendService (queue, store, flush and replication).
 *
 * `sendBody` takes the HTTP API's body forms (table below); `sendRemoting` a RocketMQ producer's
 * SEND_MESSAGE(_V2) / SEND_BATCH_MESSAGE whose header the remoting front has decoded: the body is
 * the message's (or RocketMQ's batch encoding), the born host is the producer's socket address
 * and the store host `brokerIP1:listenPort` — the address an offsetMsgId names, which
 * `queryMsgById` dials over remoting.
 *
 * | form             | body                                                           | answer   |
 * |------------------|----------------------------------------------------------------|----------|
 * | `json`           | one message `{body \| bodyBase64, tags?, keys?, …}`            | `single` |
 * | `json`           | a batch `{messages: [ … ]}`                                    | `batch`  |
 * | `rocketmq-batch` | RocketMQ's batch encoding (src/codec/batch.ts), `queueId?`     | `batch`  |
 *
 * A batch of either form holds at most `BATCH_MESSAGES_MAX` (1024) messages: more is
 * BATCH_TOO_LARGE, refused before a message is built; an empty one is BAD_REQUEST. A front reads
 * at most `bodyLimitBytes(form)` bytes of a body (JSON carries base64 and escapes, hence twice).
 */
import { SkiffError } from "../core/errors.ts";
import { checked, parseJsonBytes } from "../core/checked.ts";
import type { BrokerConfig } from "../config/broker-config.ts";
import { BATCH_MESSAGES_MAX, decodeBatch } from "../codec/batch.ts";
import { HostAddressCache, type HostAddress } from "../codec/host-address.ts";
import {
  batchSchema, buildFromBatch, buildFromJson, buildFromRemoting, buildFromRemotingBatch, messageSchema,
  type BuildContext, type RemotingSendFields,
} from "./message-build.ts";
import type { SendResult } from "../contract/broker-http.ts";
import type { SendOptions, SendService } from "./send-service.ts";

export type SendBody =
  | { readonly form: "json"; readonly bytes: Uint8Array }
  | { readonly form: "rocketmq-batch"; readonly bytes: Uint8Array; readonly queueId?: number };

export type SendAnswer =
  | { readonly kind: "single"; readonly result: SendResult }
  | { readonly kind: "batch"; readonly results: readonly SendResult[] };

/** A RocketMQ producer's send as the remoting front decoded it. */
export interface RemotingSend {
  readonly topic: string;
  /** SEND_BATCH_MESSAGE: `body` is RocketMQ's batch encoding and `fields.properties` the batch-level ones. */
  readonly batch: boolean;
  readonly body: Uint8Array;
  readonly fields: RemotingSendFields;
  readonly options: SendOptions;
  /** The producer's `ip:port` as its connection shows it. */
  readonly producerAddress: string;
}

export interface SendEntryDeps {
  readonly config: () => BrokerConfig;
  readonly service: SendService;
  /** Hosts, time and unique ids for the messages of one send. */
  readonly buildContext: () => BuildContext;
}

export class SendEntry {
  private readonly deps: SendEntryDeps;
  /** Producers' socket addresses, parsed once each. */
  private readonly hosts = new HostAddressCache();

  constructor(deps: SendEntryDeps) {
    this.deps = deps;
  }

  /** The largest body of this form a front should read. */
  bodyLimitBytes(form: SendBody["form"]): number {
    const maxMessageSizeBytes = this.deps.config().maxMessageSize;
    return form === "rocketmq-batch" ? maxMessageSizeBytes + 64 * 1024 : 2 * maxMessageSizeBytes + 1024 * 1024;
  }

  async sendBody(topic: string, body: SendBody): Promise<SendAnswer> {
    const context = this.deps.buildContext();
    const { service } = this.deps;
    if (body.form === "rocketmq-batch") {
      const batch = decodeBatch(body.bytes);
      if (batch.length === 0) throw new SkiffError("BAD_REQUEST", "the batch is empty");
      return { kind: "batch", results: await service.send(topic, batch.map((m) => buildFromBatch(m, body.queueId, context)), { batch: true }) };
    }
    const raw = parseJsonBytes(body.bytes);
    if (typeof raw === "object" && raw !== null && "messages" in raw) {
      const count = Array.isArray(raw.messages) ? raw.messages.length : 0;
      if (count > BATCH_MESSAGES_MAX) {
        throw new SkiffError("BATCH_TOO_LARGE", `the batch holds ${count} messages, more than ${BATCH_MESSAGES_MAX}; split it into batches of at most ${BATCH_MESSAGES_MAX}`);
      }
      const { messages } = checked(batchSchema, raw);
      return { kind: "batch", results: await service.send(topic, messages.map((m) => buildFromJson(m, context)), { batch: true }) };
    }
    const [result] = await service.send(topic, [buildFromJson(checked(messageSchema, raw), context)]);
    return { kind: "single", result };
  }

  /** A RocketMQ producer's send (see the header); one result per stored message. */
  async sendRemoting(send: RemotingSend): Promise<SendResult[]> {
    const base = this.deps.buildContext(); // its store host is `brokerIP1:listenPort`
    const context: BuildContext = { ...base, bornHost: hostOr(this.hosts, send.producerAddress, base.storeHost) };
    if (!send.batch) return this.deps.service.send(send.topic, [buildFromRemoting(send.body, send.fields, context)], send.options);
    const batch = decodeBatch(send.body);
    if (batch.length === 0) throw new SkiffError("BAD_REQUEST", "the batch is empty");
    return this.deps.service.send(send.topic, buildFromRemotingBatch(batch, send.fields, context), { ...send.options, batch: true });
  }
}

/** The producer's address as a record's born host; a form that is not ip:port (never from TCP) stores `fallback`. */
function hostOr(hosts: HostAddressCache, address: string, fallback: HostAddress): HostAddress {
  try {
    return hosts.parse(address);
  } catch {
    return fallback;
  }
}
