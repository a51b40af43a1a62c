using System.Net;
using LiveChat.Server.Options;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// Believes <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> from the proxies in <c>LiveChat:TrustedProxies</c>, and
    /// from nobody else: the client address counts sessions per address, and anyone can write those headers.
    /// </summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        var trusted = app.ApplicationServices.GetRequiredService<IOptions<LiveChatOptions>>().Value.TrustedProxies;
        if (trusted.Count == 0)
            return app;
        var forwarded = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Through a chain of trusted proxies back to the first address that is not one: the client.
            ForwardLimit = null,
        };
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var proxy in trusted)
        {
            if (IPAddress.TryParse(proxy, out var address))
                forwarded.KnownProxies.Add(address);
            else
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
        }
        return app.UseForwardedHeaders(forwarded);
    }
}
