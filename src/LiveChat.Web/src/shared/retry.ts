// When a failed call is worth making again, and after how long. No answer, a 408, 429 or 5xx, a dropped connection,
// and the refusals the protocol calls retryable (docs/protocol.md, "Limits on visitors" and "Failover") say nothing
// about the call itself: it is made again, with the same client message id where it has one, after the wait the server
// named or a growing one. Every other answer is final, and only a final answer may make a page give anything up.
import { ApiError } from "./api";

/** How long to wait before trying again, and what to tell the person meanwhile. */
export interface Wait {
  ms: number;
  problem: string;
}

/**
 * The wait before retry `attempt` (0 for the first) when the server named none: 1 s, doubling up to 30 s, give or take
 * a fifth, so that the pages one failed node dropped do not all come back in the same instant.
 */
export function backoff(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5) * (0.8 + Math.random() * 0.4));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An HTTP call's failure (request in api.ts): no answer, 408, 429 and 5xx are tried again, after Retry-After if sent. */
export function httpWait(error: unknown, attempt: number): Wait | null {
  if (!(error instanceof ApiError)) return null;
  const transient = error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
  return transient ? { ms: error.retryAfterMs ?? backoff(attempt), problem: error.message } : null;
}

/** A server fault with no reason given is tried this many times: it may pass, or it may be a fault every time. */
const faultTries = 3;

/**
 * A hub call's failure: a dropped connection, a refusal that names a wait (`too many messages: … (retry after N s)`),
 * the failover refusal (`LiveChat is moving to another server …`) and, a few times, a server fault with no reason are
 * tried again; any other refusal is final.
 */
export function hubWait(error: unknown, attempt: number): Wait | null {
  const message = error instanceof Error ? error.message : String(error);
  const words = /HubException: ([\s\S]*)$/.exec(message)?.[1];
  if (words === undefined) {
    // SignalR's words for a fault on the server; anything else means the call never got an answer.
    if (/^(An unexpected error occurred invoking|Failed to invoke)/.test(message))
      return attempt + 1 < faultTries ? { ms: backoff(attempt), problem: "The chat server had a problem." } : null;
    return { ms: backoff(attempt), problem: "The connection to the chat server was lost." };
  }
  const named = /\(retry after (\d+) s\)$/.exec(words);
  if (named) return { ms: Number(named[1]) * 1000, problem: words };
  if (words.startsWith("LiveChat is moving to another server")) return { ms: backoff(attempt), problem: words };
  return null;
}

/**
 * Makes `call` until it succeeds or fails for good. Before each retry, `waiting` hears how long and why, and may end
 * the wait early (a "Try again" button) by calling `now`.
 */
export async function patiently<T>(
  call: () => Promise<T>,
  wait: (error: unknown, attempt: number) => Wait | null,
  waiting: (next: Wait, now: () => void) => void = () => undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const next = wait(error, attempt);
      if (!next) throw error;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, next.ms);
        waiting(next, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/**
 * Refusals of a message that sending it again, as it is, can never change (docs/protocol.md, section 6.1): the page
 * offers no "Try again" for them.
 */
export function isFinalRefusal(reason: string): boolean {
  return /^(message too long|message text is empty|conversation is closed|not your conversation|unknown conversation)/.test(reason);
}
