// The widget a visitor sees: the launcher, and the panel with whatever stage the chat is in (offline form, pre-chat
// form, the conversation, the rating). All of it lives in one shadow root inside the widget's frame (frame.ts), and all
// text goes in as text.
import { ApiError, reason, request } from "../shared/api";
import { append, h, replace, text } from "../shared/dom";
import { clock, expectedWait } from "../shared/format";
import type { Link } from "../shared/hub";
import type { Announcement, ChatMessage, ConversationView, QueueAvailability, TypingIndicator, VisitorSession } from "../shared/protocol";
import { httpWait, isFinalRefusal, patiently, type Wait } from "../shared/retry";
import { Chat, type ChatEvents } from "./chat";
import { Memory, type Remembered } from "./storage";

interface Shown {
  item: HTMLLIElement;
  role: ChatMessage["senderRole"];
}

interface Pending {
  item: HTMLLIElement;
  text: string;
}

const typingIdleMs = 3000;
const typingRefreshMs = 5000;
const typingShownMs = 15000;
// How often an open form asks whether the queue still takes chats (or takes them again).
const availabilityCheckMs = 10000;
let fieldCount = 0;

export class Widget implements ChatEvents {
  private readonly launcher: HTMLButtonElement;
  private readonly dot: HTMLSpanElement;
  private readonly panel: HTMLElement;
  private readonly status: HTMLParagraphElement;
  private readonly endButton: HTMLButtonElement;
  private readonly banners: HTMLDivElement;
  private readonly connectionBar: HTMLParagraphElement;
  private readonly body: HTMLDivElement;

  private remembered: Remembered | null;
  private chat: Chat | null = null;
  private stage: "idle" | "busy" | "form" | "chat" = "idle";
  // While a form is shown: whether it offers a chat, and the timer that asks again whether that is still so.
  private offersChat = false;
  private availabilityTimer: number | undefined;
  private conversationQueue: string | null = null;
  private conversationQueued = false;

  // The conversation's view, rebuilt by chatStage().
  private log: HTMLDivElement | null = null;
  private messages: HTMLOListElement | null = null;
  private pendingList: HTMLOListElement | null = null;
  private notice: HTMLParagraphElement | null = null;
  private typingLine: HTMLParagraphElement | null = null;
  private footer: HTMLDivElement | null = null;
  private readonly shown = new Map<number, Shown>();
  private readonly pending = new Map<string, Pending>();
  private agentReadSeq = 0;
  private seenMark: HTMLElement | null = null;
  private typingTimer = 0;
  private typingShownTimer = 0;
  private typingSentAt = 0;
  private closedShown = false;
  private loadingHistory = false;

  constructor(
    private readonly root: ShadowRoot,
    private readonly server: string,
    private readonly queue: string | null,
    private readonly memory: Memory,
    // Tells the page around the widget's frame how much room it needs: the launcher alone, or the open panel.
    private readonly layout: (open: boolean) => void = () => {},
  ) {
    this.remembered = memory.load();
    this.dot = h("span", { className: "dot", hidden: true, "aria-hidden": "true" });
    this.launcher = h("button", { type: "button", className: "launcher", "aria-label": "Open chat", "aria-expanded": "false", "aria-controls": "livechat-panel", onclick: () => this.toggle() },
      chatIcon(), this.dot);
    this.status = h("p", { className: "status", role: "status" });
    this.endButton = h("button", { type: "button", className: "end", hidden: true, onclick: () => void this.end() }, "End chat");
    this.banners = h("div", { className: "banners" });
    this.connectionBar = h("p", { className: "connection", role: "status", hidden: true });
    this.body = h("div", { className: "body" });
    this.panel = h("section", { id: "livechat-panel", className: "panel", role: "dialog", "aria-label": "Chat with us", hidden: true, onkeydown: (event: KeyboardEvent) => this.panelKey(event) },
      h("header", null,
        h("div", { className: "titles" }, h("h2", null, "Chat with us"), this.status),
        this.endButton,
        h("button", { type: "button", className: "minimize", "aria-label": "Close chat window", onclick: () => this.hide() }, "×")),
      this.banners,
      this.connectionBar,
      this.body);
    append(root, this.panel, this.launcher);
    document.addEventListener("visibilitychange", () => this.markReadIfSeen());
  }

