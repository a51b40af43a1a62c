// What the widget remembers in its frame's localStorage (the chat server's origin; browsers keep it apart per embedding
// site), per queue: the visitor token (which resumes the visitor, docs/protocol.md section 2), the conversation being
// held, and whether the panel was open. No script of the host page can read it.

export interface Remembered {
  visitorId: string;
  token: string;
  name: string;
  conversationId: string | null;
  open: boolean;
}

export class Memory {
  private readonly key: string;

  constructor(serverOrigin: string, queue: string | null) {
    this.key = `livechat:${serverOrigin}:${queue ?? ""}`;
  }

  load(): Remembered | null {
    try {
      const value = JSON.parse(localStorage.getItem(this.key) ?? "null") as Remembered | null;
      return value && typeof value.token === "string" && typeof value.visitorId === "string" ? value : null;
    } catch {
      return null;
    }
  }

  save(value: Remembered): void {
    try {
      localStorage.setItem(this.key, JSON.stringify(value));
    } catch {
      // Storage can be full or disabled; the chat still works for this page.
    }
  }

  update(change: Partial<Remembered>): void {
    const current = this.load();
    if (current) this.save({ ...current, ...change });
  }

  clear(): void {
    try {
      localStorage.removeItem(this.key);
    } catch {
      // As above.
    }
  }
}
