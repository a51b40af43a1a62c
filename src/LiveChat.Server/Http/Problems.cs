namespace LiveChat.Server.Http;

internal static class Problems
{
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
