using Microsoft.AspNetCore.Http.Features;

namespace LiveChat.Server.Http;

internal static class HttpPipeline
{
    /// <summary>The largest JSON body the API reads; its requests are a few hundred bytes.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    /// <summary>Caps the body size of <c>/api</c> calls; a bigger body fails as it is read and becomes a 400.</summary>
    public static IApplicationBuilder UseApiBodyLimit(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            if (context.Request.ContentLength > MaxBodyBytes)
                throw new BadHttpRequestException("request body too large", StatusCodes.Status413PayloadTooLarge);
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = MaxBodyBytes;
        }
        return next(context);
    });
}
