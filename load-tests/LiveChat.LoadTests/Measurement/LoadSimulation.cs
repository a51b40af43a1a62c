using System.Globalization;
using System.Text.RegularExpressions;

namespace LiveChat.LoadTests.Measurement;

/// <summary>
/// The shape of a run's load, after NBomber's load simulations. Open loop, on a clock: <c>inject:R/s</c> sends R
/// messages a second, <c>ramp:A-B/s</c> raises that rate linearly from A to B. Closed loop, virtual users:
/// <c>keep-constant:N</c> keeps N users busy, each sending its next message as soon as its last one has arrived, and
/// <c>ramp:A-B</c> raises the number of users linearly from A to B. The warm-up runs at the starting level and is not
/// measured; a ramp runs across the measured duration.
/// </summary>
public sealed partial record LoadSimulation(bool OpenLoop, int From, int To)
{
    public const int MaxRate = 100_000;
    public const int MaxUsers = 20_000;

    public const string Syntax = "inject:R/s, ramp:A-B/s, keep-constant:N or ramp:A-B";

    public static LoadSimulation Inject(int perSecond) => new(OpenLoop: true, perSecond, perSecond);

    public bool Ramps => From != To;

    /// <summary>The most virtual users at any moment (closed loop); 0 for an open loop.</summary>
    public int PeakUsers => OpenLoop ? 0 : Math.Max(From, To);

    /// <summary>Reads one of <see cref="Syntax"/>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, out LoadSimulation? simulation, out string error)
    {
        simulation = null;
        error = "";
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
        {
            error = $"--load '{text}' is not one of {Syntax}";
            return false;
        }
        var from = int.Parse(match.Groups["from"].Value, CultureInfo.InvariantCulture);
        var to = match.Groups["to"].Success ? int.Parse(match.Groups["to"].Value, CultureInfo.InvariantCulture) : from;
        var openLoop = match.Groups["rate"].Success;
        simulation = match.Groups["kind"].Value switch
        {
            "inject" when openLoop && from == to => new LoadSimulation(true, from, to),
            "keep-constant" when !openLoop && from == to => new LoadSimulation(false, from, to),
            "ramp" when match.Groups["to"].Success => new LoadSimulation(openLoop, from, to),
            _ => null,
        };
        var limit = openLoop ? MaxRate : MaxUsers;
        if (simulation is null)
            error = $"--load '{text}' is not one of {Syntax}";
        else if (from < 1 || to < 1 || from > limit || to > limit)
            error = $"--load '{text}': {(openLoop ? "rates" : "user counts")} must be from 1 to {limit}";
        return error.Length == 0;
    }

    // inject:2000/s, keep-constant:500, ramp:100-2000/s, ramp:10-500: a rate always ends in /s, a user count never does.
    [GeneratedRegex(@"^(?<kind>inject|keep-constant|ramp):(?<from>\d{1,7})(-(?<to>\d{1,7}))?(?<rate>/s)?$")]
    private static partial Regex Pattern();

    /// <summary>The form it is written in on the command line.</summary>
    public override string ToString() => (OpenLoop, Ramps) switch
    {
        (true, false) => $"inject:{From}/s",
        (true, true) => $"ramp:{From}-{To}/s",
        (false, false) => $"keep-constant:{From}",
        (false, true) => $"ramp:{From}-{To}",
    };

    /// <summary>The same in words, for reports.</summary>
    public string Describe() => (OpenLoop, Ramps) switch
    {
        (true, false) => $"`{this}`: {From} messages/s on a clock (open loop)",
        (true, true) => $"`{this}`: the rate rises linearly from {From} to {To} messages/s over the measured duration, after a warm-up at {From}/s (open loop)",
        (false, false) => $"`{this}`: {From} virtual users, each sending its next message as soon as its last one arrived (closed loop)",
        (false, true) => $"`{this}`: virtual users rise linearly from {From} to {To} over the measured duration, after a warm-up with {From}, each sending its next message as soon as its last one arrived (closed loop)",
    };

    /// <summary>How many messages an open loop sends in all.</summary>
    public long TotalSends(TimeSpan warmUp, TimeSpan duration) =>
        OpenLoop ? (long)(From * warmUp.TotalSeconds + (From + To) / 2.0 * duration.TotalSeconds) : 0;

    /// <summary>
    /// When an open loop sends message <paramref name="index"/> (0-based), in seconds from the start: at the starting
    /// rate through the warm-up, then on the ramp, whose message count after s seconds is From·s + k·s²/2.
    /// </summary>
    public double SecondsUntil(long index, TimeSpan warmUp, TimeSpan duration)
    {
        var inWarmUp = From * warmUp.TotalSeconds;
        if (index < inWarmUp)
            return index / (double)From;
        var n = index - inWarmUp;
        var k = (To - From) / duration.TotalSeconds;
        // The root of k/2·s² + From·s − n = 0, written so that it stays exact as k goes to 0 (a constant rate).
        return warmUp.TotalSeconds + 2 * n / (From + Math.Sqrt(Math.Max(0, From * (double)From + 2 * k * n)));
    }

    /// <summary>The rate (open loop) or user count (closed loop) at <paramref name="elapsed"/> from the start.</summary>
    public double LevelAt(TimeSpan elapsed, TimeSpan warmUp, TimeSpan duration)
    {
        var ramped = Math.Clamp((elapsed - warmUp) / duration, 0, 1);
        return From + (To - From) * ramped;
    }
}
