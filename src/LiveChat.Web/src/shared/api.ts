// HTTP calls and the errors users see: a problem+json answer or a HubException becomes one readable sentence.

export class ApiError extends Error {
  /**
   * `status` is 0 when no answer came at all. `retryAfterMs` is the server's Retry-After (sent with 429 and 503), or
   * null when it named no wait.
   */
  constructor(message: string, readonly status: number, readonly fields: Record<string, string[]> = {}, readonly retryAfterMs: number | null = null) {
    super(message);
  }
}

interface Problem {
  title?: string;
  detail?: string;
  errors?: Record<string, string[]>;
}

export async function request<T>(url: string, method: "GET" | "POST", body?: unknown, bearer?: string): Promise<T> {
  let response: Response;
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (bearer !== undefined) headers["Authorization"] = `Bearer ${bearer}`;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch {
    throw new ApiError("Cannot reach the chat server. Check your connection and try again.", 0);
  }
  if (response.ok) return (await response.json()) as T;
  let problem: Problem = {};
  try {
    problem = (await response.json()) as Problem;
  } catch {
    // Not problem+json: the status says enough.
  }
  const fields = problem.errors ?? {};
  const messages = Object.values(fields).flat();
  const message = messages.length > 0 ? messages.join("; ") : problem.detail ?? problem.title ?? `The server answered ${response.status}.`;
  throw new ApiError(message, response.status, fields, retryAfter(response.headers.get("Retry-After")));
}

/** Retry-After in milliseconds: a number of seconds or an HTTP date (RFC 9110, section 10.2.3). */
function retryAfter(value: string | null): number | null {
  if (value === null || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** The reason a hub method was refused, as the server worded it (docs/protocol.md, section 4). */
export function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /HubException: ([\s\S]*)$/.exec(message)?.[1] ?? message;
}

/** A unique id for a message, kept with it when it has to be sent again. */
export function newId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}
