// The dashboard's other sections: announcements, the feedback inbox and the offline messages.
import { reason } from "../shared/api";
import { h, replace, text } from "../shared/dom";
import { dateTime } from "../shared/format";
import type { signalR } from "../shared/hub";
import type { Announcement, FeedbackEntry, FeedbackPage, OfflineInboxStatus, OfflineMessage } from "../shared/protocol";

export class AnnouncementsPanel {
  readonly element: HTMLElement;
  private readonly active = new Map<string, Announcement>();
  private readonly list = h("ul", { className: "announcement-list", "aria-label": "Active announcements" });
  private readonly input = h("textarea", { id: "announcement-text", rows: 2, maxlength: 500, required: true });
  private readonly severity = h("select", { id: "announcement-severity" }, h("option", { value: "info" }, "Info"), h("option", { value: "warning" }, "Warning"), h("option", { value: "critical" }, "Critical"));
  private readonly minutes = h("input", { id: "announcement-minutes", type: "number", min: 1, max: 10080, value: 60, required: true });
  private readonly error = h("p", { className: "form-error", role: "alert" });

  constructor(private readonly hub: signalR.HubConnection, private readonly onCount: (n: number) => void) {
    const publish = h("button", { type: "submit", className: "primary" }, "Publish");
    const form = h(
      "form",
      {
        className: "card form-grid",
        onsubmit: async (event: SubmitEvent) => {
          event.preventDefault();
          text(this.error, "");
          publish.disabled = true;
          try {
            this.published(await this.hub.invoke<Announcement>("PublishAnnouncement", { text: this.input.value, severity: this.severity.value, expiresInMinutes: Number(this.minutes.value) }));
            this.input.value = "";
          } catch (error) {
            text(this.error, `Not published: ${reason(error)}`);
          } finally {
            publish.disabled = false;
          }
        },
      },
      h("h2", null, "New announcement"),
      h("p", { className: "muted" }, "Shown at once as a banner to every visitor and agent connected, until it is withdrawn or expires."),
      h("label", { for: this.input.id }, "Text"),
      this.input,
      h("div", { className: "form-row" }, h("label", { for: this.severity.id }, "Severity"), this.severity, h("label", { for: this.minutes.id }, "Expires in (minutes)"), this.minutes, publish),
      this.error,
    );
    this.element = h("section", { "aria-labelledby": "announcements-title" }, h("h1", { id: "announcements-title" }, "Announcements"), form, h("div", { className: "card" }, h("h2", null, "Active"), this.list));
    this.render();
  }

  set(all: Announcement[]): void {
    this.active.clear();
    for (const a of all) this.active.set(a.id, a);
    this.render();
  }

  published(a: Announcement): void {
    this.active.set(a.id, a);
    this.render();
  }

  withdrawn(id: string): void {
    this.active.delete(id);
    this.render();
  }

  private render(): void {
    this.onCount(this.active.size);
    if (this.active.size === 0) return replace(this.list, h("li", { className: "muted" }, "No active announcements."));
    replace(
      this.list,
      ...[...this.active.values()].map((a) => {
        const error = h("span", { className: "form-error", role: "alert" });
        return h(
          "li",
          { className: `announcement ${a.severity}`, "data-announcement": a.id },
          h("span", { className: `severity ${a.severity}` }, a.severity),
          h("span", { className: "announcement-text" }, a.text),
          h("span", { className: "muted" }, `by ${a.publishedBy}, until ${dateTime(a.expiresAt)}`),
          h(
            "button",
            {
              type: "button",
              className: "small",
              "aria-label": `Withdraw “${a.text}”`,
              onclick: () => this.hub.invoke("WithdrawAnnouncement", a.id).then(() => this.withdrawn(a.id), (err) => text(error, `Not withdrawn: ${reason(err)}`)),
            },
            "Withdraw",
          ),
          error,
        );
      }),
    );
  }
}

