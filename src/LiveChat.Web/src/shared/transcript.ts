// A conversation's messages, whispers and notes as staff read them: one list in time order, internal ones set apart.
import { h } from "./dom";
import { clock } from "./format";
import type { signalR } from "./hub";
import type { ChatMessage } from "./protocol";

const pageSize = 200;

/**
 * A conversation's two streams (messages; whispers and notes), each kept in seq order with no gaps but those the store
 * itself has, so each has one `last` to resume from and duplicates are dropped by seq.
 */
export class Streams {
  readonly messages: ChatMessage[] = [];
  readonly internal: ChatMessage[] = [];

  get lastSeq(): number {
    return this.messages.at(-1)?.seq ?? 0;
  }

  get lastInternalSeq(): number {
    return this.internal.at(-1)?.seq ?? 0;
  }

  /**
   * Adds the next message of its stream: "added", "known" (a duplicate) or "gap" (something is missing before it). A
   * pushed message after a gap waits for a fetch; a `fetched` one is what the store holds after `last`, so a gap before
   * it is one the store has too (the last second of writes a Redis with `appendfsync everysec` lost with its machine),
   * which nothing will ever fill.
   */
  add(message: ChatMessage, fetched = false): "added" | "known" | "gap" {
    const list = message.kind === "message" ? this.messages : this.internal;
    const last = list.at(-1)?.seq ?? 0;
    if (message.seq <= last) return "known";
    if (message.seq > last + 1 && !fetched) return "gap";
    list.push(message);
    return "added";
  }

  /** Both streams in time order; within a stream, seq decides. */
  timeline(): ChatMessage[] {
    const all: ChatMessage[] = [];
    let i = 0;
    let j = 0;
    while (i < this.messages.length || j < this.internal.length) {
      const a = this.messages[i];
      const b = this.internal[j];
      if (b === undefined || (a !== undefined && Date.parse(a.sentAt) <= Date.parse(b.sentAt))) {
        all.push(a!);
        i++;
      } else {
        all.push(b);
        j++;
      }
    }
    return all;
  }
}

/**
 * Fetches what `streams` misses of a conversation: every message and every whisper or note after each stream's last
 * seq, page by page. Returns the ones added, in the order added.
 */
export async function fetchMissing(hub: signalR.HubConnection, conversationId: string, streams: Streams): Promise<ChatMessage[]> {
  const added: ChatMessage[] = [];
  for (const [method, last] of [["GetMessages", () => streams.lastSeq], ["GetInternalMessages", () => streams.lastInternalSeq]] as const) {
    for (;;) {
      const page = await hub.invoke<ChatMessage[]>(method, conversationId, last(), pageSize);
      for (const message of page) if (streams.add(message, true) === "added") added.push(message);
      if (page.length < pageSize) break;
    }
  }
  return added;
}

/** One entry of a transcript. Text is only ever set as text. */
export function messageItem(message: ChatMessage, me: string | null): HTMLLIElement {
  const time = h("time", { datetime: message.sentAt, className: "msg-time" }, clock(message.sentAt));
  if (message.senderRole === "system")
    return h("li", { className: "msg system", "data-seq": message.seq }, h("span", { className: "msg-text" }, message.text), " ", time);

  let kind: string;
  let label: string;
  if (message.kind === "whisper") {
    kind = "internal whisper";
    label = `Whisper from ${message.senderName}`;
  } else if (message.kind === "note") {
    kind = "internal note";
    label = `Note by ${message.senderName}`;
  } else if (message.senderRole === "visitor") {
    kind = "visitor";
    label = message.senderName;
  } else {
    kind = message.senderId === me ? "staff mine" : "staff";
    label = message.senderName;
  }
  return h(
    "li",
    { className: `msg ${kind}`, "data-seq": message.seq, "data-kind": message.kind },
    h("div", { className: "msg-meta" }, h("span", { className: "msg-sender" }, label), time),
    h("p", { className: "msg-text" }, message.text),
  );
}
