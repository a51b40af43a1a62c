// The agent console: every conversation the agent holds, one open at a time, live over /hubs/agent.
// Nothing is lost across reconnects: each conversation keeps the last seq of both its streams and catches up by seq
// (docs/protocol.md, section 8), and unacknowledged messages are resent with the same clientMessageId.
import { newId, reason } from "../shared/api";
import { AnnouncementBanners, beep, brand, ConnectionState, showSignIn, TitleFlash, unlockSound } from "../shared/console";
import { h, replace, text } from "../shared/dom";
import { duration } from "../shared/format";
import { connectHub, keepConnected, signalR } from "../shared/hub";
import type { AgentStatus, AgentView, Announcement, CannedResponse, ChatMessage, ConversationView, MessageAck, ReadReceipt, StaffToken, TypingIndicator, VisitorPresence } from "../shared/protocol";
import { hubWait, isFinalRefusal } from "../shared/retry";
import { endSession, keepRenewed, signOut, storedToken } from "../shared/staff";
import { fetchMissing, messageItem, Streams } from "../shared/transcript";
import { AbsenceNotice } from "./absence";
import { CannedPicker } from "./canned";
import { openTransferDialog } from "./transfer";
import { type Pending, UnsentReplies } from "./unsent";

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;
const VISITOR_TYPING_TIMEOUT_MS = 15000;

interface Conversation {
  view: ConversationView;
  streams: Streams;
  /** The last message seq the agent has seen in this tab; visitor messages after it are unread. */
  readMark: number;
  markSent: number;
  visitorRead: number;
  visitorTyping: boolean;
  visitorTypingTimer?: number;
  pending: Pending[];
  draft: string;
  note: boolean;
  catching: Promise<void> | null;
  catchAgain: boolean;
  item: HTMLLIElement;
}

const app = document.getElementById("app")!;

class AgentConsole {
  private readonly hub: signalR.HubConnection;
  private readonly conversations = new Map<string, Conversation>();
  private me: AgentView | null = null;
  private openId: string | null = null;
  private canned: CannedResponse[] = [];
  private synced = false;
  private stopped = false;
  private typingSentFor: string | null = null;
  private typingSentAt = 0;
  private typingIdle: number | undefined;

  private readonly connection = new ConnectionState();
  private readonly banners = new AnnouncementBanners();
  private readonly flash = new TitleFlash();
  private readonly absence = new AbsenceNotice(() => this.setStatus("Online"));
  private readonly unsent = new UnsentReplies();
  private readonly statusInputs = new Map<AgentStatus, HTMLInputElement>();
  private readonly load = h("span", { className: "load-value" }, "– / –");
  private readonly topError = h("p", { className: "top-error", role: "alert" });
  private readonly notice = h("p", { className: "notice", role: "status" });
  private readonly list = h("ul", { className: "conv-list", "aria-label": "Your conversations" });
  private readonly listEmpty = h("p", { className: "empty" }, "No conversations. Go Online to receive chats.");
  private readonly empty = h("div", { className: "pane-empty" }, h("h2", null, "No conversation open"), h("p", null, "New chats appear on the left, with a sound. Choose one to answer."));
  private readonly title = h("h2", { id: "conversation-title" });
  private readonly meta = h("p", { className: "conversation-meta" });
  private readonly actions = h("div", { className: "conversation-actions" });
  private readonly transcript = h("ol", { className: "transcript", "aria-label": "Messages", "aria-live": "polite" });
  private readonly typing = h("p", { className: "typing", "aria-live": "polite" });
  private readonly composer = h("textarea", { id: "composer", rows: 3, placeholder: "Write a reply…  (/ for canned responses)", "aria-label": "Message", "aria-autocomplete": "list" });
  private readonly noteToggle = h("input", { type: "checkbox", id: "note-toggle" });
  private readonly send = h("button", { type: "submit", className: "primary" }, "Send");
  private readonly composerError = h("p", { className: "form-error", role: "alert" });
  private readonly canned_ = new CannedPicker(this.composer, (value) => this.insertText(value));
  private readonly form: HTMLFormElement;
  private readonly conversationPane: HTMLElement;

