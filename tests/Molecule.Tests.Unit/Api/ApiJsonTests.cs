using Molecule.Core.Api;

namespace Molecule.Tests.Unit.Api;

public class ApiJsonTimestampTests
{
    [Fact]
    public void Timestamp_ConvertsPositiveOffsetToUtcWithMillisecondsAndZ()
    {
        var value = new DateTimeOffset(2026, 5, 2, 12, 15, 30, 123, TimeSpan.FromHours(2));

        var text = ApiJson.Timestamp(value);

        Assert.Equal("2026-05-02T10:15:30.123Z", text);
    }

    [Fact]
    public void Timestamp_ConvertsNegativeOffsetAcrossMidnightToUtc()
    {
        var value = new DateTimeOffset(2026, 5, 1, 22, 45, 30, 123, TimeSpan.FromHours(-11.5));

        var text = ApiJson.Timestamp(value);

        Assert.Equal("2026-05-02T10:15:30.123Z", text);
    }

    [Fact]
    public void Timestamp_AlwaysWritesThreeMillisecondDigits()
    {
        var value = new DateTimeOffset(2026, 5, 2, 10, 15, 30, TimeSpan.Zero);

        var text = ApiJson.Timestamp(value);

        Assert.Equal("2026-05-02T10:15:30.000Z", text);
    }

    [Fact]
    public void Timestamp_MatchesContractShape()
    {
        var text = ApiJson.Timestamp(DateTimeOffset.Now);

        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", text);
    }

    [Fact]
    public void TryParseTimestamp_AcceptsUtcWithoutFraction()
    {
        var ok = ApiJson.TryParseTimestamp("2026-05-02T10:15:30Z", out var value);

        Assert.True(ok);
        Assert.Equal(new DateTimeOffset(2026, 5, 2, 10, 15, 30, TimeSpan.Zero), value);
    }

    [Fact]
    public void TryParseTimestamp_AcceptsFractionWithOffset()
    {
        var ok = ApiJson.TryParseTimestamp("2026-05-02T10:15:30.5+02:00", out var value);

        Assert.True(ok);
        Assert.Equal(new DateTimeOffset(2026, 5, 2, 8, 15, 30, 500, TimeSpan.Zero), value.ToUniversalTime());
    }

    [Fact]
    public void TryParseTimestamp_AcceptsOwnOutput()
    {
        var original = new DateTimeOffset(2026, 5, 2, 10, 15, 30, 123, TimeSpan.Zero);

        var ok = ApiJson.TryParseTimestamp(ApiJson.Timestamp(original), out var value);

        Assert.True(ok);
        Assert.Equal(original, value);
    }

    [Theory]
    [InlineData("2026-05-02")]
    [InlineData("yesterday")]
    [InlineData("2026-05-02T10:15:30")] // no offset
    [InlineData("2026-05-02T10:15:30.123")] // no offset
    [InlineData("")]
    [InlineData("2026-05-02T10:15Z")] // no seconds
    [InlineData("2026-05-02T10:15:30+0200")] // offset without colon
    [InlineData("2026-13-02T10:15:30Z")] // month 13
    [InlineData("2026-02-30T10:15:30Z")] // February 30th
    [InlineData("1777716930")] // unix seconds
    [InlineData("2026-05-02T10:15:30Z\n")] // trailing newline is not RFC 3339
    [InlineData(" 2026-05-02T10:15:30Z")] // leading space
    public void TryParseTimestamp_RejectsNonRfc3339OrOffsetlessValues(string text)
    {
        var ok = ApiJson.TryParseTimestamp(text, out _);

        Assert.False(ok);
    }
}
