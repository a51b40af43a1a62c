// The floor: summary numbers, the queues table (SLA breaches marked) and the agents table with their controls.
// DashboardUpdated can come several times a second, so rows are built once and only their changed text is updated:
// a supervisor typing a new limit or choosing a status is never interrupted.
import { reason } from "../shared/api";
import { h, replace, text } from "../shared/dom";
import { duration } from "../shared/format";
import type { signalR } from "../shared/hub";
import type { AgentStatus, AgentView, ConversationView, DashboardView, QueueStats } from "../shared/protocol";

export interface FloorActions {
  watch(conversationId: string): void;
  takeOver(conversationId: string): Promise<void>;
}

function set(cell: Element, value: string): void {
  if (cell.textContent !== value) text(cell, value);
}

interface QueueRow {
  row: HTMLTableRowElement;
  cells: Record<"waiting" | "longest" | "avgWait" | "avgFirst" | "agents" | "free" | "breaches" | "csat", HTMLTableCellElement>;
  detail: HTMLTableRowElement;
  toggle: HTMLButtonElement;
  stats: QueueStats | null;
}

interface AgentRow {
  row: HTMLTableRowElement;
  status: HTMLSelectElement;
  dot: HTMLSpanElement;
  load: HTMLSpanElement;
  limit: HTMLInputElement;
  avgFirst: HTMLTableCellElement;
  detail: HTMLTableRowElement;
  toggle: HTMLButtonElement;
  view: AgentView | null;
  error: HTMLElement;
  /** The supervisor typed a limit not yet set: the floor's updates leave it alone until it is. */
  limitEdited: boolean;
}

export class FloorView {
  readonly element: HTMLElement;
  private readonly summary = h("div", { className: "summary" });
  private readonly queueBody = h("tbody");
  private readonly queueTotals = h("tfoot");
  private readonly agentBody = h("tbody");
  private readonly queues = new Map<string, QueueRow>();
  private readonly agents = new Map<string, AgentRow>();