  /** Picks up where the visitor left off on an earlier page, or waits for the launcher. */
  async init(): Promise<void> {
    this.layout(!this.panel.hidden);
    if (this.remembered) {
      // Busy first, so opening the panel does not also ask for availability while the conversation is looked up.
      this.stage = "busy";
      if (this.remembered.open) this.show();
      await this.resume(this.remembered);
    } else if (!this.panel.hidden) {
      await this.checkAvailability();
    }
  }

  // ---- Launcher and panel -------------------------------------------------------------------------------------------

  private toggle(): void {
    if (this.panel.hidden) this.show();
    else this.hide();
  }

  private show(): void {
    this.layout(true);
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", "Close chat");
    this.dot.hidden = true;
    this.memory.update({ open: true });
    if (this.stage === "idle") void this.checkAvailability();
    this.focusFirst();
    this.markReadIfSeen();
    this.scrollDown();
  }

  private hide(): void {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", "Open chat");
    this.memory.update({ open: false });
    this.layout(false);
    this.launcher.focus();
  }

  private panelKey(event: KeyboardEvent): void {
    if (event.key !== "Escape") return;
    event.preventDefault();
    event.stopPropagation();
    this.hide();
  }

  private focusFirst(): void {
    if (this.panel.hidden) return;
    const target = this.body.querySelector<HTMLElement>("textarea:not([disabled]), input:not([disabled]), button:not([disabled])");
    target?.focus();
  }

  private attention(): void {
    if (this.panel.hidden && !this.loadingHistory) this.dot.hidden = false;
  }

  // ---- Before a chat ------------------------------------------------------------------------------------------------

  /**
   * Resumes the remembered visitor. Only the server's definite word lets the widget forget them, and the chat they may
   * have open: a session for another visitor (the token was no longer valid) or a refusal of the token itself. No
   * answer, a 429 (many visitors behind one address) or a 5xx (a failover) is waited out and asked again.
   */
  private async resume(remembered: Remembered): Promise<void> {
    this.stage = "busy";
    this.say("Connecting to the chat…");
    let session: VisitorSession;
    try {
      session = await patiently(
        () => request<VisitorSession>(this.url("/api/visitor/session"), "POST", { visitorToken: remembered.token }),
        httpWait,
        (wait, now) => this.retrying(wait, now));
    } catch (error) {
      if (!isTokenRefused(error)) return this.unreachable(error instanceof Error ? error.message : String(error), () => this.resume(remembered));
      this.forgetVisitor();
      return this.toIdle();
    }
    if (session.visitorId !== remembered.visitorId) {
      // The old token was no longer valid, so the server made a new visitor: nothing of the old one can be continued.
      this.forgetVisitor();
      return this.toIdle();
    }
    this.remember({ ...remembered, token: session.accessToken });
    const chat = await this.connected();
    let view: ConversationView | null;
    try {
      view = await chat.findOpen(remembered.conversationId, this.queue, (wait, now) => this.retrying(wait, now));
    } catch (error) {
      return this.unreachable(`Could not load your conversation: ${reason(error)}`, () => this.resume(remembered));
    }
    if (!view) {
      this.memory.update({ conversationId: null });
      return this.toIdle();
    }
    this.chatStage();
    await this.quietly(() => chat.follow(view));
  }

  /** Loads history without lighting the launcher's dot: only what arrives later is news. */
  private async quietly(load: () => Promise<unknown>): Promise<void> {
    this.loadingHistory = true;
    try {
      await load();
    } finally {
      this.loadingHistory = false;
    }
  }

