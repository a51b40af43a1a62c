namespace LiveChat.Server.Http;

internal static class Problems
{
    /// <summary>A wait as a refusal names it: whole seconds, rounded up, at least one.</summary>
    public static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    /// <summary>
    /// Answers with a problem+json of <paramref name="status"/> that says what is wrong, from middleware and events that
    /// answer before any endpoint runs.
    /// </summary>
    public static Task WriteProblemAsync(this HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
