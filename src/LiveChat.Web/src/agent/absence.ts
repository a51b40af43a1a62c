// What happened while the console was disconnected. An agent whose connection stays gone past the grace period
// (LiveChat:AwayGraceSeconds) is set Away by the server and her chats go back to the queue (docs/protocol.md, 9.5), so
// the console comes back to an empty list: it says why, and offers to go Online again in one click.
import { h, replace } from "../shared/dom";
import { duration } from "../shared/format";
import type { Link } from "../shared/hub";
import type { AgentView } from "../shared/protocol";

export class AbsenceNotice {
  readonly element = h("div", { className: "absence", role: "alert", hidden: true });
  private connectedOnce = false;
  /** When the connection went, while it has not synced since. */
  private lostAt: number | null = null;

  constructor(private readonly goOnline: () => Promise<void>) {}

  link(link: Link): void {
    if (link === "connected") this.connectedOnce = true;
    else if (this.connectedOnce) this.lostAt ??= Date.now();
  }

  /**
   * After the sync that follows a reconnect: `before` is the agent as the console last knew her, `after` as the server
   * has her now, and `lost` the visitors of the chats she held before and holds no more. True when it said something.
   */
  synced(before: AgentView | null, after: AgentView, lost: string[]): boolean {
    if (this.lostAt === null) return false;
    const away = (Date.now() - this.lostAt) / 1000;
    this.lostAt = null;
    if (before?.status !== "Online" || after.status === "Online") return false;
    const chats = lost.length === 0 ? "" : ` and your ${lost.length === 1 ? "chat" : "chats"} with ${names(lost)} went back to the queue`;
    const why = after.status === "Away" ? ", as happens when a console is disconnected for longer than the grace period" : "";
    replace(
      this.element,
      h("p", null, `While you were disconnected (${duration(away)}), you were set ${after.status}${chats}${why}.`),
      h("button", { type: "button", className: "primary", onclick: () => void this.goOnline() }, "Go Online"),
      h("button", { type: "button", className: "link", onclick: () => this.clear() }, "Dismiss"),
    );
    this.element.hidden = false;
    return true;
  }

  clear(): void {
    this.element.hidden = true;
    replace(this.element);
  }
}

function names(list: string[]): string {
  return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`;
}