export class FeedbackPanel {
  readonly element: HTMLElement;
  private readonly queue = h("select", { id: "feedback-queue" }, h("option", { value: "" }, "Any queue"));
  private readonly agent = h("select", { id: "feedback-agent" }, h("option", { value: "" }, "Any agent"));
  private readonly score = h("select", { id: "feedback-score" }, h("option", { value: "" }, "Any score"), ...[1, 2, 3, 4, 5].map((s) => h("option", { value: s }, `${s} ★`)));
  private readonly reviewed = h("select", { id: "feedback-reviewed" }, h("option", { value: "false" }, "Not reviewed"), h("option", { value: "true" }, "Reviewed"), h("option", { value: "" }, "Both"));
  private readonly body = h("tbody");
  private readonly older = h("button", { type: "button", hidden: true, onclick: () => this.load(true) }, "Older");
  private readonly error = h("p", { className: "form-error", role: "alert" });
  private nextBefore: string | null = null;
  private loaded = false;

  constructor(private readonly hub: signalR.HubConnection) {
    const filters = h(
      "form",
      { className: "filters", onsubmit: (event: SubmitEvent) => { event.preventDefault(); void this.load(false); } },
      h("label", { for: this.queue.id }, "Queue"),
      this.queue,
      h("label", { for: this.agent.id }, "Agent"),
      this.agent,
      h("label", { for: this.score.id }, "Score"),
      this.score,
      h("label", { for: this.reviewed.id }, "Review"),
      this.reviewed,
      h("button", { type: "submit", className: "primary" }, "Show"),
    );
    this.element = h(
      "section",
      { "aria-labelledby": "feedback-title" },
      h("h1", { id: "feedback-title" }, "Feedback"),
      h(
        "div",
        { className: "card" },
        filters,
        this.error,
        h(
          "table",
          { className: "data feedback-table" },
          h("thead", null, h("tr", null, ...["Rated", "Score", "Comment", "Visitor", "Agent", "Queue", "Review"].map((c) => h("th", { scope: "col" }, c)))),
          this.body,
        ),
        this.older,
      ),
    );
  }

  /** Fills the filters' choices from the dashboard, keeping what is chosen. */
  setChoices(queues: string[], agents: { agentId: string; displayName: string }[]): void {
    const fill = (select: HTMLSelectElement, first: string, options: [string, string][]) => {
      if (select.options.length === options.length + 1) return;
      const value = select.value;
      replace(select, h("option", { value: "" }, first), ...options.map(([v, label]) => h("option", { value: v }, label)));
      select.value = value;
    };
    fill(this.queue, "Any queue", queues.map((q) => [q, q]));
    fill(this.agent, "Any agent", agents.map((a) => [a.agentId, a.displayName]));
  }

  async shown(): Promise<void> {
    if (!this.loaded) await this.load(false);
  }

  private async load(more: boolean): Promise<void> {
    text(this.error, "");
    const query = {
      queue: this.queue.value || null,
      agentId: this.agent.value || null,
      score: this.score.value ? Number(this.score.value) : null,
      reviewed: this.reviewed.value === "" ? null : this.reviewed.value === "true",
      before: more ? this.nextBefore : null,
      limit: 50,
    };
    try {
      const page = await this.hub.invoke<FeedbackPage>("GetFeedback", query);
      this.loaded = true;
      if (!more) replace(this.body);
      for (const entry of page.items) this.body.append(this.row(entry));
      if (this.body.childElementCount === 0) this.body.append(h("tr", null, h("td", { colspan: 7, className: "muted" }, page.nextBefore ? "None on this page; look at older ones." : "No feedback matches.")));
      this.nextBefore = page.nextBefore;
      this.older.hidden = page.nextBefore === null;
    } catch (error) {
      text(this.error, `Cannot load feedback: ${reason(error)}`);
    }
  }

  private row(entry: FeedbackEntry): HTMLTableRowElement {
    const review = h("td");
    const row = h(
      "tr",
      { "data-conversation": entry.conversationId, className: entry.score <= 2 ? "low-score" : "" },
      h("td", null, dateTime(entry.ratedAt)),
      h("td", { className: "score", "aria-label": `${entry.score} of 5` }, "★".repeat(entry.score) + "☆".repeat(5 - entry.score)),
      h("td", { className: "comment" }, entry.comment ?? "", entry.revisions > 1 ? h("span", { className: "muted" }, ` (rated ${entry.revisions} times)`) : null),
      h("td", null, entry.visitorName),
      h("td", null, entry.agentName ?? "–"),
      h("td", null, entry.queue),
      review,
    );
    const render = (e: FeedbackEntry) => {
      const button: HTMLButtonElement = h(
        "button",
        {
          type: "button",
          className: "small",
          onclick: async () => {
            button.disabled = true;
            try {
              render(await this.hub.invoke<FeedbackEntry>("MarkFeedbackReviewed", e.conversationId, !e.reviewed));
            } catch (error) {
              button.disabled = false;
              review.append(h("span", { className: "form-error" }, reason(error)));
            }
          },
        },
        e.reviewed ? "Mark not reviewed" : "Mark reviewed",
      );
      replace(review, e.reviewed ? h("span", { className: "reviewed" }, `✓ ${e.reviewedBy ?? ""} `) : null, button);
    };
    render(entry);
    return row;
  }
}

