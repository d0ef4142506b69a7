using System.Text;
using System.Text.Json;
using Molecule.Core.Api;

namespace Molecule.Tests.Unit.Api;

public class BodyReaderTests
{
    private static BodyReader Reader(string json) => new(JsonDocument.Parse(json).RootElement);

    private static string BodyText(ApiResult result) => Encoding.UTF8.GetString(result.Body);

    private static (int Status, string? Error, string? Detail) Describe(ApiResult? result)
    {
        Assert.NotNull(result);
        using var doc = JsonDocument.Parse(result.Body);
        var root = doc.RootElement;
        return (result.Status,
            root.TryGetProperty("error", out var e) ? e.GetString() : null,
            root.TryGetProperty("detail", out var d) ? d.GetString() : null);
    }

    private static string JsonWithName(string value) => JsonSerializer.Serialize(new Dictionary<string, string> { ["name"] = value });

    // ---- String ----

    [Fact]
    public void String_RequiredAndMissing_FailsWithRequired()
    {
        var reader = Reader("{}");

        var value = reader.String("name", required: true);

        Assert.Null(value);
        Assert.Equal((400, "invalid request body", "name: required"), Describe(reader.Error));
    }

    [Fact]
    public void String_RequiredAndNull_FailsWithRequired()
    {
        var reader = Reader("""{"name":null}""");

        reader.String("name", required: true);

        Assert.Equal((400, "invalid request body", "name: required"), Describe(reader.Error));
    }

    [Fact]
    public void String_RequiredAndBlankAfterTrim_FailsWithRequired()
    {
        var reader = Reader("""{"name":"   "}""");

        reader.String("name", required: true, trim: true);

        Assert.Equal((400, "invalid request body", "name: required"), Describe(reader.Error));
    }

    [Fact]
    public void String_RequiredError_HasExactContractBody()
    {
        var reader = Reader("{}");

        reader.String("name", required: true);

        Assert.Equal("""{"error":"invalid request body","detail":"name: required"}""", BodyText(reader.Error!));
    }