  private toIdle(): void {
    this.stage = "idle";
    this.status.textContent = "";
    replace(this.body);
    if (!this.panel.hidden) void this.checkAvailability();
  }

  private async checkAvailability(): Promise<void> {
    this.stage = "busy";
    this.say("Checking who is online…");
    if (this.queue === null) return this.preChat(null);
    const url = this.availabilityUrl(this.queue);
    try {
      const availability = await patiently(() => request<QueueAvailability>(url, "GET"), httpWait, (wait, now) => this.retrying(wait, now));
      // Before a chat there is no connection to push announcements: the active ones come with the availability.
      this.replaceAnnouncements(availability.announcements ?? []);
      this.showAvailability(availability);
    } catch (error) {
      this.unreachable(error instanceof ApiError ? error.message : String(error), () => this.checkAvailability());
    }
  }

  /** The chat form when the queue takes chats, else the offline form saying why; asked again every few seconds while shown. */
  private showAvailability(availability: QueueAvailability): void {
    if (availability.online && availability.accepting) this.preChat(availability);
    else this.offlineForm(availability.reason);
    this.watchAvailability();
  }

  /**
   * An open form follows the queue: when someone comes online, or everyone leaves, the form changes, unless the
   * visitor has started typing in it (their words are never thrown away); then a line says so instead.
   */
  private watchAvailability(): void {
    window.clearTimeout(this.availabilityTimer);
    if (this.queue === null) return;
    this.availabilityTimer = window.setTimeout(async () => {
      if (this.stage === "chat") return;
      if (this.stage !== "form" || this.panel.hidden) return this.watchAvailability();
      try {
        const availability = await request<QueueAvailability>(this.availabilityUrl(this.queue!), "GET");
        if (this.stage !== "form") return;
        this.replaceAnnouncements(availability.announcements ?? []);
        const offers = availability.online && availability.accepting;
        if (offers !== this.offersChat) {
          const touched = [...this.body.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>("input[type=email], textarea")].some((field) => field.value.trim() !== "");
          if (!touched) return this.showAvailability(availability);
          const form = this.body.querySelector("form");
          form?.querySelector(".availability")?.remove();
          form?.prepend(h("p", { className: "hint availability", role: "status" },
            offers ? "An agent is available now. " : "No one is available any more: leave a message and we will answer by email. ",
            offers ? h("button", { type: "button", className: "link", onclick: () => this.preChat(availability) }, "Start a chat instead") : null));
        }
      } catch {
        // Asked again next time: the form shown still works.
      }
      this.watchAvailability();
    }, availabilityCheckMs);
  }

