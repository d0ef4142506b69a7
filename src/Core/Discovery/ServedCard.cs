using System.Text.Json.Nodes;

namespace Molecule.Core.Discovery;

/// <summary>
/// The agent card as anyone but the raw views sees it (§3.6): every endpoint points at the platform proxy,
/// only JSON-RPC bindings remain, and signatures (which would no longer verify) are dropped.
/// </summary>
public static class ServedCard
{
    public static string ProxyAddress(string baseUrl, string workspaceId) => $"{baseUrl}/workspaces/{workspaceId}/a2a";

    public static JsonObject Rewrite(JsonObject card, string proxyAddress)
    {
        var served = card.DeepClone().AsObject();
        served["url"] = proxyAddress;
        var isV1 = served["supportedInterfaces"] is JsonArray;
        if (!isV1 && (served.ContainsKey("protocolVersion") || card.ContainsKey("url") || served.ContainsKey("preferredTransport")))
            served["preferredTransport"] = "JSONRPC";
        if (served["additionalInterfaces"] is JsonArray additional)
            served["additionalInterfaces"] = JsonRpcOnly(additional, "transport", proxyAddress);
        if (served["supportedInterfaces"] is JsonArray supported)
        {
            var kept = JsonRpcOnly(supported, "protocolBinding", proxyAddress);
            if (kept.Count == 0) kept.Add(new JsonObject { ["url"] = proxyAddress, ["protocolBinding"] = "JSONRPC" });
            served["supportedInterfaces"] = kept;
        }
        served.Remove("signatures");
        return served;
    }

    private static JsonArray JsonRpcOnly(JsonArray interfaces, string bindingProperty, string proxyAddress)
    {
        var kept = new JsonArray();
        foreach (var entry in interfaces)
        {
            if (entry is not JsonObject o || o[bindingProperty]?.GetValueKind() != System.Text.Json.JsonValueKind.String
                || !string.Equals(o[bindingProperty]!.GetValue<string>(), "JSONRPC", StringComparison.OrdinalIgnoreCase)) continue;
            var copy = o.DeepClone().AsObject();
            copy["url"] = proxyAddress;
            kept.Add(copy);
        }
        return kept;
    }
}
