/**
 * The broker's configuration over remoting (`mqadmin updateBrokerConfig` / `getBrokerConfig`);
 * what may change live, and how, is BrokerConfigService's (src/broker/config-service.ts).
 *
 * | code                   | request                                          | answer                                            |
 * |------------------------|--------------------------------------------------|---------------------------------------------------|
 * | 25 UPDATE_BROKER_CONFIG | no header; body = Java properties text (`deleteWhen=19;20\n`) | 0, no remark; 1 with the reason (a key that cannot change, a bad value) |
 * | 26 GET_BROKER_CONFIG   | none                                             | 0 + `key=value\n` lines; header `version` = the configuration's DataVersion JSON `{"counter":1,"timestamp":…}` |
 *
 * An empty body changes nothing and succeeds, as in Java.
 */
import { utf8Encode } from "../../core/bytes.ts";
import { SkiffError } from "../../core/errors.ts";
import { stringifyFastjson } from "../../codec/fastjson.ts";
import { parseProperties } from "../../config/properties.ts";
import type { BrokerRuntime } from "../../broker/runtime.ts";
import { RequestCode, ResponseCode } from "../../remoting/codes.ts";
import type { RemotingProcessor } from "../../remoting/remoting-server.ts";

export function configProcessors(runtime: BrokerRuntime): ReadonlyArray<readonly [number, RemotingProcessor]> {
  const { configuration } = runtime;

  const updateBrokerConfig: RemotingProcessor = (request) => {
    if (request.body.byteLength === 0) return { code: ResponseCode.SUCCESS };
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(request.body);
    } catch {
      throw new SkiffError("REMOTING_BODY_INVALID", "the body of UPDATE_BROKER_CONFIG is not UTF-8 properties text");
    }
    configuration.update(parseProperties(text, "UPDATE_BROKER_CONFIG body"));
    return { code: ResponseCode.SUCCESS };
  };

  const getBrokerConfig: RemotingProcessor = () => ({
    code: ResponseCode.SUCCESS,
    extFields: { version: stringifyFastjson({ ...configuration.dataVersion.toJson() }) },
    body: utf8Encode(configuration.properties().map(([key, value]) => `${key}=${value}\n`).join("")),
  });

  return [
    [RequestCode.UPDATE_BROKER_CONFIG, updateBrokerConfig],
    [RequestCode.GET_BROKER_CONFIG, getBrokerConfig],
  ];
}