  private preChat(availability: QueueAvailability | null): void {
    this.stage = "form";
    this.offersChat = true;
    this.status.textContent = "We are online";
    const name = h("input", { type: "text", name: "name", autocomplete: "name", maxlength: 100, required: true, value: this.remembered?.name ?? "" });
    const email = h("input", { type: "email", name: "email", autocomplete: "email", maxlength: 254 });
    const fields = new Fields();
    const submit = h("button", { type: "submit", className: "primary" }, "Start chat");
    const longWait = availability?.reason === "long-wait";
    const wait = longWait ? expectedWait(availability.estimatedWaitSeconds) : availability && availability.waiting > 0 ? expectedWait(availability.averageWaitSeconds) : null;
    const form = h("form", { className: "form", novalidate: true, "aria-label": "Start a chat" },
      h("p", { className: "intro" }, "Hello! Tell us your name and an agent will be with you shortly."),
      longWait
        ? h("p", { className: "hint" }, `The wait is long right now${wait ? ` (${wait})` : ""}. You can start a chat, or `,
            h("button", { type: "button", className: "link", onclick: () => this.offlineForm("long-wait") }, "leave a message"), " instead.")
        : wait ? h("p", { className: "hint" }, `Current wait: ${wait}.`) : null,
      fields.add("name", "Your name", name),
      fields.add("email", "Email (optional)", email),
      fields.general,
      submit);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.startChat(name.value.trim(), email.value.trim(), fields, submit);
    });
    replace(this.body, form);
    this.focusFirst();
  }

  private async startChat(name: string, email: string, fields: Fields, submit: HTMLButtonElement): Promise<void> {
    fields.clear();
    if (name === "") return fields.show({ name: ["Please tell us your name."] });
    submit.disabled = true;
    let session: VisitorSession;
    try {
      session = await patiently(
        () => request<VisitorSession>(this.url("/api/visitor/session"), "POST", { name, email: email === "" ? null : email, visitorToken: this.remembered?.token ?? null }),
        httpWait,
        (wait) => fields.waiting(wait));
    } catch (error) {
      submit.disabled = false;
      return fields.fail(error);
    }
    if (this.remembered && this.remembered.visitorId !== session.visitorId) this.forgetVisitor();
    this.remember({ visitorId: session.visitorId, token: session.accessToken, name, conversationId: null, open: !this.panel.hidden });
    this.stage = "busy";
    this.say("Connecting to the chat…");
    const chat = await this.connected();
    this.chatStage();
    try {
      let view!: ConversationView;
      await this.quietly(async () => (view = await chat.start(this.queue, (wait) => this.showNotice(`The chat has not started yet. ${waitWords(wait)}`))));
      this.hideNotice();
      this.memory.update({ conversationId: view.conversationId });
    } catch (error) {
      this.unreachable(`Could not start the chat: ${reason(error)}`, () => this.checkAvailability());
    }
  }

  private offlineForm(why: string | null = null): void {
    this.stage = "form";
    this.offersChat = false;
    this.status.textContent = why === "full" || why === "long-wait" ? "We are busy" : "We are away";
    const name = h("input", { type: "text", name: "name", autocomplete: "name", maxlength: 100, value: this.remembered?.name ?? "" });
    const email = h("input", { type: "email", name: "email", autocomplete: "email", maxlength: 254 });
    const message = h("textarea", { name: "text", rows: 4 });
    const fields = new Fields();
    const submit = h("button", { type: "submit", className: "primary" }, "Send message");
    const form = h("form", { className: "form", novalidate: true, "aria-label": "Leave a message" },
      h("p", { className: "notice" }, offlineWords(why)),
      fields.add("name", "Your name", name),
      fields.add("email", "Email", email),
      fields.add("text", "Message", message),
      fields.general,
      submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      fields.clear();
      submit.disabled = true;
      try {
        // Sent again after a passing failure: the server keeps a message it already has once.
        const body = { queue: this.queue, name: name.value, email: email.value, text: message.value };
        await patiently(() => request(this.url("/api/visitor/offline-messages"), "POST", body), httpWait, (wait) => {
          fields.general.hidden = false;
          text(fields.general, `${wait.problem} Trying again in ${Math.ceil(wait.ms / 1000)} s…`);
        });
      } catch (error) {
        submit.disabled = false;
        return fields.fail(error);
      }
      replace(this.body, h("div", { className: "done", role: "status", tabindex: -1 },
        h("p", null, "Thank you! We got your message and will answer by email.")));
      this.body.querySelector<HTMLElement>(".done")?.focus();
    });
    replace(this.body, form);
    this.focusFirst();
  }

  private unreachable(problem: string, retry: () => Promise<void> | void): void {
    this.stage = "form";
    this.status.textContent = "";
    const again = h("button", { type: "button", className: "primary", onclick: () => void retry() }, "Try again");
    replace(this.body, h("div", { className: "problem", role: "alert" }, h("p", null, problem), again));
  }

  /** A passing failure while the widget tries again by itself; the button tries at once. */
  private retrying(wait: Wait, now: () => void): void {
    this.status.textContent = "";
    const again = h("button", { type: "button", className: "primary", onclick: now }, "Try again");
    replace(this.body, h("div", { className: "problem", role: "alert" }, h("p", null, wait.problem), h("p", { className: "retrying" }, retryWords(wait)), again));
  }

  /** A short message in place of the panel's body while something loads. */
  private say(message: string): void {
    replace(this.body, h("p", { className: "loading", role: "status" }, message));
  }

  // ---- The conversation ---------------------------------------------------------------------------------------------

  /** The visitor's hub connection, opened once per visitor. */
  private async connected(): Promise<Chat> {
    if (!this.chat) {
      this.chat = new Chat(this.server, () => this.remembered?.token ?? "", this);
      await this.chat.connect();
    }
    return this.chat;
  }

  private chatStage(): void {
    this.stage = "chat";
    this.shown.clear();
    this.pending.clear();
    this.agentReadSeq = 0;
    this.seenMark = null;
    this.closedShown = false;
    this.messages = h("ol", { className: "messages", "aria-label": "Messages" });
    this.pendingList = h("ol", { className: "pending-list", "aria-label": "Messages being sent" });
    this.typingLine = h("p", { className: "typing", "aria-live": "polite" });
    this.notice = h("p", { className: "error", role: "alert", hidden: true });
    this.log = h("div", { className: "log", role: "log", "aria-live": "polite", tabindex: 0 }, this.messages, this.pendingList);
    this.footer = h("div", { className: "footer" });
    this.composer();
    replace(this.body, this.log, this.typingLine, this.notice, this.footer);
    this.status.textContent = "Connecting…";
    this.focusFirst();
  }

  private composer(): void {
    const input = h("textarea", { className: "compose", rows: 2, maxlength: 4000, "aria-label": "Your message", placeholder: "Write a message…" });
    const form = h("form", { className: "composer", "aria-label": "Send a message" },
      input, h("button", { type: "submit", className: "send", "aria-label": "Send" }, "Send"));
    input.addEventListener("keydown", (event: KeyboardEvent) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    input.addEventListener("input", () => this.typed(input.value));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendText(input.value);
      input.value = "";
      input.focus();
    });
    replace(this.footer!, form);
  }

  private sendText(value: string): void {
    if (!this.chat || value.trim() === "") return;
    this.stopTyping();
    this.hideNotice();
    const clientMessageId = this.chat.send(value);
    const item = h("li", { className: "msg visitor pending" },
      h("p", { className: "text" }, value),
      h("span", { className: "meta" }, "Sending…"));
    this.pending.set(clientMessageId, { item, text: value });
    this.pendingList?.append(item);
    this.scrollDown();
  }

  /** SetTyping true once when typing starts (again every few seconds while it goes on), false after 3 s idle. */
  private typed(value: string): void {
    if (!this.chat) return;
    window.clearTimeout(this.typingTimer);
    if (value.trim() === "") return this.stopTyping();
    const now = Date.now();
    if (now - this.typingSentAt > typingRefreshMs) {
      this.typingSentAt = now;
      this.chat.setTyping(true);
    }
    this.typingTimer = window.setTimeout(() => this.stopTyping(), typingIdleMs);
  }

  private stopTyping(): void {
    window.clearTimeout(this.typingTimer);
    if (this.typingSentAt === 0) return;
    this.typingSentAt = 0;
    this.chat?.setTyping(false);
  }

  private async end(): Promise<void> {
    if (!this.chat) return;
    this.endButton.disabled = true;
    try {
      await this.chat.close();
    } catch (error) {
      this.showNotice(`Could not end the chat: ${reason(error)}`);
    } finally {
      this.endButton.disabled = false;
    }
  }

  private closedStage(view: ConversationView): void {
    if (this.closedShown || !this.footer) return;
    this.closedShown = true;
    this.stopTyping();
    text(this.typingLine!, "");
    if (view.rating) return this.thanks();
    const comment = h("textarea", { name: "comment", rows: 2, maxlength: 2000, "aria-label": "Comment (optional)", placeholder: "Anything to add? (optional)" });
    let score = 0;
    const stars = [1, 2, 3, 4, 5].map((n) => h("button", {
      type: "button", className: "star", "aria-label": `${n} star${n === 1 ? "" : "s"}`, "aria-pressed": "false",
      onclick: () => {
        score = n;
        stars.forEach((star, i) => {
          star.setAttribute("aria-pressed", String(i + 1 === n));
          star.classList.toggle("on", i < n);
        });
      },
    }, "★"));
    const problem = h("p", { className: "error", role: "alert", hidden: true });
    const submit = h("button", { type: "submit", className: "primary" }, "Send rating");
    const form = h("form", { className: "rating", "aria-label": "Rate this chat" },
      h("p", { className: "question", id: "rating-question" }, "How was this chat?"),
      h("div", { className: "stars", role: "group", "aria-labelledby": "rating-question" }, ...stars),
      comment, problem,
      h("div", { className: "actions" }, submit, h("button", { type: "button", className: "link", onclick: () => this.newChat() }, "Start a new chat")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (score === 0) {
        problem.hidden = false;
        return text(problem, "Please choose from 1 to 5 stars.");
      }
      submit.disabled = true;
      try {
        await this.chat!.rate(score, comment.value.trim() === "" ? null : comment.value);
        this.thanks();
      } catch (error) {
        submit.disabled = false;
        problem.hidden = false;
        text(problem, `Could not send the rating: ${reason(error)}`);
      }
    });
    replace(this.footer, form);
    if (!this.panel.hidden && this.root.activeElement === null) stars[0].focus();
  }

  private thanks(): void {
    if (!this.footer) return;
    const again = h("button", { type: "button", className: "primary", onclick: () => this.newChat() }, "Start a new chat");
    replace(this.footer, h("div", { className: "done", role: "status" }, h("p", null, "Thank you for chatting with us!"), again));
    if (!this.panel.hidden) again.focus();
  }

  private newChat(): void {
    this.chat?.forget();
    this.memory.update({ conversationId: null });
    if (this.remembered) this.remembered.conversationId = null;
    this.endButton.hidden = true;
    void this.checkAvailability();
  }

  // ---- ChatEvents ---------------------------------------------------------------------------------------------------

  message(message: ChatMessage): void {
    if (!this.messages) return;
    if (message.senderRole === "visitor") this.settle(message.clientMessageId);
    else {
      this.attention();
      if (message.senderRole !== "system") text(this.typingLine!, "");
    }
    const role = message.senderRole === "supervisor" ? "agent" : message.senderRole;
    const item = h("li", { className: `msg ${role}`, "data-seq": message.seq },
      role === "agent" ? h("span", { className: "sender" }, message.senderName) : null,
      h("p", { className: "text" }, message.text),
      role === "system" ? null : h("span", { className: "meta" }, clock(message.sentAt)));
    this.messages.append(item);
    this.shown.set(message.seq, { item, role: message.senderRole });
    this.markSeen();
    this.markReadIfSeen();
    this.scrollDown();
  }

  conversation(view: ConversationView): void {
    this.memory.update({ conversationId: view.conversationId });
    this.conversationQueue = view.queue;
    this.conversationQueued = view.status === "Queued";
    this.endButton.hidden = view.status === "Closed";
    if (view.status === "Queued") {
      const wait = expectedWait(view.estimatedWaitSeconds);
      const position = view.queuePosition === null ? "You are in the queue." : `You are number ${view.queuePosition} in the queue.`;
      this.status.textContent = `${position} ${wait ? `Expected wait: ${wait}.` : "We will be with you soon."}`;
    } else if (view.status === "Active") {
      this.status.textContent = `You are chatting with ${view.agentName ?? "an agent"}`;
    } else {
      this.status.textContent = "This chat has ended.";
      this.closedStage(view);
    }
  }

  typing(indicator: TypingIndicator): void {
    if (!this.typingLine) return;
    window.clearTimeout(this.typingShownTimer);
    text(this.typingLine, indicator.isTyping ? `${indicator.senderName} is typing…` : "");
    // The server never clears typing: an agent who went away mid-sentence must not type forever.
    if (indicator.isTyping) this.typingShownTimer = window.setTimeout(() => this.typingLine && text(this.typingLine, ""), typingShownMs);
  }

  agentRead(seq: number): void {
    this.agentReadSeq = Math.max(this.agentReadSeq, seq);
    this.markSeen();
  }

  announcement(announcement: Announcement): void {
    this.announcementWithdrawn(announcement.id);
    const severity = ["info", "warning", "critical"].includes(announcement.severity) ? announcement.severity : "info";
    this.banners.append(h("p", { className: `banner ${severity}`, "data-id": announcement.id, role: severity === "info" ? "status" : "alert" }, announcement.text));
    this.attention();
  }

  private replaceAnnouncements(active: Announcement[]): void {
    const ids = new Set(active.map((announcement) => announcement.id));
    for (const banner of this.banners.querySelectorAll<HTMLElement>(".banner")) if (!ids.has(banner.dataset.id ?? "")) banner.remove();
    for (const announcement of active) this.announcement(announcement);
  }

  /** Waiting while everyone leaves: the visitor hears so, and may end the chat and leave a message instead. */
  availability(availability: QueueAvailability): void {
    if (this.stage !== "chat" || !this.conversationQueued || availability.queue !== this.conversationQueue) return;
    if (!availability.online) this.showNotice("No agent is online right now. You can keep waiting, or end the chat and leave a message.");
    else this.hideNotice();
  }

  announcementWithdrawn(id: string): void {
    for (const banner of this.banners.querySelectorAll<HTMLElement>(".banner")) if (banner.dataset.id === id) banner.remove();
  }

  connection(state: Link): void {
    this.connectionBar.hidden = state === "connected";
    text(this.connectionBar, { connecting: "Connecting…", connected: "", reconnecting: "Reconnecting…", lost: "Connection lost, reconnecting…" }[state]);
  }

  delivered(clientMessageId: string): void {
    this.settle(clientMessageId);
  }

  /** A refused message stays where it was, marked, with a way to send it again when that could go differently. */
  refused(clientMessageId: string, why: string): void {
    const pending = this.pending.get(clientMessageId);
    if (!pending) return this.showNotice(`Your message was not sent: ${why}`);
    const { item } = pending;
    item.classList.replace("pending", "failed");
    const again = isFinalRefusal(why) ? null : h("button", {
      type: "button", className: "link", onclick: () => {
        item.classList.replace("failed", "pending");
        replace(item, h("p", { className: "text" }, pending.text), h("span", { className: "meta" }, "Sending…"));
        this.chat?.resend(clientMessageId, pending.text);
      },
    }, "Try again");
    replace(item, h("p", { className: "text" }, pending.text), h("span", { className: "meta" }, `Not sent: ${why}`), again);
  }

  failed(problem: string): void {
    this.showNotice(problem);
  }

  // ---- Helpers ------------------------------------------------------------------------------------------------------

  /** A pending message was stored: its copy from the server takes its place. */
  private settle(clientMessageId: string): void {
    this.pending.get(clientMessageId)?.item.remove();
    this.pending.delete(clientMessageId);
  }

  /** "Seen" goes under the visitor's last message the agent has read. */
  private markSeen(): void {
    let seq = this.agentReadSeq;
    while (seq > 0 && this.shown.get(seq)?.role !== "visitor") seq--;
    const target = this.shown.get(seq)?.item;
    if (!target || this.seenMark?.parentElement === target) return;
    this.seenMark?.remove();
    this.seenMark = h("span", { className: "seen" }, "Seen");
    target.append(this.seenMark);
  }

  private markReadIfSeen(): void {
    if (!this.panel.hidden && document.visibilityState === "visible") this.chat?.markRead();
  }

  private showNotice(message: string): void {
    if (!this.notice) return;
    this.notice.hidden = false;
    text(this.notice, message);
  }

  private hideNotice(): void {
    if (this.notice) this.notice.hidden = true;
  }

  private scrollDown(): void {
    if (this.log) this.log.scrollTop = this.log.scrollHeight;
  }

  private remember(value: Remembered): void {
    this.remembered = value;
    this.memory.save(value);
  }

  private forgetVisitor(): void {
    this.remembered = null;
    this.memory.clear();
    const old = this.chat;
    this.chat = null;
    void old?.stop();
  }

  private url(path: string): string {
    return new URL(path, this.server).toString();
  }

  private availabilityUrl(queue: string): string {
    return this.url(`/api/queues/${encodeURIComponent(queue)}/availability`);
  }
}

