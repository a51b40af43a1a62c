// The visitor's side of the protocol (docs/protocol.md, sections 6.2, 7 and 8): one hub connection, the conversation it
// follows, the messages in seq order exactly once, and the messages still to be delivered.
import { connectHub, keepConnected, type Link, signalR } from "../shared/hub";
import { newId, reason } from "../shared/api";
import type { Announcement, ChatMessage, ConversationView, MessageAck, ReadReceipt, TypingIndicator, QueueAvailability } from "../shared/protocol";
import { hubWait, patiently, sleep, type Wait } from "../shared/retry";

/** What the chat tells the panel. Messages come in seq order, each once. */
export interface ChatEvents {
  message(message: ChatMessage): void;
  conversation(view: ConversationView): void;
  typing(indicator: TypingIndicator): void;
  agentRead(seq: number): void;
  announcement(announcement: Announcement): void;
  announcementWithdrawn(id: string): void;
  /** A queue started or stopped taking chats (announcements left empty). */
  availability(availability: QueueAvailability): void;
  connection(state: Link): void;
  delivered(clientMessageId: string): void;
  /** The message was refused for good (with the server's reason): it is no longer being sent. */
  refused(clientMessageId: string, reason: string): void;
  failed(problem: string): void;
}

interface Outgoing {
  clientMessageId: string;
  text: string;
  /** Failed tries so far, for the growing wait. */
  tries: number;
}

const pageSize = 500;

export class Chat {
  private readonly hub: signalR.HubConnection;
  private view: ConversationView | null = null;
  private lastSeq = 0;
  private readSent = 0;
  private readonly outbox: Outgoing[] = [];
  private flushing = false;
  private catchingUp: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(baseUrl: string, token: () => string, private readonly events: ChatEvents) {
    this.hub = connectHub(baseUrl, "/hubs/visitor", token);
    // Handlers go on before start(): the active announcements are sent the moment the connection opens.
    this.hub.on("MessageReceived", (message: ChatMessage) => this.received(message));
    this.hub.on("ConversationUpdated", (view: ConversationView) => this.updated(view));
    this.hub.on("TypingChanged", (indicator: TypingIndicator) => {
      if (indicator.conversationId === this.view?.conversationId && indicator.senderRole !== "visitor") events.typing(indicator);
    });
    this.hub.on("ReadReceipt", (receipt: ReadReceipt) => {
      if (receipt.conversationId === this.view?.conversationId && receipt.readerRole !== "visitor") events.agentRead(receipt.seq);
    });
    this.hub.on("AnnouncementPublished", (announcement: Announcement) => events.announcement(announcement));
    this.hub.on("AnnouncementWithdrawn", (id: string) => events.announcementWithdrawn(id));
    this.hub.on("AvailabilityChanged", (availability: QueueAvailability) => events.availability(availability));
  }

  get conversation(): ConversationView | null {
    return this.view;
  }

  get connected(): boolean {
    return this.hub.state === signalR.HubConnectionState.Connected;
  }

