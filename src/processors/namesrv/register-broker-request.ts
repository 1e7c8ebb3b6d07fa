/**
 * REGISTER_BROKER (103) as Java brokers (4.9.7, 5.3.3) and Skiff's own client
 * (`src/namesrv/register-broker-remoting.ts`) send it, read into a checked `BrokerRegistration`.
 *
 * Header (extFields, RocketMQ's `RegisterBrokerRequestHeader`):
 *
 * | field                  | required | meaning                                                        |
 * |------------------------|----------|----------------------------------------------------------------|
 * | brokerName             | yes      |                                                                |
 * | brokerAddr             | yes      | `brokerIP1:listenPort`, what clients dial                      |
 * | clusterName            | yes      |                                                                |
 * | haServerAddr           | yes      | `brokerIP2:haListenPort`, what slaves dial                     |
 * | brokerId               | yes      | long; 0 = master                                               |
 * | compressed             | no       | boolean; the body's form (see `src/codec/register-broker-body.ts`) |
 * | bodyCrc32              | no       | int, `crc32(body) & 0x7FFFFFFF`; 0 or absent = not checked     |
 * | enableActingMaster, heartbeatTimeoutMillis, __ZONE_NAME | no | 5.x; read by nobody here (no slave acting master, one expiry for all) |
 * | httpAddr               | no       | Skiff's extension: the broker's HTTP API (`brokerIP1:httpListenPort`) |
 *
 * Body: RegisterBrokerBody (JSON or compressed); an empty body is an empty topic table with data
 * version 0/0, as on a Java name server. A missing or malformed field is REMOTING_HEADER_INVALID,
 * a crc32 mismatch REMOTING_BODY_INVALID "crc32 not match" (Java's remark), a body that does not
 * decode or fails the route schema REMOTING_BODY_INVALID: all answered SYSTEM_ERROR with the reason.
 */
import { z } from "zod";
import { bodyCrc } from "../../codec/crc32.ts";
import { decodeRegisterBrokerBody, isCompressedBody } from "../../codec/register-broker-body.ts";
import { describeIssues } from "../../core/checked.ts";
import { SkiffError } from "../../core/errors.ts";
import type { BrokerRegistration } from "../../contract/namesrv-http.ts";
import { registrationSchema } from "../../namesrv/route-schema.ts";
import { FRAME_MAX_BYTES, type RemotingCommand } from "../../remoting/remoting-command.ts";
import { RequestHeader } from "../../remoting/request-header.ts";

const headerSchema = registrationSchema.pick({ clusterName: true, brokerName: true, brokerId: true, brokerAddr: true, haServerAddr: true, httpAddr: true });

const bodySchema = z.object({
  filterServerList: z.array(z.string()).optional(),
  topicConfigSerializeWrapper: registrationSchema.shape.topicConfig,
});

/** The header fields every broker request to the name server names itself with (103, 104, 322). */
export interface BrokerAtAddress {
  readonly clusterName: string;
  readonly brokerName: string;
  readonly brokerId: number;
  readonly brokerAddr: string;
}

export function brokerAtAddress(request: RemotingCommand): BrokerAtAddress {
  const header = new RequestHeader(request.extFields);
  const fields = { brokerName: header.string("brokerName"), brokerAddr: header.string("brokerAddr"), clusterName: header.string("clusterName"), brokerId: header.long("brokerId") };
  return checkHeader(headerSchema.pick({ clusterName: true, brokerName: true, brokerId: true, brokerAddr: true }), fields);
}

export async function readRegisterBroker(request: RemotingCommand): Promise<BrokerRegistration> {
  const header = new RequestHeader(request.extFields);
  const fields = checkHeader(headerSchema, {
    ...brokerAtAddress(request),
    haServerAddr: header.string("haServerAddr"),
    httpAddr: header.optionalString("httpAddr"),
  });
  const crc = header.optionalInt("bodyCrc32") ?? 0;
  if (crc !== 0 && crc !== bodyCrc(request.body)) throw new SkiffError("REMOTING_BODY_INVALID", "crc32 not match");
  const { httpAddr, ...rest } = fields;
  const topicConfig = request.body.byteLength === 0 ? { dataVersion: { counter: 0, timestamp: 0 }, topicConfigTable: {} } : await readBody(request, header);
  return { ...rest, ...(httpAddr === undefined ? {} : { httpAddr }), topicConfig };
}

async function readBody(request: RemotingCommand, header: RequestHeader): Promise<BrokerRegistration["topicConfig"]> {
  const compressed = isCompressedBody(request.body, header.bool("compressed"));
  const raw = await decodeRegisterBrokerBody(request.body, compressed, request.version, FRAME_MAX_BYTES);
  const result = bodySchema.safeParse(raw);
  if (!result.success) throw new SkiffError("REMOTING_BODY_INVALID", `the RegisterBrokerBody is invalid: ${describeIssues(result.error.issues)}`);
  return result.data.topicConfigSerializeWrapper;
}

function checkHeader<Schema extends z.ZodType>(schema: Schema, fields: unknown): z.output<Schema> {
  const result = schema.safeParse(fields);
  if (!result.success) throw new SkiffError("REMOTING_HEADER_INVALID", `the request header is invalid: ${describeIssues(result.error.issues)}`);
  return result.data;
}