  constructor(private readonly token: StaffToken) {
    this.hub = connectHub(location.origin, "/hubs/agent", () => this.token.accessToken);
    keepRenewed("agent", token);
    this.form = this.buildComposer();
    this.conversationPane = h(
      "div",
      { className: "conversation", hidden: true, "aria-labelledby": "conversation-title" },
      h("header", { className: "conversation-header" }, h("div", null, this.title, this.meta), this.actions),
      this.transcript,
      this.typing,
      this.form,
    );
    this.render();
    this.listen();
    document.addEventListener("visibilitychange", () => this.markRead(this.open));
    window.addEventListener("focus", () => this.markRead(this.open));
    document.addEventListener("keydown", (event) => this.shortcuts(event));
    this.connect();
  }

  private get open(): Conversation | null {
    return this.openId ? this.conversations.get(this.openId) ?? null : null;
  }

  // ---- layout ---------------------------------------------------------------------------------------------------

  private render(): void {
    const statuses = h("fieldset", { className: "status-switch" }, h("legend", { className: "visually-hidden" }, "Your status"));
    for (const status of ["Online", "Away", "Offline"] as const) {
      const input = h("input", { type: "radio", name: "status", value: status, id: `status-${status.toLowerCase()}`, onchange: () => this.setStatus(status) });
      this.statusInputs.set(status, input);
      statuses.append(input, h("label", { for: input.id, className: status.toLowerCase() }, status));
    }
    const header = h(
      "header",
      { className: "topbar" },
      brand("Agent console"),
      statuses,
      h("span", { className: "load", title: "Conversations you hold / your limit" }, h("span", { className: "load-label" }, "Load "), this.load),
      h("span", { className: "spacer" }),
      this.connection.element,
      h("span", { className: "who" }, this.token.displayName),
      h("button", { type: "button", className: "link", onclick: () => this.signOut(), title: "Go Offline and sign out" }, "Sign out"),
    );
    replace(
      app,
      header,
      this.banners.element,
      this.topError,
      this.absence.element,
      this.unsent.element,
      h(
        "div",
        { className: "layout" },
        h("nav", { className: "sidebar", "aria-label": "Conversations" }, h("h2", { className: "sidebar-title" }, "Conversations"), this.list, this.listEmpty),
        h("main", { className: "pane" }, this.notice, this.empty, this.conversationPane),
      ),
    );
  }

