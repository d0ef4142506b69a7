using System.Text.Json.Nodes;
using Molecule.Core.Discovery;

namespace Molecule.Tests.Unit.Discovery;

public sealed class ServedCardTests
{
    private const string Proxy = "https://molecule.example.com/workspaces/3f0c8d2e-5b1a-4c6e-9f7d-2a1b3c4d5e6f/a2a";

    private static JsonObject Rewrite(string card) => ServedCard.Rewrite(JsonNode.Parse(card)!.AsObject(), Proxy);

    [Fact]
    public void A_minimal_card_gets_the_proxy_url_only()
    {
        var served = Rewrite("""{"name":"planner","skills":[]}""");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"name":"planner","skills":[],"url":"{{Proxy}}"}"""), served), served.ToJsonString());
    }

    [Fact]
    public void A_v03_card_points_every_JSONRPC_interface_at_the_proxy_and_drops_the_others()
    {
        var served = Rewrite("""
            {"name":"x","url":"http://10.0.0.5/a2a","protocolVersion":"0.3.0","preferredTransport":"HTTP+JSON",
             "additionalInterfaces":[{"url":"http://10.0.0.5/a2a","transport":"JSONRPC"},{"url":"grpc://10.0.0.5","transport":"GRPC"}]}
            """);

        Assert.Equal(Proxy, served["url"]!.GetValue<string>());
        Assert.Equal("JSONRPC", served["preferredTransport"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""[{"url":"{{Proxy}}","transport":"JSONRPC"}]"""), served["additionalInterfaces"]));
    }

    [Fact]
    public void A_v10_card_without_a_JSONRPC_binding_gets_one()
    {
        var served = Rewrite("""{"name":"x","supportedInterfaces":[{"url":"https://a/grpc","protocolBinding":"GRPC"}]}""");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""[{"url":"{{Proxy}}","protocolBinding":"JSONRPC"}]"""), served["supportedInterfaces"]));
        Assert.False(served.ContainsKey("preferredTransport"));
    }

    [Fact]
    public void A_v10_JSONRPC_binding_keeps_its_other_fields()
    {
        var served = Rewrite("""{"name":"x","supportedInterfaces":[{"url":"https://a/rpc","protocolBinding":"JSONRPC","protocolVersion":"1.0","tenant":"t1"}]}""");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""[{"url":"{{Proxy}}","protocolBinding":"JSONRPC","protocolVersion":"1.0","tenant":"t1"}]"""), served["supportedInterfaces"]));
    }

    [Fact]
    public void Signatures_are_removed_and_the_original_is_untouched()
    {
        var original = JsonNode.Parse("""{"name":"x","signatures":[{"signature":"abc"}],"capabilities":{"streaming":true}}""")!.AsObject();

        var served = ServedCard.Rewrite(original, Proxy);

        Assert.False(served.ContainsKey("signatures"));
        Assert.True(original.ContainsKey("signatures"));
        Assert.False(original.ContainsKey("url"));
        Assert.True(served["capabilities"]!["streaming"]!.GetValue<bool>());
    }
}
