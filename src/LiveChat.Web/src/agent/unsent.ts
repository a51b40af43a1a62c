// Replies and notes the agent wrote that had not reached a conversation when she lost it (it went back to the queue
// while she was disconnected, or on to a colleague). They stay on screen, marked as not sent, never dropped in silence;
// if the conversation comes back to her they go back into it, to be sent again with the same id by one click.
import { h, replace } from "../shared/dom";

/** A reply or note the server has not acknowledged yet. */
export interface Pending {
  clientMessageId: string;
  text: string;
  kind: "message" | "note";
  /** The server's refusal, or null while it is still to be delivered. */
  refused: string | null;
  sending: boolean;
  /** Failed tries so far, for the growing wait. */
  tries: number;
}

interface Kept {
  visitorName: string;
  why: string;
  pending: Pending[];
}

export class UnsentReplies {
  readonly element = h("div", { className: "unsent", role: "alert", hidden: true });
  private readonly kept = new Map<string, Kept>();

  /** Keeps what was not sent to a conversation the agent no longer holds; `why` says where it went. */
  keep(conversationId: string, visitorName: string, why: string, pending: Pending[]): void {
    if (pending.length === 0) return;
    const earlier = this.kept.get(conversationId)?.pending ?? [];
    // Copies: a send still under way changes its own, and only its success (sent) concerns these.
    this.kept.set(conversationId, { visitorName, why, pending: [...earlier, ...pending.map((p) => ({ ...p }))] });
    this.render();
  }

  /** A send that was under way when the conversation went did reach it: it is no longer unsent. */
  sent(clientMessageId: string): void {
    for (const [conversationId, kept] of this.kept) {
      kept.pending = kept.pending.filter((p) => p.clientMessageId !== clientMessageId);
      if (kept.pending.length === 0) this.kept.delete(conversationId);
    }
    this.render();
  }

  /** The conversation is the agent's again: what was not sent goes back into it, refused until she sends it again. */
  take(conversationId: string): Pending[] {
    const kept = this.kept.get(conversationId);
    if (!kept) return [];
    this.kept.delete(conversationId);
    this.render();
    return kept.pending.map((p) => ({ ...p, sending: false, tries: 0, refused: p.refused ?? "the conversation left you before it was sent" }));
  }

  private render(): void {
    const items = [...this.kept].flatMap(([conversationId, kept]) =>
      kept.pending.map((p) =>
        h(
          "li",
          { className: "unsent-item" },
          h("p", { className: "unsent-why" }, `Not sent to ${kept.visitorName} (${kept.why}):`),
          h("p", { className: "msg-text" }, p.text),
          h("button", { type: "button", className: "link", onclick: () => this.discard(conversationId, p) }, "Discard"),
        ),
      ),
    );
    this.element.hidden = items.length === 0;
    replace(this.element, items.length === 0 ? null : h("ul", { "aria-label": "Replies not sent" }, ...items));
  }

  private discard(conversationId: string, pending: Pending): void {
    const kept = this.kept.get(conversationId);
    if (!kept) return;
    kept.pending = kept.pending.filter((p) => p !== pending);
    if (kept.pending.length === 0) this.kept.delete(conversationId);
    this.render();
  }
}