export class OfflinePanel {
  readonly element: HTMLElement;
  private readonly queue = h("select", { id: "offline-queue", onchange: () => this.load() });
  private readonly list = h("ul", { className: "offline-list", "aria-label": "Offline messages" });
  private readonly error = h("p", { className: "form-error", role: "alert" });
  // How full the inbox is; a warning once it turns visitors away.
  private readonly status = h("p", { className: "offline-status", role: "status" });

  constructor(private readonly hub: signalR.HubConnection) {
    this.element = h(
      "section",
      { "aria-labelledby": "offline-title" },
      h("h1", { id: "offline-title" }, "Offline messages"),
      h(
        "div",
        { className: "card" },
        h("div", { className: "filters" }, h("label", { for: this.queue.id }, "Queue"), this.queue, h("button", { type: "button", onclick: () => this.load() }, "Refresh")),
        h("p", { className: "muted" }, "Messages visitors left while nobody was online. Answer them by email, then mark them handled."),
        this.status,
        this.error,
        this.list,
      ),
    );
  }

  setQueues(queues: string[]): void {
    if (this.queue.options.length === queues.length) return;
    const value = this.queue.value;
    replace(this.queue, ...queues.map((q) => h("option", { value: q }, q)));
    if (value) this.queue.value = value;
  }

  async load(): Promise<void> {
    const queue = this.queue.value;
    if (!queue) return;
    text(this.error, "");
    try {
      const [messages, status] = await Promise.all([
        this.hub.invoke<OfflineMessage[]>("GetOfflineMessages", queue),
        this.hub.invoke<OfflineInboxStatus>("GetOfflineInboxStatus", queue),
      ]);
      this.showStatus(status);
      if (messages.length === 0) return replace(this.list, h("li", { className: "muted" }, `No offline messages in ${queue}.`));
      replace(this.list, ...messages.map((m) => this.item(m)));
    } catch (error) {
      text(this.error, `Cannot load offline messages: ${reason(error)}`);
    }
  }

  private showStatus(s: OfflineInboxStatus): void {
    this.status.classList.toggle("warning", s.refused > 0 || s.unhandled >= s.capacity);
    const kept = `${s.unhandled} unhandled of ${s.kept} kept (room for ${s.capacity}).`;
    if (s.refused > 0)
      text(this.status, `${kept} The inbox is full: ${s.refused} new message${s.refused === 1 ? " was" : "s were"} turned away since ${dateTime(s.refusedSince ?? "")}. Mark answered messages handled to make room.`);
    else if (s.unhandled >= s.capacity) text(this.status, `${kept} The inbox is full: new messages are turned away until some are marked handled.`);
    else text(this.status, kept);
  }

  private item(m: OfflineMessage): HTMLLIElement {
    const toggle = h(
      "button",
      {
        type: "button",
        className: "small",
        onclick: async () => {
          try {
            item.replaceWith(this.item(await this.hub.invoke<OfflineMessage>("MarkOfflineMessageHandled", m.queue, m.id, !m.handled)));
          } catch (error) {
            text(this.error, `Not changed: ${reason(error)}`);
          }
        },
      },
      m.handled ? "Mark not handled" : "Mark handled",
    );
    const item = h(
      "li",
      { className: m.handled ? "handled" : "", "data-offline": m.id },
      h("div", { className: "offline-head" }, h("strong", null, m.name), h("span", { className: "muted" }, m.email), h("span", { className: "muted" }, dateTime(m.receivedAt))),
      h("p", { className: "offline-text" }, m.text),
      h("div", { className: "offline-foot" }, m.handled ? h("span", { className: "reviewed" }, `✓ handled by ${m.handledBy ?? "?"}${m.handledAt ? ` at ${dateTime(m.handledAt)}` : ""}`) : null, toggle),
    );
    return item;
  }
}
