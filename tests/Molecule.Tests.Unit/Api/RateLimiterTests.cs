using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Molecule.Core.Api;

namespace Molecule.Tests.Unit.Api;

public class RateLimiterTests
{
    private const int Limit = 3;

    private static (RateLimiter Limiter, FakeTimeProvider Time) Create()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 2, 10, 15, 30, TimeSpan.Zero));
        var limiter = new RateLimiter(Options.Create(new PlatformOptions { RateLimitPerMinute = Limit }), time);
        return (limiter, time);
    }

    [Fact]
    public void Hit_FirstHitOfFreshWindowShowsLimitMinusOne()
    {
        var (limiter, _) = Create();

        var decision = limiter.Hit("k");

        Assert.True(decision.Allowed);
        Assert.Equal(Limit, decision.Limit);
        Assert.Equal(Limit - 1, decision.Remaining);
    }

    [Fact]
    public void Hit_RemainingCountsDownAfterEachRequest()
    {
        var (limiter, _) = Create();

        var remaining = Enumerable.Range(0, Limit).Select(_ => limiter.Hit("k").Remaining).ToArray();

        Assert.Equal([2, 1, 0], remaining);
    }

    [Fact]
    public void Hit_UpToTheLimitIsAllowed()
    {
        var (limiter, _) = Create();

        var allowed = Enumerable.Range(0, Limit).Select(_ => limiter.Hit("k").Allowed).ToArray();

        Assert.All(allowed, Assert.True);
    }

    [Fact]
    public void Hit_BeyondTheLimitIsNotAllowed()
    {
        var (limiter, _) = Create();
        for (var i = 0; i < Limit; i++) limiter.Hit("k");

        var fourth = limiter.Hit("k");

        Assert.False(fourth.Allowed);
        Assert.Equal(0, fourth.Remaining);
    }

    [Fact]
    public void Hit_StaysRejectedForTheRestOfTheWindow()
    {
        var (limiter, time) = Create();
        for (var i = 0; i < Limit + 1; i++) limiter.Hit("k");

        time.Advance(TimeSpan.FromSeconds(59));
        var decision = limiter.Hit("k");

        Assert.False(decision.Allowed);
    }

    [Fact]
    public void Hit_ResetSecondsIsTheFullWindowOnFirstHit()
    {
        var (limiter, _) = Create();

        var decision = limiter.Hit("k");

        Assert.Equal(60, decision.ResetSeconds);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(500)]
    [InlineData(30_000)]
    [InlineData(59_000)]
    [InlineData(59_500)]
    [InlineData(59_999)]
    public void Hit_ResetSecondsIsBetween1And60(int elapsedMs)
    {
        var (limiter, time) = Create();
        limiter.Hit("k");
        time.Advance(TimeSpan.FromMilliseconds(elapsedMs));

        var decision = limiter.Hit("k");

        Assert.InRange(decision.ResetSeconds, 1, 60);
    }

    [Fact]
    public void Hit_ResetSecondsCountsDownWithTheWindow()
    {
        var (limiter, time) = Create();
        limiter.Hit("k");
        time.Advance(TimeSpan.FromSeconds(45));

        var decision = limiter.Hit("k");

        Assert.Equal(15, decision.ResetSeconds);
    }

    [Fact]
    public void Hit_RejectedDecisionStillReportsResetSecondsOfAtLeastOne()
    {
        var (limiter, time) = Create();
        for (var i = 0; i < Limit; i++) limiter.Hit("k");
        time.Advance(TimeSpan.FromMilliseconds(59_999));

        var rejected = limiter.Hit("k");

        Assert.False(rejected.Allowed);
        Assert.Equal(1, rejected.ResetSeconds);
    }

    [Fact]
    public void Hit_WindowResetsAfter60Seconds()
    {
        var (limiter, time) = Create();
        for (var i = 0; i < Limit + 1; i++) limiter.Hit("k");

        time.Advance(TimeSpan.FromSeconds(60));
        var decision = limiter.Hit("k");

        Assert.True(decision.Allowed);
        Assert.Equal(Limit - 1, decision.Remaining);
        Assert.Equal(60, decision.ResetSeconds);
    }

    [Fact]
    public void Hit_DifferentKeysHaveIndependentBuckets()
    {
        var (limiter, _) = Create();
        for (var i = 0; i < Limit + 1; i++) limiter.Hit("a");

        var other = limiter.Hit("b");

        Assert.True(other.Allowed);
        Assert.Equal(Limit - 1, other.Remaining);
    }

    [Fact]
    public void Hit_ExhaustingOneKeyDoesNotAffectAnotherKeysCount()
    {
        var (limiter, _) = Create();
        limiter.Hit("b");
        for (var i = 0; i < Limit + 1; i++) limiter.Hit("a");

        var second = limiter.Hit("b");

        Assert.True(second.Allowed);
        Assert.Equal(Limit - 2, second.Remaining);
    }
}
