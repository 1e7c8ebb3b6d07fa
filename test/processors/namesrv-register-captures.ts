/**
 * REGISTER_BROKER requests of real Apache RocketMQ brokers, for the name-server processor tests.
 *
 * Provenance: captured on 2026-12-02 with a recording TCP relay (the one of
 * test/interop/rocketmq/capture-remoting.ts) between a fresh broker and a real name server of the
 * same version on loopback (Java 17, Maven Central jars, test/interop/rocketmq/java-peers.ts's
 * `brokerConf`, brokerIP1 127.0.0.1): the first frame the broker wrote, its JSON header and its
 * body byte for byte. Each header's `bodyCrc32` is the CRC of its body, so a changed byte fails.
 * The real name servers answered the JSON ones `{"code":0,"extFields":{},…}` (a master: no field),
 * and the 5.3.3 compressed one SYSTEM_ERROR (its header says "false" for a zlib body).
 */
import { fromHex, utf8Encode } from "../../src/core/bytes.ts";

export interface CapturedRegistration {
  /** The request's JSON header as the broker wrote it. */
  readonly header: string;
  readonly body: Uint8Array;
}

/** The whole request frame: length, header length, header, body. */
export function registrationFrame(capture: CapturedRegistration, opaque?: number): Uint8Array {
  const header = utf8Encode(opaque === undefined ? capture.header : capture.header.replace(/"opaque":\d+/, `"opaque":${opaque}`));
  const frame = new Uint8Array(8 + header.byteLength + capture.body.byteLength);
  const view = new DataView(frame.buffer);
  view.setInt32(0, 4 + header.byteLength + capture.body.byteLength);
  view.setInt32(4, header.byteLength);
  frame.set(header, 8);
  frame.set(capture.body, 8 + header.byteLength);
  return frame;
}

function hex(...lines: string[]): Uint8Array {
  return fromHex(lines.join(""));
}

/** 4.9.7 master, JSON body (default `compressedRegister=false`). */
export const JAVA_497: CapturedRegistration = {
  header:
    '{"code":103,"extFields":{"brokerId":"0","bodyCrc32":"1196603239","clusterName":"DefaultCluster","brokerAddr":"' +
    '127.0.0.1:47294","haServerAddr":"127.0.0.1:47295","compressed":"false","brokerName":"broker-a"},"flag":0,"lang' +
    'uage":"JAVA","opaque":0,"serializeTypeCurrentRPC":"JSON","version":407}',
  body: utf8Encode(
    '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":0,"timestamp":1796185660072},"t' +
    'opicConfigTable":{"SCHEDULE_TOPIC_XXXX":{"order":false,"perm":6,"readQueueNums":18,"topicFilterType":"SINGLE_T' +
    'AG","topicName":"SCHEDULE_TOPIC_XXXX","topicSysFlag":0,"writeQueueNums":18},"SELF_TEST_TOPIC":{"order":false,"' +
    'perm":6,"readQueueNums":1,"topicFilterType":"SINGLE_TAG","topicName":"SELF_TEST_TOPIC","topicSysFlag":0,"write' +
    'QueueNums":1},"DefaultCluster":{"order":false,"perm":7,"readQueueNums":16,"topicFilterType":"SINGLE_TAG","topi' +
    'cName":"DefaultCluster","topicSysFlag":0,"writeQueueNums":16},"DefaultCluster_REPLY_TOPIC":{"order":false,"per' +
    'm":6,"readQueueNums":1,"topicFilterType":"SINGLE_TAG","topicName":"DefaultCluster_REPLY_TOPIC","topicSysFlag":' +
    '0,"writeQueueNums":1},"broker-a":{"order":false,"perm":7,"readQueueNums":1,"topicFilterType":"SINGLE_TAG","top' +
    'icName":"broker-a","topicSysFlag":0,"writeQueueNums":1},"TBW102":{"order":false,"perm":7,"readQueueNums":8,"to' +
    'picFilterType":"SINGLE_TAG","topicName":"TBW102","topicSysFlag":0,"writeQueueNums":8},"BenchmarkTest":{"order"' +
    ':false,"perm":6,"readQueueNums":1024,"topicFilterType":"SINGLE_TAG","topicName":"BenchmarkTest","topicSysFlag"' +
    ':0,"writeQueueNums":1024},"OFFSET_MOVED_EVENT":{"order":false,"perm":6,"readQueueNums":1,"topicFilterType":"SI' +
    'NGLE_TAG","topicName":"OFFSET_MOVED_EVENT","topicSysFlag":0,"writeQueueNums":1}}}}',
  ),
};

