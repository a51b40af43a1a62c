// Signing in agents and supervisors: the token is kept for the browser tab (sessionStorage), and renewed by signing in
// again when it is about to expire.
import { request } from "./api";
import type { StaffToken } from "./protocol";

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
