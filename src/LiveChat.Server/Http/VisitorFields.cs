using System.Net.Mail;

namespace LiveChat.Server.Http;

/// <summary>The checks shared by the endpoints a visitor's widget calls, worded the same everywhere.</summary>
internal static class VisitorFields
{
    public const int MaxEmailLength = 254;

    /// <summary>Why <paramref name="email"/> is not an email address, or null when it is one.</summary>
    public static string? EmailError(string email) =>
        email.Length <= MaxEmailLength && MailAddress.TryCreate(email, out _) ? null : $"'{Shorten(email)}' is not an email address";

    /// <summary>A value as quoted back in an error or a hub refusal: at most 40 characters, so a huge one is never sent back whole.</summary>
    public static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