/** Labelled fields with their own error lines, and one line for errors that belong to no field. */
class Fields {
  readonly general = h("p", { className: "error", role: "alert", hidden: true });
  private readonly errors = new Map<string, { input: HTMLElement; error: HTMLElement }>();

  add(name: string, label: string, input: HTMLInputElement | HTMLTextAreaElement): HTMLElement {
    const id = `field-${name}-${++fieldCount}`;
    const error = h("p", { className: "field-error", id: `${id}-error`, hidden: true });
    input.id = id;
    input.setAttribute("aria-describedby", error.id);
    this.errors.set(name, { input, error });
    return h("div", { className: "field" }, h("label", { for: id }, label), input, error);
  }

  clear(): void {
    this.general.hidden = true;
    for (const { input, error } of this.errors.values()) {
      error.hidden = true;
      input.removeAttribute("aria-invalid");
    }
  }

  show(fields: Record<string, string[]>): void {
    let first: HTMLElement | null = null;
    const other: string[] = [];
    for (const [name, messages] of Object.entries(fields)) {
      const target = this.errors.get(name.toLowerCase());
      if (!target) {
        other.push(...messages);
        continue;
      }
      target.error.hidden = false;
      text(target.error, messages.join(" "));
      target.input.setAttribute("aria-invalid", "true");
      first ??= target.input;
    }
    if (other.length > 0) this.showGeneral(other.join(" "));
    first?.focus();
  }