  private buildComposer(): HTMLFormElement {
    this.composer.addEventListener("keydown", (event) => {
      if (this.canned_.handleKey(event)) return;
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
    this.composer.addEventListener("input", () => this.typed());
    this.noteToggle.addEventListener("change", () => {
      const conversation = this.open;
      if (conversation) conversation.note = this.noteToggle.checked;
      this.stopTyping();
      this.renderComposerMode();
      this.composer.focus();
    });
    return h(
      "form",
      { className: "composer", onsubmit: (event: SubmitEvent) => { event.preventDefault(); this.submit(); } },
      this.canned_.element,
      this.composer,
      h(
        "div",
        { className: "composer-bar" },
        h("button", { type: "button", onclick: () => { this.canned_.showAll(); this.composer.focus(); } }, "Canned responses"),
        h("label", { className: "toggle", for: this.noteToggle.id }, this.noteToggle, "Internal note"),
        h("span", { className: "hint" }, "Enter to send · Shift+Enter for a new line"),
        this.send,
      ),
      this.composerError,
    );
  }

  // ---- connection ---------------------------------------------------------------------------------------------

  private listen(): void {
    const hub = this.hub;
    hub.on("MessageReceived", (m: ChatMessage) => this.received(m));
    hub.on("InternalMessageReceived", (m: ChatMessage) => this.received(m));
    hub.on("ConversationAssigned", (view: ConversationView) => this.assigned(view));
    hub.on("ConversationUpdated", (view: ConversationView) => this.updated(view));
    hub.on("TypingChanged", (t: TypingIndicator) => this.typingChanged(t));
    hub.on("ReadReceipt", (r: ReadReceipt) => this.readReceipt(r));
    hub.on("AgentUpdated", (view: AgentView) => this.setMe(view));
    hub.on("AnnouncementPublished", (a: Announcement) => this.banners.publish(a));
    hub.on("AnnouncementWithdrawn", (id: string) => this.banners.withdraw(id));
  }

  private connect(): void {
    void keepConnected(this.hub, {
      state: (link) => {
        this.connection.set(link);
        this.absence.link(link);
      },
      sync: () => this.sync(),
      trouble: (problem) => text(this.topError, problem === null ? "" : `Could not load your conversations: ${problem}`),
      refused: () => {
        signOut("agent");
        showSignIn(app, "agent", "Agent console", () => location.reload());
      },
      stopped: () => this.stopped,
    });
  }

  /**
   * After every (re)connect: status, the conversations held now, what was missed in each, and unsent messages. What
   * changed while the console was away is said: chats it no longer holds, and being set Away by the grace period.
   */
  private async sync(): Promise<void> {
    const before = this.me;
    const me = await this.hub.invoke<AgentView>("GetMe");
    const views = await this.hub.invoke<ConversationView[]>("GetMyConversations");
    this.setMe(me);
    const held = new Set(views.map((v) => v.conversationId));
    const lost = [...this.conversations.values()].filter((c) => !held.has(c.view.conversationId) && c.view.status !== "Closed");
    for (const conversation of lost) this.lose(conversation, "the conversation is no longer yours");
    for (const view of views) this.upsert(view);
    if (!this.absence.synced(before, me, lost.map((c) => c.view.visitorName)) && lost.length > 0)
      text(this.notice, `While you were disconnected, your ${lost.length === 1 ? "chat" : "chats"} with ${lost.map((c) => c.view.visitorName).join(", ")} ${lost.length === 1 ? "was" : "were"} closed or handed on.`);
    if (!this.synced) {
      this.canned = await this.hub.invoke<CannedResponse[]>("GetCannedResponses", null);
      this.canned_.set(this.canned, this.open?.view.queue ?? null);
      if (!this.openId && views.length > 0) this.select(views[0]!.conversationId);
      this.synced = true;
    }
    await Promise.all([...this.conversations.values()].map((c) => this.catchUp(c)));
    for (const conversation of this.conversations.values()) {
      for (const pending of conversation.pending) void this.deliver(conversation, pending);
    }
    this.renderLoad();
  }

  private async catchUp(conversation: Conversation): Promise<void> {
    if (conversation.catching) {
      conversation.catchAgain = true;
      return conversation.catching;
    }
    const id = conversation.view.conversationId;
    conversation.catching = (async () => {
      try {
        do {
          conversation.catchAgain = false;
          const added = await fetchMissing(this.hub, id, conversation.streams);
          if (added.length > 0) this.afterAdded(conversation, added);
        } while (conversation.catchAgain);
      } catch {
        // Lost the conversation meanwhile, or the connection dropped: the reconnect catches up again.
      } finally {
        conversation.catching = null;
      }
    })();
    return conversation.catching;
  }

  // ---- events ---------------------------------------------------------------------------------------------------

  private received(message: ChatMessage): void {
    const conversation = this.conversations.get(message.conversationId);
    if (!conversation) return;
    const result = conversation.streams.add(message);
    if (result === "gap") void this.catchUp(conversation);
    else if (result === "added") this.afterAdded(conversation, [message]);
  }

  private afterAdded(conversation: Conversation, messages: ChatMessage[]): void {
    for (const m of messages) {
      conversation.pending = conversation.pending.filter((p) => !(p.clientMessageId === m.clientMessageId && m.senderId === this.token.agentId));
      if (m.senderRole === "visitor") this.setVisitorTyping(conversation, false);
    }
    this.renderItem(conversation);
    if (conversation === this.open) {
      this.renderTranscript(true);
      this.markRead(conversation);
    }
  }

  private assigned(view: ConversationView): void {
    const isNew = !this.conversations.has(view.conversationId);
    const conversation = this.upsert(view);
    void this.catchUp(conversation);
    this.renderLoad();
    if (!isNew) return;
    beep();
    this.flash.notify(view.visitorName);
    if (!this.openId) this.select(view.conversationId);
  }

  private updated(view: ConversationView): void {
    const conversation = this.conversations.get(view.conversationId);
    if (!conversation) return;
    const lost = view.status === "Queued" || (view.agentId !== null && view.agentId !== this.token.agentId);
    if (lost) {
      const where = view.status === "Queued" ? `went back to the ${view.queue} queue` : `is now with ${view.agentName ?? view.agentId}`;
      this.lose(conversation, `the conversation ${where}`);
      text(this.notice, `The conversation with ${view.visitorName} ${where}.`);
      return;
    }
    conversation.view = view;
    this.renderItem(conversation);
    this.renderLoad();
    if (conversation === this.open) this.renderHeader();
  }

  private typingChanged(t: TypingIndicator): void {
    const conversation = this.conversations.get(t.conversationId);
    if (conversation && t.senderRole === "visitor") this.setVisitorTyping(conversation, t.isTyping);
  }

  private setVisitorTyping(conversation: Conversation, typing: boolean): void {
    window.clearTimeout(conversation.visitorTypingTimer);
    // The visitor's page may close without saying it stopped.
    if (typing) conversation.visitorTypingTimer = window.setTimeout(() => this.setVisitorTyping(conversation, false), VISITOR_TYPING_TIMEOUT_MS);
    if (conversation.visitorTyping === typing) return;
    conversation.visitorTyping = typing;
    this.renderItem(conversation);
    if (conversation === this.open) this.renderTyping();
  }

  private readReceipt(r: ReadReceipt): void {
    const conversation = this.conversations.get(r.conversationId);
    if (!conversation || r.readerRole !== "visitor" || r.seq <= conversation.visitorRead) return;
    conversation.visitorRead = r.seq;
    if (conversation === this.open) this.renderTranscript(false);
  }

  private setMe(view: AgentView): void {
    this.me = view;
    if (view.status === "Online") this.absence.clear();
    const input = this.statusInputs.get(view.status);
    if (input) input.checked = true;
    document.body.dataset.status = view.status.toLowerCase();
    this.renderLoad();
  }

  // ---- conversations ------------------------------------------------------------------------------------------

  private upsert(view: ConversationView): Conversation {
    let conversation = this.conversations.get(view.conversationId);
    if (conversation) {
      conversation.view = view;
    } else {
      const readMark = Number(sessionStorage.getItem(this.readKey(view.conversationId)) ?? 0);
      conversation = {
        view,
        streams: new Streams(),
        readMark,
        markSent: 0,
        visitorRead: 0,
        visitorTyping: false,
        pending: this.unsent.take(view.conversationId),
        draft: "",
        note: false,
        catching: null,
        catchAgain: false,
        item: h("li"),
      };
      this.conversations.set(view.conversationId, conversation);
      this.list.append(conversation.item);
    }
    this.renderItem(conversation);
    this.listEmpty.hidden = this.conversations.size > 0;
    return conversation;
  }

  /** A conversation the agent no longer holds leaves the list; what she had not sent in it yet stays on screen. */
  private lose(conversation: Conversation, why: string): void {
    this.unsent.keep(conversation.view.conversationId, conversation.view.visitorName, why, conversation.pending);
    // Kept there now: a retry still scheduled for them finds them gone from here and stops.
    conversation.pending = [];
    this.remove(conversation);
  }

  private remove(conversation: Conversation): void {
    const id = conversation.view.conversationId;
    conversation.item.remove();
    this.conversations.delete(id);
    sessionStorage.removeItem(this.readKey(id));
    this.listEmpty.hidden = this.conversations.size > 0;
    if (this.openId === id) {
      this.openId = null;
      this.showOpen();
    }
    this.renderLoad();
  }

  private select(id: string): void {
    if (this.openId === id) return;
    this.stopTyping();
    const previous = this.open;
    if (previous) previous.draft = this.composer.value;
    this.openId = id;
    text(this.notice, "");
    for (const c of this.conversations.values()) this.renderItem(c);
    this.showOpen();
  }

  private showOpen(): void {
    const conversation = this.open;
    this.empty.hidden = conversation !== null;
    this.conversationPane.hidden = conversation === null;
    if (!conversation) return;
    this.composer.value = conversation.draft;
    this.canned_.set(this.canned, conversation.view.queue);
    this.canned_.hide();
    text(this.composerError, "");
    this.renderHeader();
    this.renderTranscript(true, true);
    this.renderTyping();
    this.markRead(conversation);
  }

  private markRead(conversation: Conversation | null): void {
    if (!conversation || conversation !== this.open || document.visibilityState !== "visible") return;
    const last = conversation.streams.lastSeq;
    if (last > conversation.readMark) {
      conversation.readMark = last;
      sessionStorage.setItem(this.readKey(conversation.view.conversationId), String(last));
      this.renderItem(conversation);
    }
    if (conversation.view.status === "Active" && last > conversation.markSent && this.hub.state === signalR.HubConnectionState.Connected) {
      conversation.markSent = last;
      this.hub.invoke("MarkRead", conversation.view.conversationId, last).catch(() => { conversation.markSent = 0; });
    }
  }

  private readKey(id: string): string {
    return `livechat:agent:${this.token.agentId}:read:${id}`;
  }

  // ---- rendering ----------------------------------------------------------------------------------------------

  private renderItem(conversation: Conversation): void {
    const { view, streams } = conversation;
    const unread = streams.messages.filter((m) => m.senderRole === "visitor" && m.seq > conversation.readMark).length;
    // What was said last, not "Cora joined the conversation.", unless nothing was said yet.
    const last = [...streams.messages].reverse().find((m) => m.senderRole !== "system") ?? streams.messages.at(-1);
    const said = last ? `${last.senderRole === "visitor" || last.senderRole === "system" ? "" : last.senderId === this.token.agentId ? "You: " : `${last.senderName}: `}${last.text}` : view.topic ?? "";
    const preview = conversation.visitorTyping ? "typing…" : said;
    const selected = view.conversationId === this.openId;
    replace(
      conversation.item,
      h(
        "button",
        {
          type: "button",
          className: `conv-item${selected ? " selected" : ""}${unread > 0 ? " has-unread" : ""}${view.status === "Closed" ? " closed" : ""}`,
          "data-conversation": view.conversationId,
          "aria-current": selected ? "true" : null,
          onclick: () => this.select(view.conversationId),
        },
        h(
          "span",
          { className: "conv-top" },
          h("span", { className: "conv-name" }, view.visitorName),
          view.visitorVerified ? verifiedBadge() : null,
          h("span", { className: "queue-tag" }, view.queue),
        ),
        h("span", { className: `conv-preview${conversation.visitorTyping ? " is-typing" : ""}` }, preview),
        view.status === "Closed" ? h("span", { className: "conv-status" }, "Closed") : null,
        view.status !== "Closed" && view.visitorPresence && view.visitorPresence !== "Here"
          ? h("span", { className: `conv-presence ${view.visitorPresence.toLowerCase()}` }, presenceText(view.visitorPresence))
          : null,
        unread > 0 ? h("span", { className: "unread", "aria-label": `${unread} unread` }, String(unread)) : null,
      ),
    );
  }

  private renderLoad(): void {
    const held = [...this.conversations.values()].filter((c) => c.view.status === "Active").length;
    const max = this.me?.maxConversations;
    text(this.load, `${this.synced || !this.me ? held : this.me.activeConversations} / ${max ?? "–"}`);
    this.load.parentElement?.classList.toggle("full", max !== undefined && held >= max);
  }

  private renderHeader(): void {
    const conversation = this.open;
    if (!conversation) return;
    const { view } = conversation;
    text(this.title, view.visitorName);
    const since = view.assignedAt ? `with you for ${duration((Date.now() - Date.parse(view.assignedAt)) / 1000)}` : "";
    const presence = view.status !== "Closed" && view.visitorPresence && view.visitorPresence !== "Here" ? presenceText(view.visitorPresence) : "";
    text(this.meta, [view.visitorVerified ? "Verified visitor" : "", view.visitorEmail ?? "", `Queue ${view.queue}`, view.status === "Closed" ? "Closed" : since, presence, view.topic ? `Topic: ${view.topic}` : ""].filter(Boolean).join(" · "));
    const closed = view.status === "Closed";
    replace(
      this.actions,
      closed
        ? h("button", { type: "button", onclick: () => this.remove(conversation) }, "Remove from list")
        : h("button", { type: "button", onclick: () => openTransferDialog(this.hub, view, (v) => this.updated(v)) }, "Transfer…"),
      closed ? null : h("button", { type: "button", className: "danger", onclick: () => this.close(conversation) }, "Close conversation"),
    );
    this.noteToggle.checked = closed || conversation.note;
    this.noteToggle.disabled = closed;
    this.renderComposerMode();
  }

  private renderComposerMode(): void {
    const note = this.noteToggle.checked;
    this.form.classList.toggle("note-mode", note);
    this.composer.setAttribute("aria-label", note ? "Internal note" : "Message");
    this.composer.placeholder = note ? "Write an internal note (the visitor never sees it)…" : "Write a reply…  (/ for canned responses)";
    text(this.send, note ? "Add note" : "Send");
  }

  private renderTranscript(scroll: boolean, force = false): void {
    const conversation = this.open;
    if (!conversation) return;
    const nearBottom = this.transcript.scrollHeight - this.transcript.scrollTop - this.transcript.clientHeight < 80;
    const timeline = conversation.streams.timeline();
    const seen = [...conversation.streams.messages].reverse().find((m) => m.senderId === this.token.agentId && m.seq <= conversation.visitorRead);
    const items = timeline.map((m) => {
      const item = messageItem(m, this.token.agentId);
      if (m === seen) item.append(h("span", { className: "seen" }, "Seen"));
      return item;
    });
    const pending = conversation.pending.map((p) =>
      h(
        "li",
        { className: `msg staff mine pending${p.kind === "note" ? " internal note" : ""}${p.refused ? " refused" : ""}` },
        h("div", { className: "msg-meta" }, h("span", { className: "msg-sender" }, p.kind === "note" ? "Note by you" : "You"), h("span", { className: "msg-state" }, p.refused ? `Not sent: ${p.refused}` : p.sending ? "Sending…" : "Waiting for the connection…")),
        h("p", { className: "msg-text" }, p.text),
        p.refused && !isFinalRefusal(p.refused) ? h("button", { type: "button", className: "link", onclick: () => this.sendAgain(conversation, p) }, "Send again") : null,
        p.refused ? h("button", { type: "button", className: "link", onclick: () => { conversation.pending = conversation.pending.filter((x) => x !== p); this.renderTranscript(false); } }, "Discard") : null,
      ),
    );
    replace(this.transcript, ...items, ...pending);
    if (force || (scroll && nearBottom)) this.transcript.scrollTop = this.transcript.scrollHeight;
  }

  private renderTyping(): void {
    const conversation = this.open;
    text(this.typing, conversation?.visitorTyping ? `${conversation.view.visitorName} is typing…` : "");
  }

  // ---- actions ------------------------------------------------------------------------------------------------

  private submit(): void {
    const conversation = this.open;
    const value = this.composer.value;
    if (!conversation || value.trim() === "") return;
    if (this.canned_.isOpen) this.canned_.hide();
    const pending: Pending = { clientMessageId: newId(), text: value, kind: this.noteToggle.checked ? "note" : "message", refused: null, sending: false, tries: 0 };
    conversation.pending.push(pending);
    this.composer.value = "";
    conversation.draft = "";
    text(this.composerError, "");
    this.stopTyping();
    this.renderTranscript(true, true);
    void this.deliver(conversation, pending);
  }

  /**
   * Sends (or resends, with the same id) a message or note until the server acknowledges or refuses it for good. A
   * dropped send goes again after the reconnect; a refusal for a passing reason (the server moving) after a wait.
   */
  private async deliver(conversation: Conversation, pending: Pending): Promise<void> {
    if (pending.sending || pending.refused !== null || !conversation.pending.includes(pending)) return;
    if (this.hub.state !== signalR.HubConnectionState.Connected) return;
    pending.sending = true;
    let again = 0;
    try {
      const ack = await this.hub.invoke<MessageAck>(pending.kind === "note" ? "AddNote" : "SendMessage", conversation.view.conversationId, pending.clientMessageId, pending.text);
      conversation.pending = conversation.pending.filter((p) => p !== pending);
      // Stored after all, though the conversation left her while the send was under way.
      this.unsent.sent(pending.clientMessageId);
      const last = pending.kind === "note" ? conversation.streams.lastInternalSeq : conversation.streams.lastSeq;
      // The echo usually comes first; if not (or it was a duplicate), fetch it.
      if (ack.seq > last) await this.catchUp(conversation);
    } catch (error) {
      const wait = hubWait(error, pending.tries++);
      if (!wait) pending.refused = reason(error);
      // Still connected: a refusal for a passing reason, or a drop the reconnect got past while this send hung. Either
      // way no sync is coming to send it, so it goes again after the wait. Not connected: the sync sends it.
      else if (this.hub.state === signalR.HubConnectionState.Connected) again = wait.ms;
    } finally {
      pending.sending = false;
      if (conversation === this.open) this.renderTranscript(true);
    }
    if (again > 0) setTimeout(() => void this.deliver(conversation, pending), again);
  }

  /** A refused reply sent again by hand, with its first id: stored once however many tries it took. */
  private sendAgain(conversation: Conversation, pending: Pending): void {
    pending.refused = null;
    pending.tries = 0;
    this.renderTranscript(false);
    void this.deliver(conversation, pending);
  }

  private typed(): void {
    const conversation = this.open;
    if (!conversation) return;
    conversation.draft = this.composer.value;
    if (this.noteToggle.checked || conversation.view.status !== "Active") return;
    if (this.composer.value === "") return this.stopTyping();
    const now = Date.now();
    if (this.typingSentFor !== conversation.view.conversationId || now - this.typingSentAt > TYPING_REPEAT_MS) {
      this.typingSentFor = conversation.view.conversationId;
      this.typingSentAt = now;
      this.hub.invoke("SetTyping", conversation.view.conversationId, true).catch(() => undefined);
    }
    window.clearTimeout(this.typingIdle);
    this.typingIdle = window.setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    window.clearTimeout(this.typingIdle);
    if (this.typingSentFor === null) return;
    const id = this.typingSentFor;
    this.typingSentFor = null;
    this.typingSentAt = 0;
    this.hub.invoke("SetTyping", id, false).catch(() => undefined);
  }

  private insertText(value: string): void {
    // A "/shortcut" being typed is replaced; otherwise the reply goes where the cursor is.
    if (/^\/\S*$/.test(this.composer.value)) this.composer.value = value;
    else this.composer.setRangeText(value, this.composer.selectionStart, this.composer.selectionEnd, "end");
    this.composer.focus();
    this.typed();
  }

  private async setStatus(status: AgentStatus): Promise<void> {
    unlockSound();
    text(this.topError, "");
    try {
      this.setMe(await this.hub.invoke<AgentView>("SetStatus", status));
    } catch (error) {
      this.showError(`Your status was not changed: ${reason(error)}`);
      if (this.me) this.setMe(this.me);
    }
  }

  private async close(conversation: Conversation): Promise<void> {
    try {
      this.updated(await this.hub.invoke<ConversationView>("CloseConversation", conversation.view.conversationId));
    } catch (error) {
      text(this.composerError, `Not closed: ${reason(error)}`);
    }
  }

  private async signOut(): Promise<void> {
    try {
      if (this.hub.state === signalR.HubConnectionState.Connected && this.me?.status === "Online") await this.hub.invoke("SetStatus", "Offline");
    } catch {
      // Signing out goes on: the grace period sets the agent Away anyway.
    }
    await endSession("agent");
    this.stopped = true;
    await this.hub.stop().catch(() => undefined);
    location.reload();
  }

  private showError(message: string): void {
    text(this.topError, message);
  }

  /** Alt+↑ / Alt+↓ move between conversations. */
  private shortcuts(event: KeyboardEvent): void {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    const ids = [...this.conversations.keys()];
    if (ids.length === 0) return;
    const at = this.openId ? ids.indexOf(this.openId) : -1;
    const next = ids[(at + (event.key === "ArrowDown" ? 1 : ids.length - 1) + ids.length) % ids.length]!;
    event.preventDefault();
    this.select(next);
  }
}

/** The site vouched for who this visitor is (a signed session, docs/protocol.md "Verified visitors"). */
function verifiedBadge(): HTMLElement {
  return h("span", { className: "verified-tag", title: "Signed in on the site: the site vouched for this visitor's identity" }, "verified");
}

const stored = storedToken("agent");
if (stored) new AgentConsole(stored);
else showSignIn(app, "agent", "Agent console", (t) => new AgentConsole(t));

/** What the agent reads of a visitor who is not there: away (maybe reloading) or gone (past the grace). */
function presenceText(presence: VisitorPresence): string {
  return presence === "Away" ? "Visitor away" : "Visitor gone";
}
