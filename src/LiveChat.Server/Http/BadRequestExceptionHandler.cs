using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace LiveChat.Server.Http;

/// <summary>
/// A body that cannot be read (malformed JSON, a wrong type, too large) becomes a 400 problem+json that says why,
/// naming the JSON path of the bad field, instead of an empty 400 or a 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
            return false;
        var detail = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? $"request body too large: the limit is {HttpPipeline.MaxBodyBytes} bytes"
            : bad.InnerException is JsonException json
                ? $"malformed JSON body{(json.Path is { } path ? $" at {path}" : "")}: {FirstSentence(json.Message)}"
                : bad.Message;
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = StatusCodes.Status400BadRequest, Title = "The request body is not valid.", Detail = detail },
        });
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
