// The supervisor dashboard over /hubs/supervisor: the floor live (tables and chart), watching conversations,
// announcements, feedback and offline messages. After a reconnect it reads the dashboard again and re-watches.
import { reason } from "../shared/api";
import { brand, ConnectionState, showSignIn } from "../shared/console";
import { h, replace, text } from "../shared/dom";
import { connectHub, keepConnected, signalR } from "../shared/hub";
import type { Announcement, ChatMessage, ConversationView, DashboardView, QueueSample, StaffToken, TypingIndicator } from "../shared/protocol";
import { endSession, keepRenewed, signOut, storedToken } from "../shared/staff";
import { WaitChart } from "./chart";
import { FloorView } from "./floor";
import { AnnouncementsPanel, FeedbackPanel, OfflinePanel } from "./panels";
import { WatchPanel } from "./watch";

type Section = "floor" | "watch" | "announcements" | "feedback" | "offline";

const app = document.getElementById("app")!;

class Dashboard {
  private readonly hub: signalR.HubConnection;
  private readonly connection = new ConnectionState();
  private readonly chart = new WaitChart();
  private readonly floor: FloorView;
  private readonly watch: WatchPanel;
  private readonly announcements: AnnouncementsPanel;
  private readonly feedback: FeedbackPanel;
  private readonly offline: OfflinePanel;
  private readonly sections = new Map<Section, { panel: HTMLElement; link: HTMLButtonElement; label: HTMLElement }>();
  private readonly topError = h("p", { className: "top-error", role: "alert" });
  private readonly updated = h("span", { className: "updated muted" });
  private stopped = false;

  constructor(private readonly token: StaffToken) {
    this.hub = connectHub(location.origin, "/hubs/supervisor", () => this.token.accessToken);
    keepRenewed("supervisor", token);
    const actions = { watch: (id: string) => void this.open(id), takeOver: (id: string) => this.takeOver(id) };
    this.floor = new FloorView(this.hub, actions, this.chart.element);
    this.watch = new WatchPanel(this.hub, (title) => this.label("watch", title ? `Watching ${title}` : "Conversation"));
    this.announcements = new AnnouncementsPanel(this.hub, (n) => this.label("announcements", n > 0 ? `Announcements (${n})` : "Announcements"));
    this.feedback = new FeedbackPanel(this.hub);
    this.offline = new OfflinePanel(this.hub);
    this.render();
    this.listen();
    this.connect();
  }

  /** Panels report before the navigation exists, while they are built; the navigation reads them again after. */
  private label(section: Section, value: string): void {
    const entry = this.sections.get(section);
    if (entry) text(entry.label, value);
  }

  private render(): void {
    const nav = h("nav", { className: "sidebar", "aria-label": "Dashboard sections" });
    const main = h("main", { className: "pane dashboard" }, this.topError);
    const add = (section: Section, name: string, panel: HTMLElement) => {
      const label = h("span", null, name);
      const link = h("button", { type: "button", className: "nav-link", onclick: () => this.show(section) }, label);
      this.sections.set(section, { panel, link, label });
      nav.append(link);
      main.append(panel);
    };
    add("floor", "Floor", this.floor.element);
    add("watch", "Conversation", this.watch.element);
    add("announcements", "Announcements", this.announcements.element);
    add("feedback", "Feedback", this.feedback.element);
    add("offline", "Offline messages", this.offline.element);
    replace(
      app,
      h(
        "header",
        { className: "topbar" },
        brand("Supervisor dashboard"),
        this.updated,
        h("span", { className: "spacer" }),
        h("a", { href: "/agent", target: "_blank", className: "link" }, "Agent console"),
        this.connection.element,
        h("span", { className: "who" }, this.token.displayName),
        h("button", { type: "button", className: "link", onclick: () => this.signOut() }, "Sign out"),
      ),
      h("div", { className: "layout" }, nav, main),
    );
    this.show("floor");
  }

  private show(section: Section): void {
    for (const [name, { panel, link }] of this.sections) {
      panel.hidden = name !== section;
      link.setAttribute("aria-current", name === section ? "page" : "false");
    }
    if (section === "feedback") void this.feedback.shown();
    if (section === "offline") void this.offline.load();
  }

  private listen(): void {
    const hub = this.hub;
    hub.on("DashboardUpdated", (d: DashboardView) => this.dashboard(d));
    hub.on("MessageReceived", (m: ChatMessage) => this.watch.received(m));
    hub.on("InternalMessageReceived", (m: ChatMessage) => this.watch.received(m));
    hub.on("ConversationUpdated", (v: ConversationView) => this.watch.updated(v));
    hub.on("TypingChanged", (t: TypingIndicator) => this.watch.typingChanged(t));
    hub.on("AnnouncementPublished", (a: Announcement) => this.announcements.published(a));
    hub.on("AnnouncementWithdrawn", (id: string) => this.announcements.withdrawn(id));
  }

  private connect(): void {
    void keepConnected(this.hub, {
      state: (link) => this.connection.set(link),
      sync: () => this.sync(),
      trouble: (problem) => text(this.topError, problem === null ? "" : `Could not load the dashboard: ${problem}`),
      refused: () => {
        signOut("supervisor");
        showSignIn(app, "supervisor", "Supervisor dashboard", () => location.reload());
      },
      stopped: () => this.stopped,
    });
  }

  /** After every (re)connect: the floor, its history and announcements, the watched conversation and a whisper still to send. */
  private async sync(): Promise<void> {
    const [dashboard, history, announcements] = await Promise.all([
      this.hub.invoke<DashboardView>("GetDashboard"),
      this.hub.invoke<QueueSample[]>("GetDashboardHistory"),
      this.hub.invoke<Announcement[]>("GetAnnouncements"),
    ]);
    this.chart.setHistory(history);
    this.dashboard(dashboard);
    this.announcements.set(announcements);
    await this.watch.rewatch();
  }

  private dashboard(d: DashboardView): void {
    this.floor.update(d);
    this.chart.addLive(d);
    this.feedback.setChoices(d.queues.map((q) => q.name), d.agents);
    this.offline.setQueues(d.queues.map((q) => q.name));
    text(this.updated, `Updated ${new Date(d.at).toLocaleTimeString()}`);
  }

  private async open(conversationId: string): Promise<void> {
    this.show("watch");
    try {
      await this.watch.watch(conversationId);
    } catch (error) {
      text(this.topError, `Cannot watch the conversation: ${reason(error)}`);
    }
  }

  private async takeOver(conversationId: string): Promise<void> {
    const view = await this.hub.invoke<ConversationView>("TakeOver", conversationId);
    await this.open(conversationId);
    this.watch.showTakenOver(view);
  }

  private async signOut(): Promise<void> {
    await endSession("supervisor");
    this.stopped = true;
    await this.hub.stop().catch(() => undefined);
    location.reload();
  }
}

const stored = storedToken("supervisor");
if (stored) new Dashboard(stored);
else showSignIn(app, "supervisor", "Supervisor dashboard", (t) => new Dashboard(t));
