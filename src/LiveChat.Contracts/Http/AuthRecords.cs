namespace LiveChat.Contracts;

/// <summary>Body of <c>POST /api/auth/token</c>: an agent's or supervisor's sign-in.</summary>
public sealed record TokenRequest(string? Username, string? Password);

/// <summary>Answer of <c>POST /api/auth/token</c> and <c>POST /api/auth/refresh</c>.</summary>
public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, string Role, string AgentId, string DisplayName);
