using System.Net.Mail;
using LiveChat.Server.Options;

namespace LiveChat.Server.Visitors;

/// <summary>
/// The checks of a visitor's name and email, shared by every entry point that takes them (the visitor session and the
/// offline message), worded the same everywhere. Both are checked as stored: trimmed.
/// </summary>
internal static class VisitorFields
{
    /// <summary>Why <paramref name="name"/> cannot be a visitor's name, or null when it can.</summary>
    public static string? NameError(string name, LimitsOptions limits)
    {
        name = name.Trim();
        if (name.Length > limits.MaxNameLength)
            return $"name too long: {name.Length} > {limits.MaxNameLength} characters";
        // Line breaks would break the consoles' one-line lists, and direction overrides can make a name read as another.
        if (name.Any(c => char.IsControl(c) || c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069'))
            return "name has control characters (line breaks, tabs or direction overrides)";
        return null;
    }

    /// <summary>
    /// Why <paramref name="email"/> is not an email address, or null when it is one: a bare address only, so
    /// <c>Ann &lt;ann@example.com&gt;</c>, which MailAddress would parse, is refused.
    /// </summary>
    public static string? EmailError(string email, LimitsOptions limits)
    {
        email = email.Trim();
        if (email.Length > limits.MaxEmailLength)
            return $"email too long: {email.Length} > {limits.MaxEmailLength} characters";
        return MailAddress.TryCreate(email, out var address) && address.Address == email && address.DisplayName.Length == 0
            ? null
            : $"'{Shorten(email)}' is not an email address";
    }

    /// <summary>A value as quoted back in an error or a hub refusal: at most 40 characters, so a huge one is never sent back whole.</summary>
    public static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
