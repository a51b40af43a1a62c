using System.Security.Claims;
using LiveChat.Server.Identity;

namespace LiveChat.UnitTests.Identity;

public sealed class SlimPrincipalTests
{
    [Fact]
    public void AHubConnectionKeepsTheClaimsLiveChatReadsAndStillPassesItsRoleCheck()
    {
        Claim[] claims =
        [
            new(ClaimNames.Subject, "ana"), new(ClaimNames.Name, "Ana"), new(ClaimNames.Role, Roles.Agent),
            new(ClaimNames.Version, "3", ClaimValueTypes.Integer64), new(ClaimNames.SignedInAt, "1796000000", ClaimValueTypes.Integer64),
            new("iat", "1796000100"), new("exp", "1796043200"), new("nbf", "1796000100"), new("jti", "a1b2"), new("iss", "livechat"),
        ];
        var validated = new ClaimsPrincipal(new ClaimsIdentity(claims, "AuthenticationTypes.Federation", ClaimNames.Name, ClaimNames.Role));

        var slim = TokenService.Slim(validated);

        Assert.Equal(
            [ClaimNames.Subject, ClaimNames.Name, ClaimNames.Role, ClaimNames.Version, ClaimNames.SignedInAt, "iat"],
            slim.Claims.Select(c => c.Type));
        Assert.True(slim.Identity!.IsAuthenticated);
        Assert.True(slim.IsInRole(Roles.Agent));
        Assert.Equal("Ana", slim.Identity.Name);
        Assert.Equal(3, TokenService.VersionOf(slim));
        Assert.Equal(TokenService.SignedInAt(validated), TokenService.SignedInAt(slim));
    }
}
