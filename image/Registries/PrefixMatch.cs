namespace CriO.Image.Registries;

/// <summary>
/// How a <c>[[registry]]</c> prefix covers a reference (containers-registries.conf(5)): the
/// reference must start with the prefix and continue with a separator (':' '/' '@') or end
/// there, so "example.com/foo" covers "example.com/foo/bar:1" but not "example.com/foobar".
/// A "*.example.com" prefix covers any host strictly below example.com, on any port, and
/// nothing else.
/// </summary>
internal static class PrefixMatch
{
    public const string WildcardStart = "*.";

    /// <summary>How many leading characters of <paramref name="reference"/> the prefix covers, or -1.</summary>
    public static int Length(string reference, string prefix)
    {
        if (prefix.StartsWith(WildcardStart, StringComparison.Ordinal))
        {
            return SubdomainLength(reference, prefix);
        }

        if (!reference.StartsWith(prefix, StringComparison.Ordinal))
        {
            return -1;
        }

        // ':' also lets "example.com" cover "example.com:5000/…". containers/image calls that
        // unintended but does it, so the same file must mean the same here.
        return reference.Length == prefix.Length || reference[prefix.Length] is ':' or '/' or '@'
            ? prefix.Length
            : -1;
    }

    // The covered part ends where the host name ends, before any port: a location rewrite keeps
    // the port and the path that follow.
    private static int SubdomainLength(string reference, string prefix)
    {
        var suffix = prefix.AsSpan(1);
        var hostAndPort = reference.AsSpan();
        var slash = hostAndPort.IndexOf('/');
        if (slash >= 0)
        {
            hostAndPort = hostAndPort[..slash];
        }

        if (hostAndPort.StartsWith('['))
        {
            return -1; // An IPv6 address is no one's subdomain.
        }

        var colon = hostAndPort.IndexOf(':');
        var host = colon < 0 ? hostAndPort : hostAndPort[..colon];
        return host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.Ordinal) ? host.Length : -1;
    }
}