/** 5.3.3 master, JSON body (5.x adds stateVersion, attributes, mappingDataVersion and the mapping maps). */
export const JAVA_533: CapturedRegistration = {
  header:
    '{"code":103,"extFields":{"brokerId":"0","bodyCrc32":"501717103","clusterName":"DefaultCluster","brokerAddr":"1' +
    '27.0.0.1:30616","enableActingMaster":"false","haServerAddr":"127.0.0.1:30617","compressed":"false","brokerName' +
    '":"broker-a"},"flag":0,"language":"JAVA","opaque":0,"serializeTypeCurrentRPC":"JSON","version":479}',
  body: utf8Encode(
    '{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{"counter":0,"stateVersion":0,"timestamp":' +
    '1796185720891},"mappingDataVersion":{"counter":0,"stateVersion":0,"timestamp":1796185733401},"topicConfigTable' +
    '":{"RMQ_SYS_TRANS_HALF_TOPIC":{"attributes":{},"order":false,"perm":6,"readQueueNums":1,"topicFilterType":"SIN' +
    'GLE_TAG","topicName":"RMQ_SYS_TRANS_HALF_TOPIC","topicSysFlag":0,"writeQueueNums":1},"BenchmarkTest":{"attribu' +
    'tes":{},"order":false,"perm":6,"readQueueNums":1024,"topicFilterType":"SINGLE_TAG","topicName":"BenchmarkTest"' +
    ',"topicSysFlag":0,"writeQueueNums":1024},"OFFSET_MOVED_EVENT":{"attributes":{},"order":false,"perm":6,"readQue' +
    'ueNums":1,"topicFilterType":"SINGLE_TAG","topicName":"OFFSET_MOVED_EVENT","topicSysFlag":0,"writeQueueNums":1}' +
    ',"TBW102":{"attributes":{},"order":false,"perm":7,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName"' +
    ':"TBW102","topicSysFlag":0,"writeQueueNums":8},"rmq_sys_REVIVE_LOG_DefaultCluster":{"attributes":{},"order":fa' +
    'lse,"perm":6,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"rmq_sys_REVIVE_LOG_DefaultCluster",' +
    '"topicSysFlag":0,"writeQueueNums":8},"SELF_TEST_TOPIC":{"attributes":{},"order":false,"perm":6,"readQueueNums"' +
    ':1,"topicFilterType":"SINGLE_TAG","topicName":"SELF_TEST_TOPIC","topicSysFlag":0,"writeQueueNums":1},"DefaultC' +
    'luster":{"attributes":{},"order":false,"perm":7,"readQueueNums":16,"topicFilterType":"SINGLE_TAG","topicName":' +
    '"DefaultCluster","topicSysFlag":0,"writeQueueNums":16},"SCHEDULE_TOPIC_XXXX":{"attributes":{},"order":false,"p' +
    'erm":6,"readQueueNums":18,"topicFilterType":"SINGLE_TAG","topicName":"SCHEDULE_TOPIC_XXXX","topicSysFlag":0,"w' +
    'riteQueueNums":18},"DefaultCluster_REPLY_TOPIC":{"attributes":{},"order":false,"perm":6,"readQueueNums":1,"top' +
    'icFilterType":"SINGLE_TAG","topicName":"DefaultCluster_REPLY_TOPIC","topicSysFlag":0,"writeQueueNums":1},"rmq_' +
    'sys_wheel_timer":{"attributes":{},"order":false,"perm":6,"readQueueNums":1,"topicFilterType":"SINGLE_TAG","top' +
    'icName":"rmq_sys_wheel_timer","topicSysFlag":0,"writeQueueNums":1},"rmq_sys_SYNC_BROKER_MEMBER_broker-a":{"att' +
    'ributes":{},"order":false,"perm":1,"readQueueNums":1,"topicFilterType":"SINGLE_TAG","topicName":"rmq_sys_SYNC_' +
    'BROKER_MEMBER_broker-a","topicSysFlag":0,"writeQueueNums":1},"RMQ_SYS_TRANS_OP_HALF_TOPIC":{"attributes":{},"o' +
    'rder":false,"perm":6,"readQueueNums":1,"topicFilterType":"SINGLE_TAG","topicName":"RMQ_SYS_TRANS_OP_HALF_TOPIC' +
    '","topicSysFlag":0,"writeQueueNums":1},"broker-a":{"attributes":{},"order":false,"perm":7,"readQueueNums":1,"t' +
    'opicFilterType":"SINGLE_TAG","topicName":"broker-a","topicSysFlag":0,"writeQueueNums":1}},"topicQueueMappingDe' +
    'tailMap":{},"topicQueueMappingInfoMap":{}}}',
  ),
};

