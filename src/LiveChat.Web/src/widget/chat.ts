// The visitor's side of the protocol (docs/protocol.md, sections 6.2, 7 and 8): one hub connection, the conversation it
// follows, the messages in seq order exactly once, and the messages still to be delivered.
import { connectHub, signalR } from "../shared/hub";
import { newId, reason } from "../shared/api";
import type { Announcement, ChatMessage, ConversationView, MessageAck, ReadReceipt, TypingIndicator } from "../shared/protocol";

export type ConnectionState = "connecting" | "connected" | "reconnecting";

/** What the chat tells the panel. Messages come in seq order, each once. */
export interface ChatEvents {
  message(message: ChatMessage): void;
  conversation(view: ConversationView): void;
  typing(indicator: TypingIndicator): void;
  agentRead(seq: number): void;
  announcement(announcement: Announcement): void;
  announcementWithdrawn(id: string): void;
  connection(state: ConnectionState, problem?: string): void;
  delivered(clientMessageId: string): void;
  refused(clientMessageId: string, reason: string): void;
  failed(problem: string): void;
}

interface Outgoing {
  clientMessageId: string;
  text: string;
}

const pageSize = 500;
const startRetryMs = [1000, 2000, 5000, 10000];

/**
 * A refusal (with the server's reason) or a server fault: the same call would fail again. Anything else is a dropped
 * connection, worth trying again with the same clientMessageId.
 */
function isRefusal(error: unknown): boolean {
  return error instanceof Error && (error.message.includes("HubException:") || error.message.startsWith("An unexpected error occurred invoking"));
}

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
    this.hub.onreconnecting(() => events.connection("reconnecting"));
    this.hub.onreconnected(() => {
      events.connection("connected");
      void this.resync();
    });
  }

  get conversation(): ConversationView | null {
    return this.view;
  }

  get connected(): boolean {
    return this.hub.state === signalR.HubConnectionState.Connected;
  }

  /** Opens the connection, trying again until the server answers; the hub reconnects by itself after that. */
  async connect(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      this.events.connection("connecting");
      try {
        await this.hub.start();
        this.events.connection("connected");
        return;
      } catch {
        this.events.connection("connecting", "Cannot connect to the chat server. Trying again…");
        await new Promise((resolve) => setTimeout(resolve, startRetryMs[Math.min(attempt, startRetryMs.length - 1)]));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.hub.stop();
  }

  /** The visitor's conversation with this id, or the open one in the queue, or null when there is none to continue. */
  async findOpen(conversationId: string | null, queue: string | null): Promise<ConversationView | null> {
    const mine = await this.hub.invoke<ConversationView[]>("GetMyConversations");
    const open = mine.filter((view) => view.status !== "Closed");
    return open.find((view) => view.conversationId === conversationId) ?? (queue === null ? null : open.find((view) => view.queue === queue) ?? null);
  }

  async start(queue: string | null): Promise<ConversationView> {
    const view = await this.hub.invoke<ConversationView>("StartConversation", { queue, topic: null, text: null });
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
    this.outbox.push({ clientMessageId, text });
    void this.flush();
    return clientMessageId;
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
          for (const message of page) if (message.seq === this.lastSeq + 1) this.show(message);
          if (page.length < pageSize) return;
        }
      } catch (error) {
        // A dropped connection catches up again on reconnect; a refusal is worth telling.
        if (isRefusal(error)) this.events.failed(`Could not load the messages: ${reason(error)}`);
      }
    });
    return this.catchingUp;
  }

  /** After a reconnect: the conversation's state and messages may have moved on, and the outbox waits. */
  private async resync(): Promise<void> {
    if (!this.view) return;
    try {
      const mine = await this.hub.invoke<ConversationView[]>("GetMyConversations");
      const current = mine.find((view) => view.conversationId === this.view?.conversationId);
      if (current) this.updated(current);
    } catch {
      // The next reconnect tries again.
    }
    await this.catchUp();
    this.readSent = 0;
    await this.flush();
  }

  /** Sends the outbox in order. A message whose send dropped stays first and goes again, with the same id, on reconnect. */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.outbox.length > 0 && this.view && this.connected) {
        const next = this.outbox[0];
        try {
          const ack = await this.hub.invoke<MessageAck>("SendMessage", this.view.conversationId, next.clientMessageId, next.text);
          this.outbox.shift();
          if (ack.seq > this.lastSeq) await this.catchUp();
          this.events.delivered(next.clientMessageId);
        } catch (error) {
          // Dropped: the reconnect flushes again, unless it already happened while this send hung.
          if (!isRefusal(error)) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            continue;
          }
          this.outbox.shift();
          this.events.refused(next.clientMessageId, reason(error));
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
