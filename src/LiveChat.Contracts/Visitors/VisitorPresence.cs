namespace LiveChat.Contracts;

/// <summary>
/// Whether a visitor is there, as the agent console shows it: <see cref="Here"/> with a connection open, <see cref="Away"/>
/// without one for less than the grace (a reload, a dropped network), <see cref="Gone"/> after it.
/// </summary>
public enum VisitorPresence
{
    Here,
    Away,
    Gone,
}
