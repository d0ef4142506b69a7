using System.Net;
using System.Net.Sockets;

namespace Molecule.Core.Network;

public enum AgentUrlKind { Dialable, Remote }

/// <summary>Agent URL rules (§3.5.1): syntax first, then the address check for http(s) URLs that will be stored.</summary>
public sealed class AgentUrlPolicy(Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null)
{
    public const int MaxLength = 2048;
    public const string SchemeError = "url: scheme must be http, https or remote";
    public const string AddressError = "url: host is not publicly routable";

    private readonly Func<string, CancellationToken, Task<IPAddress[]>> resolve = resolve ?? Dns.GetHostAddressesAsync;

    /// <summary>Syntax only. Returns the error detail, or null with the kind.</summary>
    public static string? CheckSyntax(string url, out AgentUrlKind kind)
    {
        kind = AgentUrlKind.Remote;
        if (url.Length > MaxLength) return $"url: must be at most {MaxLength} characters";
        if (url.StartsWith("remote://", StringComparison.OrdinalIgnoreCase)) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            return uri is null || uri.Scheme is "http" or "https" ? "url: must be an absolute URL" : SchemeError;
        if (uri.Scheme is not ("http" or "https")) return SchemeError;
        if (uri.UserInfo.Length > 0 || url.Contains('@', StringComparison.Ordinal) && url.IndexOf('@') < url.IndexOf(uri.Host, StringComparison.OrdinalIgnoreCase))
            return "url: must not contain user information";
        kind = AgentUrlKind.Dialable;
        return null;
    }

    public static bool IsDialable(string? url) =>
        !string.IsNullOrEmpty(url) && CheckSyntax(url, out var kind) is null && kind == AgentUrlKind.Dialable;

    /// <summary>The address check: the host (IP literal, or every address DNS returns) must be allowed.</summary>
    public async Task<bool> IsRoutableAsync(string url, bool allowPrivate, CancellationToken cancellationToken)
    {
        var uri = new Uri(url);
        var host = uri.IdnHost.Trim('[', ']');
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return allowPrivate;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal)) addresses = [literal];
        else
        {
            try { addresses = await resolve(host, cancellationToken); }
            catch (SocketException) { return false; }
            catch (ArgumentException) { return false; }
        }
        return addresses.Length > 0 && addresses.All(a => !AddressClassifier.IsBlocked(a, allowPrivate));
    }

    /// <summary>Full rule for a URL about to be stored: syntax, then (http/https only) the address check.</summary>
    public async Task<string?> ValidateForStorageAsync(string url, bool allowPrivate, CancellationToken cancellationToken)
    {
        if (CheckSyntax(url, out var kind) is { } error) return error;
        if (kind == AgentUrlKind.Dialable && !await IsRoutableAsync(url, allowPrivate, cancellationToken)) return AddressError;
        return null;
    }
}