  /**
   * Opens the connection and keeps it open while the page lives, whatever closes it; resolves once first connected.
   * After every reconnect the conversation catches up by seq and the outbox goes again.
   */
  connect(): Promise<void> {
    return keepConnected(this.hub, {
      state: (link) => this.events.connection(link),
      sync: () => this.resync(),
      stopped: () => this.stopped,
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.hub.stop();
  }

  /**
   * The visitor's conversation with this id, or the open one in the queue, or null when there is none to continue.
   * Asked again while the connection is down or the server is moving; `waiting` hears of each wait.
   */
  async findOpen(conversationId: string | null, queue: string | null, waiting?: (wait: Wait, now: () => void) => void): Promise<ConversationView | null> {
    const mine = await patiently(() => this.hub.invoke<ConversationView[]>("GetMyConversations"), hubWait, waiting);
    const open = mine.filter((view) => view.status !== "Closed");
    return open.find((view) => view.conversationId === conversationId) ?? (queue === null ? null : open.find((view) => view.queue === queue) ?? null);
  }

  /** Starts a conversation, or gets the open one back: a start made again never opens a second (docs/protocol.md 6.2). */
  async start(queue: string | null, waiting?: (wait: Wait, now: () => void) => void): Promise<ConversationView> {
    const view = await patiently(() => this.hub.invoke<ConversationView>("StartConversation", { queue, topic: null, text: null }), hubWait, waiting);
    await this.follow(view);
    return view;
  }

  /** Follows a conversation from its first message. */
  async follow(view: ConversationView): Promise<void> {
    this.view = view;
    this.lastSeq = 0;
    this.readSent = 0;
    this.events.conversation(view);
    await this.catchUp();
    // Messages written before the conversation had started go now.
    await this.flush();
  }

  /** Leaves the conversation behind (after it closed), keeping the connection for the next one. */
  forget(): void {
    this.view = null;
    this.lastSeq = 0;
    this.readSent = 0;
    this.outbox.length = 0;
  }

  /** Queues a message and sends it as soon as the connection allows; returns its id, kept for every retry. */
  send(text: string): string {
    const clientMessageId = newId();
    this.resend(clientMessageId, text);
    return clientMessageId;
  }

  /** Sends a refused message again, by hand, with its first id: if the first try was stored after all, it is not stored twice. */
  resend(clientMessageId: string, text: string): void {
    this.outbox.push({ clientMessageId, text, tries: 0 });
    void this.flush();
  }

  setTyping(isTyping: boolean): void {
    if (this.view && this.connected) this.hub.invoke("SetTyping", this.view.conversationId, isTyping).catch(() => undefined);
  }

  /** Tells the agent the visitor has read everything shown so far. */
  markRead(): void {
    if (!this.view || !this.connected || this.lastSeq <= this.readSent) return;
    const seq = this.lastSeq;
    this.readSent = seq;
    this.hub.invoke("MarkRead", this.view.conversationId, seq).catch(() => {
      if (this.readSent === seq) this.readSent = 0;
    });
  }

  async close(): Promise<void> {
    if (!this.view) return;
    this.updated(await this.hub.invoke<ConversationView>("CloseConversation", this.view.conversationId));
  }

  async rate(score: number, comment: string | null): Promise<void> {
    if (!this.view) return;
    await this.hub.invoke("RateConversation", this.view.conversationId, score, comment);
  }

  private received(message: ChatMessage): void {
    if (message.conversationId !== this.view?.conversationId || message.seq <= this.lastSeq) return;
    if (message.seq === this.lastSeq + 1) this.show(message);
    else void this.catchUp();
  }

  private show(message: ChatMessage): void {
    this.lastSeq = message.seq;
    this.events.message(message);
  }

  private updated(view: ConversationView): void {
    if (view.conversationId !== this.view?.conversationId) return;
    this.view = view;
    this.events.conversation(view);
    // A view can tell of messages whose push was lost.
    if (view.lastSeq > this.lastSeq) void this.catchUp();
  }

  /** Fetches every message after lastSeq, page by page; one catch-up at a time. */
  private catchUp(): Promise<void> {
    this.catchingUp = this.catchingUp.then(async () => {
      const conversationId = this.view?.conversationId;
      if (!conversationId || !this.connected) return;
      try {
        for (;;) {
          const page = await this.hub.invoke<ChatMessage[]>("GetMessages", conversationId, this.lastSeq, pageSize);
          if (conversationId !== this.view?.conversationId) return;
          // What the store holds after lastSeq, in order: a gap before a message is one the store has too (the last
          // second of writes a Redis with appendfsync everysec lost with its machine), never to be filled.
          for (const message of page) if (message.seq > this.lastSeq) this.show(message);
          if (page.length < pageSize) return;
        }
      } catch (error) {
        // A dropped connection catches up again on reconnect, and so does a server that is moving; a refusal is worth telling.
        if (!hubWait(error, 0)) this.events.failed(`Could not load the messages: ${reason(error)}`);
      }
    });
    return this.catchingUp;
  }

  /** After a (re)connect: the conversation's state and messages may have moved on, and the outbox waits. */
  private async resync(): Promise<void> {
    if (!this.view) return;
    const mine = await this.hub.invoke<ConversationView[]>("GetMyConversations");
    const current = mine.find((view) => view.conversationId === this.view?.conversationId);
    if (current) this.updated(current);
    await this.catchUp();
    this.readSent = 0;
    await this.flush();
  }

  /**
   * Sends the outbox in order, each message with its one id. A send whose connection dropped stays first and goes again
   * on reconnect; one refused for a passing reason (too many messages, a server moving) goes again after the wait the
   * server named; only a final refusal takes it out.
   */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.outbox.length > 0 && this.view && this.connected) {
        const next = this.outbox[0];
        try {
          const ack = await this.hub.invoke<MessageAck>("SendMessage", this.view.conversationId, next.clientMessageId, next.text);
          // forget() may have emptied the outbox meanwhile.
          if (this.outbox[0] === next) this.outbox.shift();
          if (ack.seq > this.lastSeq) await this.catchUp();
          this.events.delivered(next.clientMessageId);
        } catch (error) {
          const wait = hubWait(error, next.tries++);
          if (wait) {
            // Dropped: the reconnect flushes again, unless it already happened while this send hung.
            await sleep(this.connected ? wait.ms : 0);
            continue;
          }
          if (this.outbox[0] === next) this.outbox.shift();
          this.events.refused(next.clientMessageId, reason(error));
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