    [Fact]
    public void String_OptionalAndMissing_ReturnsNullWithoutError()
    {
        var reader = Reader("{}");

        var value = reader.String("role");

        Assert.Null(value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void String_OptionalAndNull_CountsAsAbsent()
    {
        var reader = Reader("""{"role":null}""");

        var value = reader.String("role");

        Assert.Null(value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void String_Present_ReturnsTheValue()
    {
        var reader = Reader("""{"name":"planner"}""");

        var value = reader.String("name", required: true);

        Assert.Equal("planner", value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void String_Trim_ReturnsTrimmedValue()
    {
        var reader = Reader("""{"name":"  planner  "}""");

        var value = reader.String("name", required: true, trim: true);

        Assert.Equal("planner", value);
    }

    [Theory]
    [InlineData("""{"name":42}""")]
    [InlineData("""{"name":1.5}""")]
    [InlineData("""{"name":true}""")]
    [InlineData("""{"name":false}""")]
    [InlineData("""{"name":["planner"]}""")]
    [InlineData("""{"name":{"v":"planner"}}""")]
    public void String_WrongType_FailsWithMustBeAString(string json)
    {
        var reader = Reader(json);

        var value = reader.String("name", required: true);

        Assert.Null(value);
        Assert.Equal((400, "invalid request body", "name: must be a string"), Describe(reader.Error));
    }

    [Fact]
    public void String_MaxChars_CountsAnEmojiAsOneCharacter()
    {
        var reader = Reader(JsonWithName("😀"));

        var value = reader.String("name", maxChars: 1);

        Assert.Equal("😀", value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void String_MaxChars_AcceptsExactlyMaxEmojis()
    {
        var reader = Reader(JsonWithName("😀🚀✨"));

        var value = reader.String("name", maxChars: 3);

        Assert.Equal("😀🚀✨", value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void String_MaxChars_RejectsOneCharacterTooMany()
    {
        var reader = Reader(JsonWithName("😀😀"));

        var value = reader.String("name", maxChars: 1);

        Assert.Null(value);
        var (status, error, detail) = Describe(reader.Error);
        Assert.Equal(400, status);
        Assert.Equal("invalid request body", error);
        Assert.StartsWith("name: ", detail);
    }

    [Fact]
    public void String_MaxChars_Accepts255CharactersAndRejects256()
    {
        var ok = Reader(JsonWithName(new string('é', 255)));
        var tooLong = Reader(JsonWithName(new string('é', 256)));

        Assert.NotNull(ok.String("name", maxChars: 255));
        Assert.Null(tooLong.String("name", maxChars: 255));
        Assert.True(tooLong.Failed);
    }

    [Theory]
    [InlineData(0x0000)]
    [InlineData(0x0001)]
    [InlineData(0x0009)]
    [InlineData(0x000A)]
    [InlineData(0x000D)]
    [InlineData(0x001B)]
    [InlineData(0x001F)]
    [InlineData(0x007F)]
    [InlineData(0x0080)]
    [InlineData(0x0085)]
    [InlineData(0x009F)]
    public void String_NoControl_RejectsControlCharacters(int codePoint)
    {
        var reader = Reader(JsonWithName("plan" + (char)codePoint + "ner"));

        var value = reader.String("name", noControl: true);

        Assert.Null(value);
        var (status, error, detail) = Describe(reader.Error);
        Assert.Equal(400, status);
        Assert.Equal("invalid request body", error);
        Assert.StartsWith("name: ", detail);
    }

    [Theory]
    [InlineData(0x0020)]
    [InlineData(0x007E)]
    [InlineData(0x00A0)]
    [InlineData(0x00E9)]
    [InlineData(0x2028)]
    public void String_NoControl_AcceptsCharactersOutsideTheControlRanges(int codePoint)
    {
        var text = "plan" + (char)codePoint + "ner";
        var reader = Reader(JsonWithName(text));

        var value = reader.String("name", noControl: true);

        Assert.Equal(text, value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void String_WithoutNoControl_AcceptsControlCharacters()
    {
        var reader = Reader(JsonWithName("a\tb"));

        var value = reader.String("name");

        Assert.Equal("a\tb", value);
    }

    // ---- Integer ----

    [Theory]
    [InlineData("1.5")]
    [InlineData("\"1\"")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("5")]
    [InlineData("-1")]
    [InlineData("99999999999999999999")]
    [InlineData("[1]")]
    [InlineData("{}")]
    public void Integer_NonIntegerOrOutOfRange_FailsWithRangeReason(string tierJson)
    {
        var reader = Reader($$"""{"tier":{{tierJson}}}""");

        var value = reader.Integer("tier", 1, 4);

        Assert.Null(value);
        Assert.Equal((400, "invalid request body", "tier: must be an integer between 1 and 4"), Describe(reader.Error));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Integer_InRange_ReturnsTheValue(int tier)
    {
        var reader = Reader($$"""{"tier":{{tier}}}""");

        var value = reader.Integer("tier", 1, 4);

        Assert.Equal(tier, value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void Integer_Null_CountsAsAbsent()
    {
        var reader = Reader("""{"tier":null}""");

        var value = reader.Integer("tier", 1, 4);

        Assert.Null(value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void Integer_RequiredAndMissing_FailsWithRequired()
    {
        var reader = Reader("{}");

        reader.Integer("tier", 1, 4, required: true);

        Assert.Equal((400, "invalid request body", "tier: required"), Describe(reader.Error));
    }

    [Fact]
    public void Integer_RequiredAndNull_FailsWithRequired()
    {
        var reader = Reader("""{"tier":null}""");

        reader.Integer("tier", 1, 4, required: true);

        Assert.Equal((400, "invalid request body", "tier: required"), Describe(reader.Error));
    }

    // ---- Has / HasKey ----

    [Theory]
    [InlineData("""{"parent_id":null}""", true, false)]
    [InlineData("""{"parent_id":"x"}""", true, true)]
    [InlineData("""{"parent_id":0}""", true, true)]
    [InlineData("""{"parent_id":false}""", true, true)]
    [InlineData("""{}""", false, false)]
    [InlineData("""{"other":1}""", false, false)]
    public void HasKey_CountsNullAsPresent_WhileHas_CountsNullAsAbsent(string json, bool expectedHasKey, bool expectedHas)
    {
        var reader = Reader(json);

        var hasKey = reader.HasKey("parent_id");
        var has = reader.Has("parent_id");

        Assert.Equal(expectedHasKey, hasKey);
        Assert.Equal(expectedHas, has);
    }

    // ---- WorkspaceId ----

    [Theory]
    [InlineData("\"not-a-uuid\"")]
    [InlineData("\"\"")]
    [InlineData("\"3F0C9A2E-1B2C-4D5E-8F90-123456789ABC\"")] // uppercase
    [InlineData("\"3f0c9a2e-1b2c-4d5e-8f90-123456789ABC\"")] // partly uppercase
    [InlineData("\"{3f0c9a2e-1b2c-4d5e-8f90-123456789abc}\"")] // braces
    [InlineData("\"3f0c9a2e1b2c4d5e8f90123456789abc\"")] // no dashes
    [InlineData("\" 3f0c9a2e-1b2c-4d5e-8f90-123456789abc\"")] // leading space
    [InlineData("\"3f0c9a2e-1b2c-4d5e-8f90-123456789abc\\n\"")] // trailing newline
    [InlineData("42")]
    [InlineData("true")]
    public void WorkspaceId_NotALowercaseUuid_FailsWithInvalidWorkspaceIdNamingTheField(string valueJson)
    {
        var reader = Reader($$"""{"parent_id":{{valueJson}}}""");

        var value = reader.WorkspaceId("parent_id");

        Assert.Null(value);
        Assert.Equal(400, reader.Error!.Status);
        Assert.Equal("""{"error":"invalid workspace ID","detail":"parent_id"}""", BodyText(reader.Error));
    }

    [Fact]
    public void WorkspaceId_LowercaseUuid_ReturnsTheId()
    {
        var reader = Reader("""{"parent_id":"3f0c9a2e-1b2c-4d5e-8f90-123456789abc"}""");

        var value = reader.WorkspaceId("parent_id");

        Assert.Equal("3f0c9a2e-1b2c-4d5e-8f90-123456789abc", value);
        Assert.False(reader.Failed);
    }

    [Fact]
    public void WorkspaceId_Null_CountsAsAbsent()
    {
        var reader = Reader("""{"parent_id":null}""");

        var value = reader.WorkspaceId("parent_id");

        Assert.Null(value);
        Assert.False(reader.Failed);
    }

    // ---- First failing field wins ----

    [Fact]
    public void FirstFailingField_IsNotOverwrittenByALaterFailingString()
    {
        var reader = Reader("""{"role":5,"tier":9}""");

        reader.String("name", required: true);
        reader.String("role");

        Assert.Equal("name: required", Describe(reader.Error).Detail);
    }

    [Fact]
    public void FirstFailingField_IsNotOverwrittenByALaterFailingInteger()
    {
        var reader = Reader("""{"name":7,"tier":9}""");

        reader.String("name", required: true);
        reader.Integer("tier", 1, 4);

        Assert.Equal("name: must be a string", Describe(reader.Error).Detail);
    }

    [Fact]
    public void FirstFailingField_IsNotOverwrittenByALaterInvalidWorkspaceId()
    {
        var reader = Reader("""{"tier":0,"parent_id":"nope"}""");

        reader.Integer("tier", 1, 4);
        reader.WorkspaceId("parent_id");

        Assert.Equal((400, "invalid request body", "tier: must be an integer between 1 and 4"), Describe(reader.Error));
    }

    [Fact]
    public void FirstFailingField_InvalidWorkspaceIdIsNotOverwrittenByALaterBodyError()
    {
        var reader = Reader("""{"parent_id":"nope"}""");

        reader.WorkspaceId("parent_id");
        reader.String("name", required: true);

        Assert.Equal((400, "invalid workspace ID", "parent_id"), Describe(reader.Error));
    }

    [Fact]
    public void FirstFailingField_IsNotOverwrittenByExplicitFail()
    {
        var reader = Reader("{}");

        reader.String("name", required: true);
        reader.Fail("url: host is not publicly routable");

        Assert.Equal("name: required", Describe(reader.Error).Detail);
    }
}

public class IdsTests
{
    [Fact]
    public void IsWorkspaceId_AcceptsLowercaseCanonicalUuid()
    {
        Assert.True(Ids.IsWorkspaceId("3f0c9a2e-1b2c-4d5e-8f90-123456789abc"));
    }

    [Fact]
    public void IsWorkspaceId_AcceptsNewId()
    {
        Assert.True(Ids.IsWorkspaceId(Ids.NewId()));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("3F0C9A2E-1B2C-4D5E-8F90-123456789ABC")]
    [InlineData("3f0c9a2e-1b2c-4d5e-8f90-123456789abc\n")] // trailing newline
    [InlineData("3f0c9a2e-1b2c-4d5e-8f90-123456789abc ")]
    [InlineData("3f0c9a2e-1b2c-4d5e-8f90-123456789ab")]
    [InlineData("3f0c9a2e-1b2c-4d5e-8f90-123456789abcd")]
    [InlineData("3f0c9a2e1b2c4d5e8f90123456789abc")]
    public void IsWorkspaceId_RejectsAnythingButLowercaseCanonicalUuid(string? value)
    {
        Assert.False(Ids.IsWorkspaceId(value));
    }
}
