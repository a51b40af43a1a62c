import * as signalR from "@microsoft/signalr";

/** Retries forever: quickly at first, then every 10 seconds, so a client always comes back once the server does. */
const retry: signalR.IRetryPolicy = {
  nextRetryDelayInMilliseconds: (context) => [0, 1000, 2000, 5000][context.previousRetryCount] ?? 10000,
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

export { signalR };
