// Watching one conversation: its history and live events, whispers to its agent, notes, and taking it over.
// Watching belongs to the connection, so after a reconnect the conversation is watched again and merged by seq.
import { newId, reason } from "../shared/api";
import { h, replace, text } from "../shared/dom";
import { signalR } from "../shared/hub";
import type { ChatMessage, ConversationView, MessageAck, TypingIndicator, WatchedConversation } from "../shared/protocol";
import { hubWait } from "../shared/retry";
import { fetchMissing, messageItem, Streams } from "../shared/transcript";

/** A whisper or note on its way, with the id it keeps through every retry. */
interface Outgoing {
  conversationId: string;
  clientMessageId: string;
  text: string;
  kind: "whisper" | "note";
  tries: number;
}

export class WatchPanel {
  readonly element: HTMLElement;
  private view: ConversationView | null = null;
  private streams = new Streams();
  private typingWho: string | null = null;
  /** The id of the whisper or note being written, kept until it is acknowledged so a retry is not stored twice. */
  private draftId = newId();
  private draftText = "";
  private outgoing: Outgoing | null = null;
  private sending = false;

  private readonly title = h("h1", { id: "watch-title" }, "Conversation");
  private readonly meta = h("p", { className: "conversation-meta" });
  private readonly actions = h("div", { className: "conversation-actions" });
  private readonly notice = h("div", { className: "notice", role: "status" });
  private readonly transcript = h("ol", { className: "transcript", "aria-label": "Messages", "aria-live": "polite" });
  private readonly typing = h("p", { className: "typing", "aria-live": "polite" });
  private readonly input = h("textarea", { id: "watch-composer", rows: 2, "aria-label": "Whisper to the agent", placeholder: "Whisper to the agent (the visitor never sees it)…" });
  private readonly whisper = h("input", { type: "radio", name: "watch-kind", value: "whisper", id: "watch-kind-whisper", checked: true });
  private readonly note = h("input", { type: "radio", name: "watch-kind", value: "note", id: "watch-kind-note" });
  private readonly send = h("button", { type: "submit", className: "primary" }, "Whisper");
  private readonly error = h("p", { className: "form-error", role: "alert" });
  private readonly body: HTMLElement;
  private readonly placeholder = h("div", { className: "pane-empty" }, h("h2", null, "No conversation watched"), h("p", null, "On the Floor, expand an agent or a queue and choose Watch."));

  constructor(private readonly hub: signalR.HubConnection, private readonly onChange: (title: string | null) => void) {
    for (const radio of [this.whisper, this.note]) radio.addEventListener("change", () => this.renderMode());
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    const form = h(
      "form",
      { className: "composer watch-composer", onsubmit: (event: SubmitEvent) => { event.preventDefault(); void this.submit(); } },
      this.input,
      h(
        "div",
        { className: "composer-bar" },
        h("fieldset", { className: "kind-switch" }, h("legend", { className: "visually-hidden" }, "Write a"), this.whisper, h("label", { for: this.whisper.id }, "Whisper"), this.note, h("label", { for: this.note.id }, "Note")),
        h("span", { className: "hint" }, "Neither is ever shown to the visitor"),
        this.send,
      ),
      this.error,
    );
    this.body = h(
      "div",
      { className: "conversation", hidden: true },
      h("header", { className: "conversation-header" }, h("div", null, this.title, this.meta), this.actions),
      this.notice,
      this.transcript,
      this.typing,
      form,
    );
    this.element = h("section", { className: "watch", "aria-labelledby": "watch-title" }, this.placeholder, this.body);
  }

  get conversationId(): string | null {
    return this.view?.conversationId ?? null;
  }

  async watch(conversationId: string): Promise<void> {
    if (this.view && this.view.conversationId !== conversationId) await this.stop();
    if (this.view?.conversationId !== conversationId) {
      this.streams = new Streams();
      this.typingWho = null;
      replace(this.notice);
      text(this.error, "");
    }
    const watched = await this.hub.invoke<WatchedConversation>("WatchConversation", conversationId);
    this.view = watched.conversation;
    // The snapshot is the latest 200 of each stream; anything older is read first so the seqs have no gap.
    await this.fill(watched);
    this.placeholder.hidden = true;
    this.body.hidden = false;
    this.render();
  }

  /** After a reconnect: watches again (the new connection is not watching anything), and sends what the drop held up. */
  async rewatch(): Promise<void> {
    if (this.view) await this.watch(this.view.conversationId).catch(() => undefined);
    await this.deliver();
  }

  async stop(): Promise<void> {
    const id = this.view?.conversationId;
    this.view = null;
    this.body.hidden = true;
    this.placeholder.hidden = false;
    this.onChange(null);
    if (id) await this.hub.invoke("UnwatchConversation", id).catch(() => undefined);
  }

  received(message: ChatMessage): void {
    if (message.conversationId !== this.view?.conversationId) return;
    const result = this.streams.add(message);
    if (result === "gap") void this.catchUp();
    else if (result === "added") {
      if (message.senderRole === "visitor" && message.kind === "message") this.typingWho = null;
      this.renderTranscript();
      this.renderTyping();
    }
  }

  updated(view: ConversationView): void {
    if (view.conversationId !== this.view?.conversationId) return;
    this.view = view;
    this.renderHeader();
  }

  typingChanged(t: TypingIndicator): void {
    if (t.conversationId !== this.view?.conversationId) return;
    this.typingWho = t.isTyping ? t.senderName : null;
    this.renderTyping();
  }

