import * as signalR from "@microsoft/signalr";
import { reason } from "./api";
import { backoff, hubWait, sleep } from "./retry";

/** True when a start was refused for the token (expired or withdrawn): signing in again is the fix, not waiting. */
export function isUnauthorized(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /Status code '(401|403)'/.test(message);
}

/**
 * Reconnects at once, then after a growing wait, for as long as the page lives; only a refused token ends it, since
 * waiting cannot fix that (the connection then closes, and the page hears it from keepConnected).
 */
const retry: signalR.IRetryPolicy = {
  nextRetryDelayInMilliseconds: (context) =>
    isUnauthorized(context.retryReason) ? null : context.previousRetryCount === 0 ? 0 : backoff(context.previousRetryCount - 1),
};

/**
 * A hub connection that reconnects by itself. `token` is asked again at every (re)connect, so it can return a renewed
 * token. No cookies are sent, so the widget works across origins with a plain CORS policy.
 */
export function connectHub(baseUrl: string, path: string, token: () => string | Promise<string>): signalR.HubConnection {
  return new signalR.HubConnectionBuilder()
    .withUrl(new URL(path, baseUrl).toString(), { accessTokenFactory: token, withCredentials: false })
    .withAutomaticReconnect(retry)
    .configureLogging(signalR.LogLevel.None)
    .build();
}

/**
 * The connection as the page shows it: "reconnecting" while SignalR reconnects by itself; "lost" once a start failed
 * or the connection closed for good (the server closes it without a reconnect when it cannot set the connection up),
 * while it is started again.
 */
export type Link = "connecting" | "connected" | "reconnecting" | "lost";

/** What a page does around its hub connection. */
export interface Keeper {
  state(link: Link): void;
  /** After every (re)connect: fetch what may have changed meanwhile. Made again while it fails for a passing reason. */
  sync(): Promise<void>;
  /** Why the sync failed, while it is tried again or for good; null once it succeeded. */
  trouble?(problem: string | null): void;
  /** A start was refused for the token (401 or 403). Without this, the page keeps trying. */
  refused?(): void;
  /** True once the page closed the connection on purpose. */
  stopped(): boolean;
}

/**
 * Keeps `hub` connected for as long as the page lives: starts it (trying again until the node answers), reports its
 * state, syncs after every (re)connect, and starts it again with a growing wait, at most 30 s, whenever it closes for
 * good. Resolves once it is first connected.
 */
export function keepConnected(hub: signalR.HubConnection, keeper: Keeper): Promise<void> {
  let firstConnected!: () => void;
  const first = new Promise<void>((resolve) => (firstConnected = resolve));
  // Each connection syncs for itself: a sync still waiting to try again gives up once a newer connection syncs.
  let connection = 0;

  const sync = async (): Promise<void> => {
    const mine = ++connection;
    for (let attempt = 0; ; attempt++) {
      try {
        await keeper.sync();
        keeper.trouble?.(null);
        return;
      } catch (error) {
        // A connection that dropped meanwhile syncs again when it is back.
        if (mine !== connection || hub.state !== signalR.HubConnectionState.Connected) return;
        const wait = hubWait(error, attempt);
        keeper.trouble?.(wait ? `${wait.problem} Trying again in ${Math.ceil(wait.ms / 1000)} s…` : reason(error));
        if (!wait) return;
        await sleep(wait.ms);
        if (mine !== connection || hub.state !== signalR.HubConnectionState.Connected) return;
      }
    }
  };

  const connected = (): void => {
    keeper.state("connected");
    firstConnected();
    void sync();
  };

  const start = async (attempt: number): Promise<void> => {
    for (; !keeper.stopped(); attempt++) {
      if (attempt > 0) await sleep(backoff(attempt - 1));
      if (keeper.stopped()) return;
      try {
        await hub.start();
        return connected();
      } catch (error) {
        if (keeper.refused && isUnauthorized(error)) return keeper.refused();
        keeper.state("lost");
      }
    }
  };

  hub.onreconnecting(() => keeper.state("reconnecting"));
  hub.onreconnected(() => connected());
  hub.onclose(() => {
    if (keeper.stopped()) return;
    keeper.state("lost");
    // After a wait: a server that just closed the connection would most likely refuse a start at once too.
    void start(1);
  });
  keeper.state("connecting");
  void start(0);
  return first;
}

export { signalR };