/** 4.9.7 master with `compressedRegister=true`: zlib body, header `compressed` "true". */
export const JAVA_497_COMPRESSED: CapturedRegistration = {
  header:
    '{"code":103,"extFields":{"brokerId":"0","bodyCrc32":"2050563607","clusterName":"DefaultCluster","brokerAddr":"' +
    '127.0.0.1:51194","haServerAddr":"127.0.0.1:51195","compressed":"true","brokerName":"broker-a"},"flag":0,"langu' +
    'age":"JAVA","opaque":0,"serializeTypeCurrentRPC":"JSON","version":407}',
  body: hex(
    "78da63606050af564ace2fcd2b492d52b232d0512ac9cc4d2d2e49cc2d50b23234b73433b43035070213835a0606060e2056",
    "0b76f6707509f5718d0ff10ff0748e8f000205430b10325308f6f47307c938ba03556abba4a62596e69438e79416034d8f0f",
    "720df08984e85230044234e52a4ea979c919b98945d921400728181a189940083475cafe6e6ec1ae21f1befe61ae2ef1ae61",
    "ae7e21d88c934c2acacf4e2dd24d044b9aa34a8a87388503cd56b0004234298560571fb7f810d7e010dc4e5544f59982a119",
    "08a119c4141d0b0036f55975",
  ),
};

/** 5.3.3 master with `compressedRegister=true`: zlib body, but the header says `compressed` "false" (the real 5.3.3 name server answered SYSTEM_ERROR with a NullPointerException). */
export const JAVA_533_COMPRESSED: CapturedRegistration = {
  header:
    '{"code":103,"extFields":{"brokerId":"0","bodyCrc32":"650966493","clusterName":"DefaultCluster","brokerAddr":"1' +
    '27.0.0.1:20273","enableActingMaster":"false","haServerAddr":"127.0.0.1:20274","compressed":"false","brokerName' +
    '":"broker-a"},"flag":0,"language":"JAVA","opaque":0,"serializeTypeCurrentRPC":"JSON","version":479}',
  body: hex(
    "78da85506d4bc330100e7ef70f881f4a154598ba886bba7d5bbbec05fb329b581d22471d918dad9ba61d22c3ff6e52d98719",
    "3673970bdc3d7779ee4108b96b7bbc5c2d4a21ed56bd661765568a54c862ba5c5489729a0b95ccdfed16264d07bb0dd22484",
    "d4bf114287ead692f01ed888014fda11837e3be8028f8703dfc2ca1c8b0da25e4081b77bd65af79c7b62319ee4999c7135d7",
    "c2f59bdbdf60428fb8f7a84a96ab8c18d586cc3fa0f82a20a1e920a510c43de888b76c352ffdf9aa500b558de6d813463547",
    "caf85ea217ccefd3ce834e69143ca9636157bb09bedafe59711a06a3fd3a6ce87f4e8498839659ee805e6f4b1c0fff57f9f8",
    "552e67425e6655dd14ef2cee7619e510c629ed004d69c4774c3afda32976b49b13c9661f368a7cf092f88e2610d2d053cf16",
    "196cb41e3cbfa8887e008cdcb417",
  ),
};
