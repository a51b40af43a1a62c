// Signing in agents and supervisors: the token is kept for the browser tab (sessionStorage), and renewed before it
// expires (POST /api/auth/refresh) for as long as the page is open.
import { request } from "./api";
import type { StaffToken } from "./protocol";
import { httpWait, patiently } from "./retry";

const key = (role: string) => `livechat:${role}:token`;

export function storedToken(role: "agent" | "supervisor"): StaffToken | null {
  try {
    const token = JSON.parse(sessionStorage.getItem(key(role)) ?? "null") as StaffToken | null;
    return token && Date.parse(token.expiresAt) > Date.now() + 60_000 ? token : null;
  } catch {
    return null;
  }
}

export async function signIn(role: "agent" | "supervisor", username: string, password: string): Promise<StaffToken> {
  const token = await request<StaffToken>(new URL("/api/auth/token", location.origin).toString(), "POST", { username, password });
  if (role === "supervisor" && token.role !== "supervisor") throw new Error("Only supervisors can open the dashboard.");
  sessionStorage.setItem(key(role), JSON.stringify(token));
  return token;
}

export function signOut(role: "agent" | "supervisor"): void {
  sessionStorage.removeItem(key(role));
}

/**
 * Signing out on purpose: the server ends every session of this user (POST /api/auth/signout), so a token copied from
 * this tab or another device stops working too, then the tab forgets it. Nothing stops the tab forgetting it.
 */
export async function endSession(role: "agent" | "supervisor"): Promise<void> {
  const token = storedToken(role);
  if (token) {
    try {
      const response = await fetch(new URL("/api/auth/signout", location.origin).toString(), {
        method: "POST",
        headers: { Authorization: `Bearer ${token.accessToken}` },
        credentials: "omit",
      });
      void response.body?.cancel();
    } catch {
      // The token still expires by itself; the tab forgets it now.
    }
  }
  signOut(role);
}

/**
 * Renews `token` in place before it expires, so the hub's token factory, which reads the same object, connects with
 * the new one, and a reload of the tab finds it too. A renewal that gets no answer, or a 429 or 5xx, is made again
 * after the wait the server names or a growing one, so a failover never signs anyone out. A refused one (the user was
 * disabled or removed) is left to the hub: the server closes its connection, the reconnect is refused, and the console
 * asks to sign in again.
 */
export function keepRenewed(role: "agent" | "supervisor", token: StaffToken): void {
  const renew = async (): Promise<void> => {
    try {
      const url = new URL("/api/auth/refresh", location.origin).toString();
      Object.assign(token, await patiently(() => request<StaffToken>(url, "POST", undefined, token.accessToken), httpWait));
    } catch {
      return;
    }
    sessionStorage.setItem(key(role), JSON.stringify(token));
    schedule();
  };
  // Four fifths into what is left, so a 12-hour token is renewed with more than two hours to spare.
  const schedule = (): void => {
    setTimeout(() => void renew(), Math.max(5_000, (Date.parse(token.expiresAt) - Date.now()) * 0.8));
  };
  schedule();
}