  constructor(private readonly hub: signalR.HubConnection, private readonly actions: FloorActions, chart: HTMLElement) {
    const th = (label: string, title?: string) => h("th", { scope: "col", title: title ?? null }, label);
    this.element = h(
      "section",
      { className: "floor", "aria-labelledby": "floor-title" },
      h("h1", { id: "floor-title" }, "Floor"),
      this.summary,
      h("div", { className: "card chart-card" }, chart),
      h(
        "div",
        { className: "card" },
        h("h2", null, "Queues"),
        h(
          "table",
          { className: "data queues-table" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              th("Queue"),
              th("Waiting"),
              th("Longest wait"),
              th("Avg wait", "Average wait over the last 15 minutes"),
              th("Avg first response", "Average first response over the last 15 minutes"),
              th("Online / away"),
              th("Free capacity"),
              th("SLA breaches", "Waiting past the wait SLA plus awaiting a first response past its SLA"),
              th("CSAT"),
            ),
          ),
          this.queueBody,
          this.queueTotals,
        ),
      ),
      h(
        "div",
        { className: "card" },
        h("h2", null, "Agents"),
        h("table", { className: "data agents-table" }, h("thead", null, h("tr", null, th("Agent"), th("Status"), th("Load / limit"), th("Avg first response", "Over the last 15 minutes"))), this.agentBody),
      ),
    );
  }

  update(dashboard: DashboardView): void {
    this.renderSummary(dashboard);
    for (const q of dashboard.queues) this.updateQueue(q, dashboard);
    this.renderTotals(dashboard);
    for (const a of dashboard.agents) this.updateAgent(a);
  }

  private renderSummary(d: DashboardView): void {
    const waiting = d.queues.reduce((n, q) => n + q.waiting, 0);
    const online = d.agents.filter((a) => a.status === "Online").length;
    const card = (label: string, value: string, cls = "") => h("div", { className: `stat ${cls}` }, h("span", { className: "stat-value" }, value), h("span", { className: "stat-label" }, label));
    replace(
      this.summary,
      card("Waiting", String(waiting), waiting > 0 ? "attention" : ""),
      card("Active chats", String(d.activeConversations)),
      card("Agents online", `${online} / ${d.agents.length}`),
      card("SLA breaches", String(d.slaBreaches), d.slaBreaches > 0 ? "breach" : ""),
      card("Left while waiting (15 min)", String(d.queues.reduce((n, q) => n + q.abandoned, 0))),
      card("CSAT", d.csatAverage === null ? "–" : `${d.csatAverage.toFixed(2)} (${d.ratings})`),
      card("SLA", `wait ${duration(d.sla.waitSeconds)} · first reply ${duration(d.sla.firstResponseSeconds)}`, "small"),
    );
  }

  // ---- queues -----------------------------------------------------------------------------------------------------

  private updateQueue(q: QueueStats, d: DashboardView): void {
    let row = this.queues.get(q.name);
    if (!row) {
      row = this.queueRow(q.name);
      this.queues.set(q.name, row);
      this.queueBody.append(row.row, row.detail);
    }
    const previous = row.stats;
    row.stats = q;
    const c = row.cells;
    set(c.waiting, String(q.waiting));
    c.waiting.title = `${q.abandoned} left before an agent was free in the last 15 minutes`;
    set(c.longest, q.waiting > 0 ? duration(q.longestWaitSeconds) : "–");
    set(c.avgWait, duration(q.averageWaitSeconds));
    set(c.avgFirst, duration(q.averageFirstResponseSeconds));
    set(c.agents, `${q.agentsOnline} / ${q.agentsAway}`);
    set(c.free, String(q.freeCapacity));
    set(c.breaches, q.slaBreaches > 0 ? `⚠ ${q.slaBreaches}` : "0");
    c.breaches.title = `${q.waitingPastSla} waiting past ${d.sla.waitSeconds} s, ${q.firstResponsePastSla} of ${q.awaitingFirstResponse} awaiting a first reply past ${d.sla.firstResponseSeconds} s`;
    set(c.csat, q.csatAverage === null ? "–" : `${q.csatAverage.toFixed(2)} (${q.ratings})`);
    const breach = q.slaBreaches > 0 || q.waitingPastSla > 0 || q.longestWaitSeconds > d.sla.waitSeconds;
    row.row.classList.toggle("breach", breach);
    row.row.classList.toggle("has-waiting", q.waiting > 0);
    if (!row.detail.hidden && previous && previous.waiting !== q.waiting) void this.loadWaiting(row, q.name);
  }

  private queueRow(name: string): QueueRow {
    const cell = (cls: string) => h("td", { className: `num ${cls}` });
    const cells = { waiting: cell("waiting"), longest: cell("longest"), avgWait: cell("avg-wait"), avgFirst: cell("avg-first"), agents: cell("agents"), free: cell("free"), breaches: cell("breaches"), csat: cell("csat") };
    const detail = h("tr", { className: "detail", hidden: true }, h("td", { colspan: 9 }));
    const toggle: HTMLButtonElement = h(
      "button",
      { type: "button", className: "expand", "aria-expanded": "false", title: "List the conversations waiting in this queue", onclick: () => this.toggle(toggle, detail, () => this.loadWaiting(row, name)) },
      name,
    );
    const row: QueueRow = {
      row: h("tr", { "data-queue": name }, h("th", { scope: "row" }, toggle), ...Object.values(cells)),
      cells,
      detail,
      toggle,
      stats: null,
    };
    return row;
  }

  private async loadWaiting(row: QueueRow, queue: string): Promise<void> {
    const target = row.detail.firstElementChild as HTMLElement;
    try {
      const waiting = await this.hub.invoke<ConversationView[]>("GetWaitingConversations", queue);
      replace(
        target,
        waiting.length === 0
          ? h("p", { className: "muted" }, `Nobody is waiting in ${queue}.`)
          : this.conversationList(waiting, (c) => `#${c.queuePosition ?? "?"} · waiting since ${new Date(c.createdAt).toLocaleTimeString()}`, `Waiting in ${queue}`),
      );
    } catch (error) {
      replace(target, h("p", { className: "form-error" }, `Cannot list the waiting conversations: ${reason(error)}`));
    }
  }

  private renderTotals(d: DashboardView): void {
    const sum = (f: (q: QueueStats) => number) => d.queues.reduce((n, q) => n + f(q), 0);
    const longest = Math.max(0, ...d.queues.map((q) => q.longestWaitSeconds));
    replace(
      this.queueTotals,
      h(
        "tr",
        { className: `totals${d.slaBreaches > 0 ? " breach" : ""}` },
        h("th", { scope: "row" }, "All queues"),
        h("td", { className: "num waiting" }, String(sum((q) => q.waiting))),
        h("td", { className: "num" }, longest > 0 ? duration(longest) : "–"),
        h("td", { className: "num" }, ""),
        h("td", { className: "num" }, ""),
        h("td", { className: "num" }, `${d.agents.filter((a) => a.status === "Online").length} / ${d.agents.filter((a) => a.status === "Away").length}`),
        h("td", { className: "num" }, String(sum((q) => q.freeCapacity))),
        h("td", { className: "num breaches" }, d.slaBreaches > 0 ? `⚠ ${d.slaBreaches}` : "0"),
        h("td", { className: "num" }, d.csatAverage === null ? "–" : `${d.csatAverage.toFixed(2)} (${d.ratings})`),
      ),
    );
  }

  // ---- agents -----------------------------------------------------------------------------------------------------

  private updateAgent(a: AgentView): void {
    let row = this.agents.get(a.agentId);
    if (!row) {
      row = this.agentRow(a);
      this.agents.set(a.agentId, row);
      this.agentBody.append(row.row, row.detail);
    }
    const previous = row.view;
    row.view = a;
    if (document.activeElement !== row.status) row.status.value = a.status;
    row.dot.className = `status-dot ${a.status.toLowerCase()}`;
    set(row.load, `${a.activeConversations} / ${a.maxConversations}`);
    row.load.classList.toggle("full", a.activeConversations >= a.maxConversations);
    // A limit being typed stays as typed, even once the focus has moved to its button: an update arriving between the
    // click's press and its release would otherwise set the old limit again.
    if (!row.limitEdited && document.activeElement !== row.limit) row.limit.value = String(a.maxConversations);
    set(row.avgFirst, duration(a.averageFirstResponseSeconds));
    if (!row.detail.hidden && previous && previous.activeConversations !== a.activeConversations) void this.loadAgentConversations(row, a.agentId);
  }

  private agentRow(a: AgentView): AgentRow {
    const id = a.agentId;
    const status = h("select", { "aria-label": `Status of ${a.displayName}`, onchange: () => this.setStatus(row, status.value as AgentStatus) }, ...["Online", "Away", "Offline"].map((s) => h("option", { value: s }, s)));
    const limit = h("input", { type: "number", min: 0, max: 100, className: "limit", "aria-label": `Limit for ${a.displayName}`, oninput: () => { row.limitEdited = true; } });
    const error = h("span", { className: "form-error", role: "alert" });
    const load = h("span", { className: "load-value" });
    const detail = h("tr", { className: "detail", hidden: true }, h("td", { colspan: 4 }));
    const toggle: HTMLButtonElement = h(
      "button",
      { type: "button", className: "expand", "aria-expanded": "false", title: "List this agent's conversations", onclick: () => this.toggle(toggle, detail, () => this.loadAgentConversations(row, id)) },
      a.displayName,
    );
    const dot = h("span", { className: "status-dot", "aria-hidden": "true" });
    const limitForm = h(
      "form",
      { className: "limit-form", onsubmit: (event: SubmitEvent) => { event.preventDefault(); void this.setLimit(row, limit.value); } },
      load,
      limit,
      h("button", { type: "submit", className: "small" }, "Set limit"),
    );
    const avgFirst = h("td", { className: "num" });
    const row: AgentRow = {
      row: h("tr", { "data-agent": id }, h("th", { scope: "row" }, toggle, h("span", { className: "agent-id" }, id)), h("td", null, dot, status), h("td", null, limitForm, error), avgFirst),
      status,
      dot,
      load,
      limit,
      avgFirst,
      detail,
      toggle,
      view: a,
      error,
      limitEdited: false,
    };
    return row;
  }

  private async setStatus(row: AgentRow, status: AgentStatus): Promise<void> {
    text(row.error, "");
    try {
      this.updateAgent(await this.hub.invoke<AgentView>("SetAgentStatus", row.view!.agentId, status));
    } catch (error) {
      text(row.error, `Not changed: ${reason(error)}`);
      if (row.view) row.status.value = row.view.status;
    }
  }

  private async setLimit(row: AgentRow, value: string): Promise<void> {
    text(row.error, "");
    const limit = value.trim() === "" ? null : Number(value);
    try {
      const view = await this.hub.invoke<AgentView>("SetAgentCapacity", row.view!.agentId, limit);
      row.limitEdited = false;
      this.updateAgent(view);
    } catch (error) {
      text(row.error, `Limit not set: ${reason(error)}`);
    }
  }

  private async loadAgentConversations(row: AgentRow, agentId: string): Promise<void> {
    const target = row.detail.firstElementChild as HTMLElement;
    try {
      const conversations = await this.hub.invoke<ConversationView[]>("GetAgentConversations", agentId);
      replace(
        target,
        conversations.length === 0
          ? h("p", { className: "muted" }, `${row.view?.displayName ?? agentId} holds no conversations.`)
          : this.conversationList(conversations, (c) => (c.assignedAt ? `assigned ${new Date(c.assignedAt).toLocaleTimeString()}` : c.status), `Conversations of ${row.view?.displayName ?? agentId}`),
      );
    } catch (error) {
      replace(target, h("p", { className: "form-error" }, `Cannot list the conversations: ${reason(error)}`));
    }
  }

  // ---- shared -----------------------------------------------------------------------------------------------------

  private toggle(button: HTMLButtonElement, detail: HTMLTableRowElement, load: () => Promise<void>): void {
    const open = detail.hidden;
    detail.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) {
      replace(detail.firstElementChild as HTMLElement, h("p", { className: "muted" }, "Loading…"));
      void load();
    }
  }

  private conversationList(conversations: ConversationView[], when: (c: ConversationView) => string, label: string): HTMLElement {
    return h(
      "ul",
      { className: "mini-list", "aria-label": label },
      ...conversations.map((c) => {
        const error = h("span", { className: "form-error", role: "alert" });
        return h(
          "li",
          { "data-conversation": c.conversationId },
          h("span", { className: "mini-name" }, c.visitorName),
          h("span", { className: "queue-tag" }, c.queue),
          h("span", { className: "muted" }, when(c)),
          c.topic ? h("span", { className: "mini-topic" }, c.topic) : null,
          h("span", { className: "spacer" }),
          h("button", { type: "button", className: "small", onclick: () => this.actions.watch(c.conversationId) }, "Watch"),
          h(
            "button",
            { type: "button", className: "small", onclick: () => this.actions.takeOver(c.conversationId).catch((err) => text(error, `Not taken over: ${reason(err)}`)) },
            "Take over",
          ),
          error,
        );
      }),
    );
  }
}