  showTakenOver(view: ConversationView): void {
    if (view.conversationId === this.view?.conversationId) this.updated(view);
    replace(
      this.notice,
      h("strong", null, `You now hold the conversation with ${view.visitorName}. `),
      "To chat with them, use the ",
      h("a", { href: "/agent", target: "_blank" }, "agent console"),
      " (sign in there with your supervisor account).",
    );
  }

  private async fill(watched: WatchedConversation): Promise<void> {
    const id = watched.conversation.conversationId;
    for (const [list, method, last] of [
      [watched.messages, "GetMessages", () => this.streams.lastSeq],
      [watched.internalMessages, "GetInternalMessages", () => this.streams.lastInternalSeq],
    ] as const) {
      const first = list[0]?.seq ?? 1;
      while (last() + 1 < first) {
        const page = await this.hub.invoke<ChatMessage[]>(method, id, last(), Math.min(500, first - 1 - last()));
        if (page.length === 0) break;
        for (const m of page) this.streams.add(m, true);
      }
      for (const m of list) this.streams.add(m, true);
    }
  }

  private async catchUp(): Promise<void> {
    const id = this.view?.conversationId;
    if (!id) return;
    try {
      await fetchMissing(this.hub, id, this.streams);
      this.renderTranscript();
    } catch {
      // The reconnect watches again.
    }
  }

  private async submit(): Promise<void> {
    const view = this.view;
    const value = this.input.value;
    if (!view || value.trim() === "" || this.outgoing) return;
    if (value !== this.draftText) {
      this.draftId = newId();
      this.draftText = value;
    }
    this.outgoing = { conversationId: view.conversationId, clientMessageId: this.draftId, text: value, kind: this.note.checked ? "note" : "whisper", tries: 0 };
    await this.deliver();
  }

  /**
   * Sends the whisper or note under way until it is acknowledged or refused for good. One whose connection dropped goes
   * when the connection is back (rewatch), one refused for a passing reason after the wait; a final refusal leaves its
   * text in the box, to be sent again by hand with the same id.
   */
  private async deliver(): Promise<void> {
    const out = this.outgoing;
    if (!out || this.sending) return;
    this.sending = true;
    this.send.disabled = true;
    text(this.error, "");
    let again = 0;
    try {
      const ack = await this.hub.invoke<MessageAck>(out.kind === "note" ? "AddNote" : "Whisper", out.conversationId, out.clientMessageId, out.text);
      this.outgoing = null;
      if (this.input.value === out.text) this.input.value = "";
      this.draftId = newId();
      this.draftText = "";
      if (out.conversationId === this.view?.conversationId && ack.seq > this.streams.lastInternalSeq) await this.catchUp();
    } catch (error) {
      const wait = hubWait(error, out.tries++);
      const connected = this.hub.state === signalR.HubConnectionState.Connected;
      if (!wait) {
        this.outgoing = null;
        text(this.error, `Not sent: ${reason(error)}`);
      } else {
        if (connected) again = wait.ms;
        text(this.error, `Not sent yet: ${wait.problem} It is sent ${connected ? `again in ${Math.ceil(wait.ms / 1000)} s` : "once the connection is back"}.`);
      }
    } finally {
      this.sending = false;
      this.send.disabled = this.outgoing !== null;
    }
    if (again > 0) setTimeout(() => void this.deliver(), again);
  }

  private async takeOver(): Promise<void> {
    if (!this.view) return;
    text(this.error, "");
    try {
      this.showTakenOver(await this.hub.invoke<ConversationView>("TakeOver", this.view.conversationId));
    } catch (error) {
      text(this.error, `Not taken over: ${reason(error)}`);
    }
  }

  private render(): void {
    this.renderHeader();
    this.renderTranscript(true);
    this.renderTyping();
    this.renderMode();
  }

  private renderHeader(): void {
    const view = this.view;
    if (!view) return;
    text(this.title, view.visitorName);
    this.onChange(view.visitorName);
    const who = view.status === "Queued" ? `waiting in position ${view.queuePosition ?? "?"}` : view.agentName ? `with ${view.agentName}` : "";
    text(this.meta, [`Queue ${view.queue}`, view.status, who, view.topic ? `Topic: ${view.topic}` : "", view.rating ? `Rated ${view.rating.score}/5` : ""].filter(Boolean).join(" · "));
    const closed = view.status === "Closed";
    replace(
      this.actions,
      closed ? null : h("button", { type: "button", onclick: () => this.takeOver() }, "Take over"),
      h("button", { type: "button", onclick: () => this.stop() }, "Stop watching"),
    );
    this.whisper.disabled = closed;
    if (closed) this.note.checked = true;
    this.renderMode();
  }

  private renderMode(): void {
    const note = this.note.checked;
    this.input.setAttribute("aria-label", note ? "Internal note" : "Whisper to the agent");
    this.input.placeholder = note ? "Write an internal note…" : "Whisper to the agent (the visitor never sees it)…";
    text(this.send, note ? "Add note" : "Whisper");
    this.body.querySelector(".watch-composer")?.classList.toggle("note-mode", note);
  }

  private renderTranscript(force = false): void {
    const nearBottom = this.transcript.scrollHeight - this.transcript.scrollTop - this.transcript.clientHeight < 80;
    replace(this.transcript, ...this.streams.timeline().map((m) => messageItem(m, null)));
    if (force || nearBottom) this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  private renderTyping(): void {
    text(this.typing, this.typingWho ? `${this.typingWho} is typing…` : "");
  }
}