  fail(error: unknown): void {
    if (error instanceof ApiError && Object.keys(error.fields).length > 0) this.show(error.fields);
    else this.showGeneral(error instanceof Error ? error.message : String(error));
  }

  /** Says why the form is still being sent, while it is tried again by itself. */
  waiting(wait: Wait): void {
    this.showGeneral(waitWords(wait));
  }

  private showGeneral(message: string): void {
    this.general.hidden = false;
    text(this.general, message);
  }
}

/**
 * A definite refusal of the stored visitor token itself (docs/protocol.md, POST /api/visitor/session): a 400 naming
 * visitorToken, or a 401 or 403. Anything else says nothing about the visitor.
 */
function isTokenRefused(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 401 || error.status === 403 || (error.status === 400 && "visitorToken" in error.fields));
}

function retryWords(wait: Wait): string {
  return `Trying again in ${Math.max(1, Math.ceil(wait.ms / 1000))} s…`;
}

function waitWords(wait: Wait): string {
  return `${wait.problem} ${retryWords(wait)}`;
}

function chatIcon(): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  svg.append(path);
  return svg;
}

/** Why the offline form is shown instead of a chat, in the visitor's words. */
function offlineWords(why: string | null): string {
  if (why === "full") return "So many people are waiting that we cannot take another chat right now. Leave a message and we will answer by email.";
  if (why === "long-wait") return "Leave a message and we will answer by email.";
  return "No one is available right now. Leave a message and we will answer by email.";
}
