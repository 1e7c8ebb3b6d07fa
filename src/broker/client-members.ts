/**
 * The clients of one producer or consumer group (RocketMQ's `ClientChannelInfo` table), keyed by
 * client id (`clientIP@instanceName`): the channel each one heartbeats on, its language and
 * version (from the request's header), and when it was last heard from.
 *
 * A client that reconnects heartbeats on a new channel: its entry moves to that channel, and the
 * old channel's close no longer removes it. One channel may carry several client ids (a process
 * with two client instances); each is its own member.
 */
import type { RemotingChannel } from "../remoting/remoting-server.ts";

/** A connection a client heartbeats on (a remoting channel, or a test's fake). */
export type ClientChannel = Pick<RemotingChannel, "id" | "remoteAddress" | "isOpen" | "sendOneway" | "onClose" | "close">;

export interface ClientIdentity {
  readonly clientId: string;
  /** `JAVA`, `CPP`, `GO` … as the request's header says. */
  readonly language: string;
  /** The client's `MQVersion` ordinal (407 = 4.9.7, 479 = 5.3.3). */
  readonly version: number;
}

export interface ClientConnection extends ClientIdentity {
  /** `ip:port` of the client's end of the connection. */
  readonly clientAddr: string;
}

interface Member extends ClientIdentity {
  readonly channel: ClientChannel;
  lastHeartbeatMs: number;
}

export class ClientMembers {
  private readonly members = new Map<string, Member>();

  get size(): number {
    return this.members.size;
  }

  has(clientId: string): boolean {
    return this.members.has(clientId);
  }

  /** Adds or refreshes `client` on `channel`; true when the client id is new to the group. */
  upsert(channel: ClientChannel, client: ClientIdentity, nowMs: number): boolean {
    const old = this.members.get(client.clientId);
    if (old && old.channel === channel && old.language === client.language && old.version === client.version) {
      old.lastHeartbeatMs = nowMs;
      return false;
    }
    this.members.set(client.clientId, { ...client, channel, lastHeartbeatMs: nowMs });
    return old === undefined;
  }

  remove(clientId: string): boolean {
    return this.members.delete(clientId);
  }

  /** Removes every member on `channel`; returns how many. */
  removeChannel(channel: ClientChannel): number {
    let removed = 0;
    for (const [clientId, member] of this.members) {
      if (member.channel === channel && this.members.delete(clientId)) removed++;
    }
    return removed;
  }

  /** Removes the members not heard from for more than `timeoutMs`; returns their channels. */
  removeExpired(nowMs: number, timeoutMs: number): ClientChannel[] {
    const channels: ClientChannel[] = [];
    for (const [clientId, member] of this.members) {
      if (nowMs - member.lastHeartbeatMs <= timeoutMs) continue;
      this.members.delete(clientId);
      channels.push(member.channel);
    }
    return channels;
  }

  clientIds(): string[] {
    return [...this.members.keys()];
  }

  /** Each channel once, in the order its first member joined. */
  channels(): ClientChannel[] {
    return [...new Set([...this.members.values()].map((m) => m.channel))];
  }

  connections(): ClientConnection[] {
    return [...this.members.values()].map((m) => ({ clientId: m.clientId, clientAddr: m.channel.remoteAddress, language: m.language, version: m.version }));
  }
}
