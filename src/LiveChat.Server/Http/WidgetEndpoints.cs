using LiveChat.Server.Options;
using LiveChat.Server.Visitors;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace LiveChat.Server.Http;

/// <summary>
/// What the widget calls before a chat starts: is anyone online in this queue, and, when nobody is, leave a message.
/// Like the visitor session, these answer pages of the sites in <c>LiveChat:Widget:AllowedOrigins</c> (CORS).
/// </summary>
internal static class WidgetEndpoints
{
    /// <summary>The CORS policy of everything the widget calls: the visitor session, these endpoints and <c>/hubs/visitor</c>.</summary>
    public const string CorsPolicy = "widget";

    public static void MapWidgetApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/queues/{queue}/availability", GetAvailability).AllowAnonymous().RequireCors(CorsPolicy);
        api.MapPost("/visitor/offline-messages", LeaveMessage).AllowAnonymous().RequireCors(CorsPolicy)
            .RequireRateLimiting(SessionRateLimit.OfflineMessagePolicy);
    }

    /// <summary>Allows the configured origins (or any, for <c>*</c>) to call the widget's endpoints, without cookies.</summary>
    public static void AddWidgetCors(this IServiceCollection services)
    {
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<LiveChatOptions>>((cors, options) => cors.AddPolicy(CorsPolicy, policy =>
        {
            var widget = options.Value.Widget;
            if (widget.AllowsAnyOrigin)
                policy.AllowAnyOrigin();
            else
                policy.WithOrigins([.. widget.AllowedOrigins]);
            // SignalR's negotiate sends these headers; the widget connects without credentials (cookies). A page on another
            // site reads only the headers CORS exposes, and the widget waits as long as a 429's or a 503's Retry-After says.
            policy.AllowAnyHeader().WithMethods("GET", "POST").WithExposedHeaders("Retry-After").SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        }));
    }

    private static async Task<IResult> GetAvailability(string queue, IOptions<LiveChatOptions> options, AvailabilityCache availability)
    {
        if (queue.Length > 100 || !options.Value.IsQueue(queue))
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown queue.", detail: $"unknown queue: {VisitorFields.Shorten(queue)}");
        return Results.Ok(await availability.Get(queue));
    }

    private static async Task<IResult> LeaveMessage(OfflineMessageRequest? request, IOptions<LiveChatOptions> options, IGrainFactory grains, HttpContext http)
    {
        var max = options.Value.MaxMessageLength;
        var queue = string.IsNullOrWhiteSpace(request?.Queue) ? options.Value.DefaultQueue : request.Queue.Trim();
        var name = request?.Name?.Trim() ?? "";
        var email = request?.Email?.Trim() ?? "";
        var text = request?.Text ?? "";
        var errors = new Dictionary<string, string[]>();
        if (queue.Length > 100 || !options.Value.IsQueue(queue))
            errors["queue"] = [$"unknown queue: {VisitorFields.Shorten(queue)}"];
        if (name.Length == 0)
            errors["name"] = ["name is required"];
        else if (VisitorFields.NameError(name, options.Value.Limits) is { } nameError)
            errors["name"] = [nameError];
        if (email.Length == 0)
            errors["email"] = ["email is required, so the team can answer"];
        else if (VisitorFields.EmailError(email, options.Value.Limits) is { } emailError)
            errors["email"] = [emailError];
        if (string.IsNullOrWhiteSpace(text))
            errors["text"] = ["message text is empty"];
        else if (text.Length > max)
            errors["text"] = [$"message too long: {text.Length} > {max} characters"];
        if (errors.Count > 0)
            return Results.ValidationProblem(errors, title: "The offline message is not valid.");

        var stored = await grains.GetGrain<IOfflineMessagesGrain>(queue).Leave(name, email, text);
        if (stored is null)
        {
            http.Response.Headers.RetryAfter = "3600";
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The inbox is full.",
                detail: $"the team's inbox for {queue} is full of messages nobody has answered yet; please try again later");
        }
        return Results.Created((string?)null, new { stored.Id, stored.Queue, stored.ReceivedAt });
    }
}
